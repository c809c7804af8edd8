/**
 * Optimizers: {@link dev.cairn.nn.optim.SGD} (momentum, weight decay, Nesterov) and
 * {@link dev.cairn.nn.optim.Adam}, with PyTorch's update rules and defaults. An optimizer is used by one
 * thread at a time.
 */
package dev.cairn.nn.optim;
