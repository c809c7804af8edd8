package dev.cairn.samples.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.Module;
import dev.cairn.CairnException;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad input gives errors that say where; edge-case input behaves as in PyTorch. */
class ModelErrorsTest {

    @Test
    void shapeErrorNamesModulePathLayerAndShapes() {
        Module chimera = Models.chimera();
        ShapeException e = assertThrows(ShapeException.class, () -> chimera.call(Tensor.rand(2, 16)));
        assertEquals("0.net.0", e.modulePath());
        assertTrue(e.getMessage().contains("in module 0.net.0 (Linear)"), e.getMessage());
        assertTrue(e.getMessage().contains("[..., 20]") && e.getMessage().contains("[2, 16]"), e.getMessage());
    }

    @Test
    void shapeErrorDeepInsideTheChimeraNamesTheInnerLinear() {
        // 1 is Linear(16, 20); replace its state so the FixedHiddenMLP's linear receives 16 columns
        Module chimera = new dev.cairn.nn.Sequential(new NestMLP(), new dev.cairn.nn.Linear(16, 16), new FixedHiddenMLP());
        ShapeException e = assertThrows(ShapeException.class, () -> chimera.call(Tensor.rand(2, 20)));
        assertEquals("2.linear", e.modulePath());
        assertTrue(e.getMessage().startsWith("in module 2.linear (Linear): "), e.getMessage());
    }

    @Test
    void theModelStaysUsableAfterAnError() {
        Module mlp = new MLP();
        assertThrows(ShapeException.class, () -> mlp.call(Tensor.rand(3, 7)));
        assertArrayEquals(new int[] {3, 10}, mlp.call(Tensor.rand(3, 20)).shape());
    }

    @Test
    void emptyBatchGivesEmptyOutput() {
        Tensor y = new MLP().call(Tensor.zeros(0, 20));
        assertArrayEquals(new int[] {0, 10}, y.shape());
        assertEquals(0, y.toFloatArray().length);
    }

    @Test
    void nanAndInfinityFlowThrough() {
        Module mlp = new MLP();
        float[] row = new float[20];
        row[3] = Float.NaN;
        float[] y = mlp.call(Tensor.of(row, 1, 20)).toFloatArray();
        for (float v : y) {
            assertTrue(Float.isNaN(v));
        }
        row[3] = Float.POSITIVE_INFINITY;
        float[] z = mlp.call(Tensor.of(row, 1, 20)).toFloatArray();
        for (float v : z) {
            assertTrue(Float.isNaN(v) || Float.isInfinite(v), "inf propagates: " + v);
        }
    }

    @Test
    void loadStateDictNamesMissingUnexpectedAndMismatchedKeysAndChangesNothing() {
        Module mlp = new MLP();
        float before = mlp.stateDict().get("hidden.weight").toFloatArray()[0];
        Map<String, Tensor> bad = new java.util.LinkedHashMap<>(mlp.stateDict());
        bad.put("hidden.weight", Tensor.zeros(256, 21));
        ShapeException shape = assertThrows(ShapeException.class, () -> mlp.loadStateDict(bad, true));
        assertTrue(shape.getMessage().contains("hidden.weight") && shape.getMessage().contains("[256, 21]")
                && shape.getMessage().contains("[256, 20]"), shape.getMessage());
        assertEquals(before, mlp.stateDict().get("hidden.weight").toFloatArray()[0]);

        Map<String, Tensor> partial = new java.util.LinkedHashMap<>(mlp.stateDict());
        partial.remove("out.bias");
        partial.put("extra", Tensor.zeros(1));
        CairnException e = assertThrows(CairnException.class, () -> mlp.loadStateDict(partial, true));
        assertTrue(e.getMessage().contains("\"out.bias\"") && e.getMessage().contains("\"extra\""), e.getMessage());
        var result = mlp.loadStateDict(partial, false);
        assertEquals(java.util.List.of("out.bias"), result.missingKeys());
        assertEquals(java.util.List.of("extra"), result.unexpectedKeys());
    }

    @Test
    void tiedModelSharesOneParameterUnderTwoKeys() {
        Module tied = Models.tied();
        Map<String, Tensor> sd = tied.stateDict();
        assertTrue(sd.get("2.weight") == sd.get("4.weight"));
        assertEquals(8, sd.size());
        assertEquals(6, tied.parameters().size());
    }
}
