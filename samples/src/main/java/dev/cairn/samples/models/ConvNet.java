package dev.cairn.samples.models;

import dev.cairn.nn.AdaptiveAvgPool2d;
import dev.cairn.nn.BatchNorm2d;
import dev.cairn.nn.Conv2d;
import dev.cairn.nn.Dropout;
import dev.cairn.nn.Flatten;
import dev.cairn.nn.Linear;
import dev.cairn.nn.MaxPool2d;
import dev.cairn.nn.Module;
import dev.cairn.nn.ReLU;
import dev.cairn.nn.Sequential;
import dev.cairn.tensor.Tensor;

/**
 * The reference {@code convnet} ({@code reference_models.py}): a small classifier of 8x8 grey images with
 * padded, strided and grouped convolutions, a 1x1 convolution without bias, batch norm, pooling and dropout.
 * Input {@code [B, 1, 8, 8]}, output {@code [B, 10]}.
 */
public class ConvNet extends Module {
    private final Sequential features = register("features", new Sequential(
            new Conv2d(1, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU(),
            new Conv2d(16, 16, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 4, true),
            new ReLU(),
            new MaxPool2d(2),
            new Conv2d(16, 32, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, false),
            new BatchNorm2d(32), new ReLU(),
            new AdaptiveAvgPool2d(1), new Flatten()));
    private final Sequential classifier = register("classifier", new Sequential(new Dropout(0.2), new Linear(32, 10)));

    @Override
    public Tensor forward(Tensor x) {
        return classifier.call(features.call(x));
    }
}
