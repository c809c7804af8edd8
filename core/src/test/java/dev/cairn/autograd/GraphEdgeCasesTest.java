package dev.cairn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.Linear;
import dev.cairn.nn.Losses;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/** Backward through closed intermediates, scopes, saved indices, zero-width layers and infinite logits. */
class GraphEdgeCasesTest {
    @Test
    void closingAnIntermediateDoesNotCutTheGraph() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        Tensor h = w.mul(2f);
        Tensor loss = h.sum();
        h.close();
        loss.backward();
        assertArrayEquals(new float[] {2f, 2f, 2f}, w.grad().toFloatArray());
    }

    @Test
    void gradientsAccumulateAcrossScopedBackwardPasses() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        for (int i = 0; i < 3; i++) {
            try (TensorScope scope = TensorScope.open()) {
                w.mul(w).sum().backward();
            }
        }
        assertArrayEquals(new float[] {6f, 6f, 6f}, w.grad().toFloatArray());
    }

    @Test
    void changingASavedInputInPlaceBeforeBackwardIsAnError() {
        Tensor w = Tensor.vector(1f, 5f, 2f).requiresGrad(true);
        Tensor y = w.mul(w);
        try (var g = GradMode.noGrad()) {
            w.copyFrom(Tensor.vector(9f, 0f, 0f));
        }
        dev.cairn.CairnException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.cairn.CairnException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("modified in place") && e.getMessage().contains("MulBackward0"), e.getMessage());
    }

    @Test
    void changingASavedOutputInPlaceBeforeBackwardIsAnError() {
        Tensor x = Tensor.vector(0f, 1f).requiresGrad(true);
        Tensor y = x.exp();
        try (var g = GradMode.noGrad()) {
            y.copyFrom(Tensor.zeros(2));
        }
        org.junit.jupiter.api.Assertions.assertThrows(dev.cairn.CairnException.class,
                () -> y.backward(Tensor.ones(2)));
    }

    @Test
    void changingATensorTheBackwardDoesNotReadIsFine() {
        Tensor w = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor b = Tensor.vector(3f, 4f);
        Tensor y = w.add(b);
        b.copyFrom(Tensor.ones(2));
        y.sum().backward();
        assertArrayEquals(new float[] {1f, 1f}, w.grad().toFloatArray());
    }

    @Test
    void maxAlongADimensionRemembersTheIndicesOfTheForwardPass() {
        Tensor w = Tensor.vector(1f, 5f, 2f).requiresGrad(true);
        Tensor m = w.max(0, false);
        try (var g = GradMode.noGrad()) {
            w.copyFrom(Tensor.vector(9f, 0f, 0f));
        }
        m.backward(); // as in PyTorch, max(dim) saves only its indices
        assertArrayEquals(new float[] {0f, 1f, 0f}, w.grad().toFloatArray());
    }

    @Test
    void savedIndicesSurviveTheScopeTheyWereMadeIn() {
        Tensor w = Tensor.vector(1f, 5f, 2f).requiresGrad(true);
        Tensor m;
        try (TensorScope scope = TensorScope.open()) {
            m = scope.keep(w.max(0, false));
        }
        m.backward();
        assertArrayEquals(new float[] {0f, 1f, 0f}, w.grad().toFloatArray());
    }

    @Test
    void maxAlongADimensionSendsTheGradientToTheChosenIndex() {
        Tensor w = Tensor.of(new float[] {1f, 5f, 2f, 7f, 0f, 7f}, 2, 3).requiresGrad(true);
        w.max(1, false).sum().backward();
        assertArrayEquals(new float[] {0f, 1f, 0f, 1f, 0f, 0f}, w.grad().toFloatArray());
    }

    @Test
    void changingAParameterAfterBackwardIsFine() {
        Tensor w = Tensor.vector(1f, 2f).requiresGrad(true);
        w.mul(w).sum().backward();
        try (var g = GradMode.noGrad()) {
            w.copyFrom(w.sub(w.grad().mul(0.1f)));
        }
        w.setGrad(null);
        w.mul(w).sum().backward();
        assertArrayEquals(new float[] {1.6f, 3.2f}, w.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void zeroWidthLinearLayersBackpropagate() {
        Tensor x = Tensor.ones(2, 3).requiresGrad(true);
        new Linear(3, 0).call(x).sum().backward();
        assertArrayEquals(new float[6], x.grad().toFloatArray());
        Tensor z = Tensor.ones(2, 0).requiresGrad(true);
        Linear noInputs = new Linear(0, 3);
        noInputs.call(z).sum().backward();
        assertArrayEquals(new float[] {2f, 2f, 2f}, noInputs.bias.grad().toFloatArray());
    }

    @Test
    void crossEntropyIgnoresMinusInfinityInOtherClasses() {
        Tensor logits = Tensor.of(new float[] {2f, Float.NEGATIVE_INFINITY, 0.5f}, 1, 3).requiresGrad(true);
        Tensor loss = Losses.crossEntropy(logits, Tensor.vector(0f));
        assertEquals(0.2014f, loss.item(), 1e-4f); // PyTorch: 0.2014
        Tensor hopeless = Losses.crossEntropy(
                Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 1f, 0.5f}, 1, 3), Tensor.vector(0f));
        assertEquals(Float.POSITIVE_INFINITY, hopeless.item()); // PyTorch: inf
        loss.backward();
        for (float v : logits.grad().toFloatArray()) {
            assertTrue(Float.isFinite(v), "finite gradient " + v);
        }
    }

    @Test
    void sumOverNoDimensionsSumsEverything() {
        assertEquals(21f, Tensor.arange(7).sum(new int[0], false).item());
        assertArrayEquals(new int[] {1, 1}, Tensor.ones(2, 3).sum(new int[0], true).shape());
    }
}
