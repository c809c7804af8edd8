package dev.cairn.nn.optim;

import dev.cairn.CairnException;

/** Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs, like {@code torch.optim.lr_scheduler.StepLR}. */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    /** {@code StepLR(optimizer, stepSize, gamma=0.1)}. */
    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1) {
            throw new CairnException("StepLR: step_size must be >= 1, got " + stepSize);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double computeLr() {
        if (lastEpoch == 0 || lastEpoch % stepSize != 0) {
            return optimizer.lr();
        }
        return optimizer.lr() * gamma;
    }

    @Override
    protected double closedFormLr() {
        return baseLr * Math.pow(gamma, Math.floorDiv(lastEpoch, stepSize));
    }
}
