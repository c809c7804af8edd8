package dev.cairn.data;

import dev.cairn.tensor.Tensor;

/**
 * One batch from a {@link DataLoader}: {@code features} of shape {@code [B, ...featureShape]} and
 * {@code targets} of shape {@code [B, ...targetShape]}, on the loader's device; {@code B} is the batch
 * size, or fewer for a last partial batch. The tensors belong to the caller (close them, or open a
 * {@code TensorScope} per step).
 */
public record Batch(Tensor features, Tensor targets) implements AutoCloseable {
    /** Number of examples in this batch. */
    public int size() {
        return features.shape()[0];
    }

    @Override
    public void close() {
        features.close();
        targets.close();
    }
}
