package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A strict load whose keys do not match says how to fix them, not only which ones differ. */
class StateDictKeyHintTest {
    private static Module net() {
        return new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    }

    @Test
    void anExtraPrefixInTheFileIsNamed() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        net().stateDict().forEach((k, v) -> state.put("module." + k, v));   // as DataParallel saves
        CairnException e = assertThrows(CairnException.class, () -> net().loadStateDict(state, true));
        assertTrue(e.getMessage().contains("extra prefix 'module.'"), e.getMessage());
        assertTrue(e.getMessage().contains("missing key(s)") && e.getMessage().contains("\"0.weight\""), e.getMessage());
    }

    @Test
    void aPrefixTheFileLacksIsNamed() {
        Module inner = net();
        Module outer = new Sequential(net());
        CairnException e = assertThrows(CairnException.class, () -> outer.loadStateDict(inner.stateDict(), true));
        assertTrue(e.getMessage().contains("prefix '0.' that the state dict lacks"), e.getMessage());
    }

    @Test
    void unrelatedNamesPointAtRegisterAndStrictFalse() {
        Map<String, Tensor> state = new LinkedHashMap<>(net().stateDict());
        Tensor w = state.remove("2.weight");
        state.put("classifier.weight", w);
        CairnException e = assertThrows(CairnException.class, () -> net().loadStateDict(state, true));
        assertTrue(e.getMessage().contains("register(") && e.getMessage().contains("strict=false"), e.getMessage());
    }
}
