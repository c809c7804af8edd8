package dev.cairn.data;

import dev.cairn.CairnException;
import dev.cairn.tensor.Shapes;
import java.util.Arrays;

/**
 * Examples held in memory as two float arrays, like PyTorch's {@code TensorDataset} of features and
 * targets: example {@code i} has features of shape {@code featureShape} and a target of shape
 * {@code targetShape} ({@code []} for a class index, stored as a float). A {@link DataLoader} copies
 * examples from it into batches. Immutable once made (the arrays are not copied: do not change them),
 * so it may be shared between threads and loaders.
 */
public final class ArrayDataset {
    private final float[] features;
    private final int[] featureShape;
    private final float[] targets;
    private final int[] targetShape;
    private final int size;
    private final int featureSize;
    private final int targetSize;

    public ArrayDataset(float[] features, int[] featureShape, float[] targets, int[] targetShape) {
        this.featureShape = featureShape.clone();
        this.targetShape = targetShape.clone();
        this.featureSize = Shapes.numel(featureShape);
        this.targetSize = Shapes.numel(targetShape);
        if (featureSize == 0) {
            throw new CairnException("ArrayDataset: examples with no features (shape " + Shapes.format(featureShape) + ")");
        }
        if (features.length % featureSize != 0) {
            throw new CairnException("ArrayDataset: " + features.length + " feature values are not a whole number of"
                    + " examples of shape " + Shapes.format(featureShape));
        }
        this.size = features.length / featureSize;
        if (targets.length != (long) size * targetSize) {
            throw new CairnException("ArrayDataset: " + size + " examples of shape " + Shapes.format(featureShape)
                    + " need " + (long) size * targetSize + " target values of shape " + Shapes.format(targetShape)
                    + ", got " + targets.length);
        }
        this.features = features;
        this.targets = targets;
    }

    /** Number of examples. */
    public int size() {
        return size;
    }

    /** The shape of one example's features. */
    public int[] featureShape() {
        return featureShape.clone();
    }

    /** The shape of one example's target ({@code []} for a class index). */
    public int[] targetShape() {
        return targetShape.clone();
    }

    int featureSize() {
        return featureSize;
    }

    int targetSize() {
        return targetSize;
    }

    /** Copies example {@code index}'s features into {@code dst} at {@code offset}. */
    public void copyFeatures(int index, float[] dst, int offset) {
        System.arraycopy(features, index * featureSize, dst, offset, featureSize);
    }

    /** Copies example {@code index}'s target into {@code dst} at {@code offset}. */
    public void copyTarget(int index, float[] dst, int offset) {
        System.arraycopy(targets, index * targetSize, dst, offset, targetSize);
    }

    /** The first {@code n} examples (a copy), e.g. to try a model on part of a data set. */
    public ArrayDataset head(int n) {
        if (n < 0 || n > size) {
            throw new CairnException("ArrayDataset.head: n must be in [0, " + size + "], got " + n);
        }
        return new ArrayDataset(Arrays.copyOf(features, n * featureSize), featureShape,
                Arrays.copyOf(targets, n * targetSize), targetShape);
    }
}
