package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A layer given the wrong input width names the module path, the op, both sizes and the fix. */
class LayerShapeHintTest {
    @Test
    void aWrongInputWidthNamesThePathTheOpAndTheFix() {
        Module net = new Sequential(new Linear(20, 64), new ReLU(), new Linear(32, 10));
        ShapeException e = assertThrows(ShapeException.class, () -> net.call(Tensor.rand(2, 20)));
        String m = e.getMessage();
        assertTrue(m.startsWith("in module 2 (Linear): Linear(in_features=32, out_features=10)"), m);
        assertTrue(m.contains("[..., 32]") && m.contains("[2, 64]"), m);
        assertTrue(m.contains("in_features=64") && m.contains("LazyLinear"), m);
    }
}
