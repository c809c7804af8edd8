package dev.cairn.serve;

/**
 * A model as the server exposes it: its name, its predictor, the names of its one input and one
 * output tensor, and their metadata shapes (-1 for the batch dimension).
 */
record ServedModel(String name, BatchingPredictor predictor, String inputName, String outputName, int[] inputShape,
        int[] outputShape) {
    /** Whether it takes inference requests: its predictor is open. */
    boolean ready() {
        return !predictor.isClosed();
    }

    String version() {
        return Long.toString(predictor.modelVersion());
    }
}
