package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** How a loss combines its per-element values, as PyTorch's {@code reduction=} argument. */
public enum Reduction {
    /** The per-element losses, in the input's shape ({@code 'none'}). */
    NONE,
    /** Their mean, a 0-dim tensor ({@code 'mean'}, PyTorch's default). */
    MEAN,
    /** Their sum, a 0-dim tensor ({@code 'sum'}). */
    SUM;

    /** Applies this reduction to per-element losses. */
    public Tensor apply(Tensor losses) {
        return switch (this) {
            case NONE -> losses;
            case MEAN -> losses.mean();
            case SUM -> losses.sum();
        };
    }
}
