/**
 * Autograd: the graph of recorded operations ({@link dev.cairn.autograd.GradNode}, printed as PyTorch
 * prints a {@code grad_fn}, e.g. {@code <MulBackward0>}), the engine that runs {@code backward}, and
 * {@link dev.cairn.autograd.GradMode}, the per-thread switch behind
 * {@code try (var g = GradMode.noGrad()) { ... }}.
 *
 * <p>Most code never uses this package directly: {@code Tensor.backward()} and
 * {@code Tensor.grad()} are the entry points.
 */
package dev.cairn.autograd;
