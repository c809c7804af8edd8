package dev.cairn.autograd;

import dev.cairn.tensor.Tensor;

/**
 * The backward of one recorded operation: given the gradient of its output, the gradients of each
 * input in order (null for an input that needs none). Written with Tensor ops, so it runs on
 * whatever device holds the tensors.
 */
@FunctionalInterface
public interface BackwardFn {
    Tensor[] apply(Tensor gradOutput);
}
