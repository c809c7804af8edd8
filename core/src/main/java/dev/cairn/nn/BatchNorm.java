package dev.cairn.nn;

import dev.cairn.autograd.GradMode;
import dev.cairn.DType;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * Batch normalisation over the channel dimension 1, the shared body of {@link BatchNorm1d} and
 * {@link BatchNorm2d} (PyTorch's {@code _BatchNorm}). In training mode it normalises with the batch's
 * statistics (biased variance) and updates {@code running_mean} and {@code running_var} (unbiased) with
 * {@code momentum}, counting {@code num_batches_tracked} (an int64 buffer); in eval mode it uses the running
 * statistics. With {@code trackRunningStats} false there are no buffers and batch statistics are always used.
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
        int[] reduce = new int[s.length - 1];
        int[] bshape = new int[s.length];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = numFeatures;
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != 1) {
                reduce[j++] = i;
            }
        }
        Tensor mean;
        Tensor var;
        boolean useBatch = isTraining() || runningMean == null;
        if (useBatch) {
            int count = input.numel() / numFeatures;
            if (isTraining() && count <= 1) {
                throw new ShapeException(getName() + ": expected more than 1 value per channel when training, got input "
                        + "of shape " + Shapes.format(s) + "; use a larger batch or eval()");
            }
            mean = input.mean(0, true);
            for (int i = 2; i < s.length; i++) {
                mean = mean.mean(i, true);
            }
            Tensor centered = input.sub(mean);
            var = centered.mul(centered).sum(reduce, true).div((float) count);
            if (isTraining() && runningMean != null) {
                try (var g = GradMode.noGrad()) {
                    Tensor unbiased = var.mul((float) count / Math.max(count - 1, 1)).reshape(numFeatures);
                    runningMean.copyFrom(runningMean.mul(1 - momentum).add(mean.reshape(numFeatures).mul(momentum)));
                    runningVar.copyFrom(runningVar.mul(1 - momentum).add(unbiased.mul(momentum)));
                    numBatchesTracked.copyFrom(numBatchesTracked.add(
                            Tensor.full(numBatchesTracked.device(), DType.INT64, 1f)));
                }
            }
        } else {
            mean = runningMean.reshape(bshape);
            var = runningVar.reshape(bshape);
        }
        Tensor out = input.sub(mean).mul(var.add(eps).rsqrt());
        if (weight != null) {
            out = out.mul(weight.reshape(bshape)).add(bias.reshape(bshape));
        }
        return out;
    }

    @Override
    public String extraRepr() {
        return numFeatures + ", eps=" + PyRepr.number(eps) + ", momentum=" + PyRepr.number(momentum) + ", affine="
                + PyRepr.bool(weight != null) + ", track_running_stats=" + PyRepr.bool(runningMean != null);
    }
}
