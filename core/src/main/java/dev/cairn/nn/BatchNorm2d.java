package dev.cairn.nn;

/** Batch normalisation of {@code [N, C, H, W]} images, like {@code torch.nn.BatchNorm2d}. */
public class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5f, 0.1f, true, true);
    }

    public BatchNorm2d(int numFeatures, float eps, float momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    protected int[] acceptedRanks() {
        return new int[] {4};
    }
}
