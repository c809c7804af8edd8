package dev.cairn.nn.optim;

import dev.cairn.CairnException;

/**
 * Scales the learning rate linearly from {@code startFactor} to {@code endFactor} times its initial value
 * over {@code totalIters} steps, then keeps it: a warm-up, like {@code torch.optim.lr_scheduler.LinearLR}.
 */
public final class LinearLR extends LRScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    /** PyTorch's defaults: start factor 1/3, end factor 1, 5 steps. */
    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        if (startFactor > 1.0 || !(startFactor > 0)) {
            throw new CairnException("LinearLR: starting multiplicative factor expected to be greater than 0 and at most 1, got "
                    + startFactor);
        }
        if (endFactor > 1.0 || !(endFactor >= 0)) {
            throw new CairnException("LinearLR: ending multiplicative factor expected to be between 0 and 1, got " + endFactor);
        }
        if (totalIters < 1) {
            throw new CairnException("LinearLR: total_iters must be >= 1, got " + totalIters);
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        initialStep();
    }

    @Override
    protected double computeLr() {
        double lr = optimizer.lr();
        if (lastEpoch == 0) {
            return lr * startFactor;
        }
        if (lastEpoch > totalIters) {
            return lr;
        }
        return lr * (1. + (endFactor - startFactor)
                / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor)));
    }

    @Override
    protected double closedFormLr() {
        return baseLr * (startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters);
    }
}
