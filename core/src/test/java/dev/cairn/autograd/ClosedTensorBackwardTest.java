package dev.cairn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.F;
import dev.cairn.nn.Linear;
import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/** A backward that needs a tensor a scope closed says which op needed it and how to fix the code. */
class ClosedTensorBackwardTest {
    private static void assertNamesOpAndFix(CairnException e, String op) {
        String m = e.getMessage();
        assertTrue(m.contains(op), "names the op that needed the tensor: " + m);
        assertTrue(m.contains("closed"), m);
        assertTrue(m.contains("scope.keep") && m.contains("inside the scope"), "says how to fix it: " + m);
    }

    @Test
    void aSavedIntermediateClosedByAScopeNamesTheOpThatNeededIt() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        Tensor loss;
        try (TensorScope scope = TensorScope.open()) {
            Tensor h = w.mul(2f);                  // made in the scope: closed when it ends
            loss = scope.keep(h.mul(h).sum());     // MulBackward0 reads h to compute its gradient
        }
        Tensor l = loss;
        CairnException e = assertThrows(CairnException.class, l::backward);
        assertNamesOpAndFix(e, "MulBackward0");
    }

    @Test
    void aClosedReluOutputNamesReluBackward() {
        Linear layer = new Linear(4, 8);
        Tensor x = Tensor.rand(2, 4);
        Tensor loss;
        try (TensorScope scope = TensorScope.open()) {
            Tensor h = F.relu(layer.call(x));
            loss = scope.keep(h.mul(3f).sum());
        }
        Tensor l = loss;
        CairnException e = assertThrows(CairnException.class, l::backward);
        assertTrue(e.getMessage().contains("Backward0>"), e.getMessage());
        assertNamesOpAndFix(e, "Backward0");
    }

    @Test
    void theSuggestedFixWorks() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        try (TensorScope scope = TensorScope.open()) {
            Tensor h = w.mul(2f);
            h.mul(h).sum().backward();             // backward inside the scope
        }
        assertArrayEquals(new float[] {8f, 8f, 8f}, w.grad().toFloatArray());
    }
}
