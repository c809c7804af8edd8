package dev.cairn.serve;

/**
 * Told about every forward pass a {@link BatchingPredictor} runs, for metrics. Called on the
 * predictor's worker threads, so implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface BatchListener {
    /**
     * A forward pass finished.
     *
     * @param requests requests answered by it
     * @param rows rows it computed
     * @param forwardNanos time spent in concatenation, the forward pass and splitting
     * @param failed whether it failed (its requests are then retried one by one, or failed)
     */
    void batchRan(int requests, int rows, long forwardNanos, boolean failed);
}
