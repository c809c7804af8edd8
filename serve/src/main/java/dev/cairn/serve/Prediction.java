package dev.cairn.serve;

import dev.cairn.tensor.Tensor;

/**
 * One request's answer with how it was produced.
 *
 * @param output the request's rows of the model output, a host (CPU) tensor that the caller owns and
 *     should close when done
 * @param modelVersion the weights that computed it: 1 for the first model, incremented by every
 *     {@link BatchingPredictor#swap swap}; every row of one answer comes from one version
 * @param batchRequests how many requests shared the forward pass that computed it
 * @param batchRows how many rows that forward pass had
 */
public record Prediction(Tensor output, long modelVersion, int batchRequests, int batchRows) {
}
