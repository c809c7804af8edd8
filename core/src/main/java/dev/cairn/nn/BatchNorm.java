package dev.cairn.nn;

import dev.cairn.autograd.GradMode;
import dev.cairn.DType;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * Batch normalisation over the channel dimension 1, the shared body of {@link BatchNorm1d} and
 * {@link BatchNorm2d} (PyTorch's {@code _BatchNorm}), one fused kernel each way ({@link Tensor#batchNorm}). In
 * training mode it normalises with the batch's statistics (biased variance) and updates {@code running_mean} and
 * {@code running_var} (unbiased) with {@code momentum}, counting {@code num_batches_tracked} (an int64 buffer); in
 * eval mode it uses the running statistics. With {@code trackRunningStats} false there are no buffers and batch
 * statistics are always used.
 * Not safe to call from several threads in training mode (the buffers are updated in place).
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final float eps;
    private final float momentum;
    public final Parameter weight;
    public final Parameter bias;
    public final Buffer runningMean;
    public final Buffer runningVar;
    public final Buffer numBatchesTracked;

    protected BatchNorm(int numFeatures, float eps, float momentum, boolean affine, boolean trackRunningStats) {
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", Tensor.ones(numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(numFeatures)) : null;
        this.runningMean = trackRunningStats ? registerBuffer("running_mean", Tensor.zeros(numFeatures)) : null;
        this.runningVar = trackRunningStats ? registerBuffer("running_var", Tensor.ones(numFeatures)) : null;
        this.numBatchesTracked = trackRunningStats
                ? registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64)) : null;
    }

    /** The input ranks this layer accepts, e.g. {2, 3} for BatchNorm1d. */
    protected abstract int[] acceptedRanks();

    @Override
    public Tensor forward(Tensor input) {
        int[] s = input.shape();
        boolean rankOk = false;
        for (int r : acceptedRanks()) {
            rankOk |= s.length == r;
        }
        if (!rankOk || s[1] != numFeatures) {
            throw new ShapeException(getName() + "(" + numFeatures + ") expects input with " + numFeatures
                    + " channels in dimension 1 and rank " + java.util.Arrays.toString(acceptedRanks()) + ", got "
                    + Shapes.format(s));
        }
        boolean useBatch = isTraining() || runningMean == null;
        Tensor out = Tensor.batchNorm(input, runningMean, runningVar, weight, bias, useBatch, momentum, eps);
        if (isTraining() && numBatchesTracked != null) {
            try (var g = GradMode.noGrad()) {
                numBatchesTracked.copyFrom(numBatchesTracked.add(
                        Tensor.full(numBatchesTracked.device(), DType.INT64, 1f)));
            }
        }
        return out;
    }

    @Override
    public String extraRepr() {
        return numFeatures + ", eps=" + PyRepr.number(eps) + ", momentum=" + PyRepr.number(momentum) + ", affine="
                + PyRepr.bool(weight != null) + ", track_running_stats=" + PyRepr.bool(runningMean != null);
    }
}
