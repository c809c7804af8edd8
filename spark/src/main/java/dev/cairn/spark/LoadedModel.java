package dev.cairn.spark;

import dev.cairn.nn.Module;
import dev.cairn.Device;

/**
 * A model built and loaded with its weights on one device, in eval mode, ready for inference: what
 * the per-JVM {@link ModelCache} hands to the tasks. Shared by the tasks of one JVM, which only run
 * it under no-grad (a {@link Module} may be shared between threads for inference).
 *
 * @param module      the model, in eval mode, on {@code device}
 * @param device      where it runs
 * @param inputWidth  the features per row it takes
 * @param outputWidth the values per row it returns
 */
record LoadedModel(Module module, Device device, int inputWidth, int outputWidth) {
}
