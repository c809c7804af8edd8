package dev.cairn.tensor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.Buffer;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A module's parameters and buffers stand on memory marked long-lived (never recycled, so kernels need not claim
 * it), also after a state-dict load replaces it; other tensors' memory stays recyclable.
 */
class ModuleMemoryTest {
    @Test
    void parametersAndBuffersAreKeptOutOfThePool() {
        Tensor plain = Tensor.rand(16, 16);
        assertTrue(plain.rawBody().storage().recyclable(), "the control case: a plain tensor's memory is pooled");
        Parameter p = new Parameter(Tensor.rand(16, 16));
        assertFalse(memoryOf(p).recyclable());
        Buffer b = new Buffer(Tensor.rand(16, 16));
        assertFalse(memoryOf(b).recyclable());
        Linear layer = new Linear(16, 16);
        assertFalse(memoryOf(layer.weight).recyclable());
        layer.loadStateDict(Map.of("weight", Tensor.rand(16, 16), "bias", Tensor.rand(16)), true);
        assertFalse(memoryOf(layer.weight).recyclable(), "after a load");
    }

    /** A parameter's or buffer's memory (its body is package-private to this package, seen through Tensor). */
    private static dev.cairn.backend.Storage memoryOf(Tensor t) {
        return t.rawBody().storage();
    }
}
