/**
 * Serving Cairn models: {@link dev.cairn.serve.BatchingPredictor}, a thread-safe in-process predictor that
 * batches concurrent requests, and {@link dev.cairn.serve.InferenceServer}, an HTTP server speaking the Open
 * Inference Protocol (KServe v2 REST, with Triton's binary tensor extension) around predictors.
 */
package dev.cairn.serve;
