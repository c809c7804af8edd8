/**
 * Tensors: {@link dev.cairn.tensor.Tensor} (an n-dimensional float array on one
 * {@link dev.cairn.Device}, with PyTorch's broadcasting, views and autograd),
 * {@link dev.cairn.tensor.TensorScope} (closes the tensors made inside it), seeded random numbers
 * ({@link dev.cairn.tensor.Generator}) and the exceptions Cairn throws
 * ({@link dev.cairn.CairnException} and its subclasses).
 *
 * <p>Thread safety: a tensor may be read from several threads at once, but a tensor that is being
 * written (an in-place op, an optimizer step, {@code close}) must not be used by another thread at the
 * same time. Autograd mode and open scopes are per thread.
 */
package dev.cairn.tensor;
