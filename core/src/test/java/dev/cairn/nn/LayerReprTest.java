package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layers print exactly what PyTorch 1.13 prints for the same constructor arguments (texts made by PyTorch). */
class LayerReprTest {
    @Test
    void layersPrintLikePyTorch() throws IOException {
        String expected;
        try (InputStream in = LayerReprTest.class.getResourceAsStream("/ops/module_reprs.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Module> layers = List.of(
                new Conv1d(3, 5, 3, 2, 1, 1, 1, true),
                new AvgPool2d(3, 2, 1),
                new Conv2d(3, 4, new int[] {4, 3}, "same", new int[] {1, 1}, 1, false),
                new Conv2d(4, 8, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {2, 2}, 2, true),
                new AdaptiveAvgPool2d(3, 2),
                new MultiheadAttention(8, 2, 0.0, true, true),
                new BatchNorm1d(3, 1e-5f, 0.1f, true, false),
                new BatchNorm2d(4, 1e-3f, 0.3f, false, true),
                new LayerNorm(new int[] {4, 5}, 1e-5f, false),
                new Embedding(6, 3),
                new Softmax(0),
                new LogSoftmax(1),
                new GELU("tanh"),
                new LeakyReLU(0.2),
                new MaxPool2d(3, 1, 1, 1, true),
                new TransformerEncoderLayer(8, 2, 16, 0.0, "relu", 1e-5f, true, false));
        StringBuilder actual = new StringBuilder();
        for (int i = 0; i < layers.size(); i++) {
            actual.append(i > 0 ? "\n==\n" : "").append(layers.get(i));
        }
        assertEquals(expected, actual.append('\n').toString());
    }
}
