package dev.cairn.nn;

/** Batch normalisation of {@code [N, C]} or {@code [N, C, L]} inputs, like {@code torch.nn.BatchNorm1d}. */
public class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5f, 0.1f, true, true);
    }

    public BatchNorm1d(int numFeatures, float eps, float momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    protected int[] acceptedRanks() {
        return new int[] {2, 3};
    }
}
