package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parameters made inside a scope outlive it; a failed state-dict load changes nothing. */
class ModulesInScopesTest {
    @Test
    void aModelBuiltInsideAScopeKeepsItsParameters() {
        Linear layer;
        try (TensorScope scope = TensorScope.open()) {
            layer = new Linear(4, 3);
            layer.call(Tensor.ones(2, 4));
        }
        assertArrayEquals(new int[] {2, 3}, layer.call(Tensor.ones(2, 4)).shape());
    }

    @Test
    void aLazyLayerInitialisedInsideAScopeKeepsItsParameters() {
        LazyLinear lazy = new LazyLinear(3);
        try (TensorScope scope = TensorScope.open()) {
            lazy.call(Tensor.ones(2, 4));
        }
        assertArrayEquals(new int[] {2, 3}, lazy.call(Tensor.ones(2, 4)).shape());
    }

    /** A module whose second parameter is a transposed view, which cannot be written in place. */
    static final class Odd extends Module {
        final Parameter a = registerParameter("a", Tensor.zeros(2, 3));
        final Parameter b = registerParameter("b", Tensor.zeros(3, 2).t());

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    @Test
    void parametersThatAreViewsStillLoad() {
        Odd m = new Odd();
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("a", Tensor.ones(2, 3));
        state.put("b", Tensor.full(2f, 2, 3));
        m.loadStateDict(state, true);
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, m.b.toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, m.a.toFloatArray());
    }

    @Test
    void aClosedSourceFailsBeforeAnythingChangesAndNamesTheKey() {
        Linear layer = new Linear(2, 2);
        float[] before = layer.weight.toFloatArray();
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("weight", Tensor.ones(2, 2));
        Tensor bias = Tensor.ones(2);
        bias.close();
        state.put("bias", bias);
        CairnException e = assertThrows(CairnException.class, () -> layer.loadStateDict(state, true));
        assertTrue(e.getMessage().contains("'bias'"), e.getMessage());
        assertArrayEquals(before, layer.weight.toFloatArray());
    }

    @Test
    void loadingFromAnotherModelLeavesTheSourceUsable() {
        Linear a = new Linear(3, 2);
        Linear b = new Linear(3, 2);
        b.loadStateDict(a.stateDict(), true);
        assertArrayEquals(a.weight.toFloatArray(), b.weight.toFloatArray());
        assertEquals(2, a.call(Tensor.ones(1, 3)).size(1));
    }
}
