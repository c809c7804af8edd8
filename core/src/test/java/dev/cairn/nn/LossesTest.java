package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.autograd.GradCheck;
import dev.cairn.CairnException;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** MSE, cross-entropy and log-softmax: values and gradients against hand-computed ones. */
class LossesTest {
    @Test
    void mseValueAndGradient() {
        Tensor in = Tensor.vector(1, 2, 3).requiresGrad(true);
        Tensor target = Tensor.vector(1.5f, 2, 2);
        Tensor loss = Losses.mseLoss(in, target);
        assertArrayEquals(new int[0], loss.shape());
        assertEquals(1.25f / 3, loss.item(), 1e-7f); // (0.25 + 0 + 1) / 3
        loss.backward();
        assertArrayEquals(new float[] {-1 / 3f, 0, 2 / 3f}, in.grad().toFloatArray(), 1e-7f); // 2 (in - t) / N
    }

    @Test
    void mseGradientFlowsToTheTargetToo() {
        Tensor in = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor target = Tensor.of(new float[] {0, 0, 0, 0}, 2, 2).requiresGrad(true);
        Losses.mseLoss(in, target).backward();
        assertArrayEquals(new float[] {-0.5f, -1, -1.5f, -2}, target.grad().toFloatArray(), 1e-7f);
    }

    @Test
    void mseRejectsDifferentShapes() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> Losses.mseLoss(Tensor.zeros(4, 1), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("[4, 1]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    @Test
    void crossEntropyValueAndGradient() {
        Tensor logits = Tensor.of(new float[] {1, 2, 3, 1, 1, 1}, 2, 3).requiresGrad(true);
        Tensor targets = Tensor.vector(2, 0);
        Tensor loss = Losses.crossEntropy(logits, targets);
        // row 0: log(1 + e^-1 + e^-2) = 0.40760596; row 1: log 3 = 1.09861229; mean 0.75310913
        assertEquals(0.7531091265562453, loss.item(), 1e-6);
        loss.backward();
        // (softmax - onehot) / N
        float[] expected = {0.04501528658519022f, 0.12236423552739879f, -0.16737952211258916f,
            -0.33333333333333337f, 0.1666666666666666f, 0.1666666666666666f};
        assertArrayEquals(expected, logits.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void crossEntropyStaysFiniteForHugeLogits() {
        Tensor logits = Tensor.of(new float[] {1000, -1000, -1000, 1000, 1000, 1000}, 3, 2).requiresGrad(true);
        Tensor targets = Tensor.vector(0, 0, 1);
        Tensor loss = Losses.crossEntropy(logits, targets);
        // rows: 0, 2000, log 2
        assertEquals((2000 + Math.log(2)) / 3, loss.item(), 1e-3);
        loss.backward();
        float[] g = logits.grad().toFloatArray();
        for (float v : g) {
            assertTrue(Float.isFinite(v), "gradient " + java.util.Arrays.toString(g));
        }
        assertArrayEquals(new float[] {0, 0, -1 / 3f, 1 / 3f, 1 / 6f, -1 / 6f}, g, 1e-6f);
        Tensor small = Losses.crossEntropy(Tensor.of(new float[] {-1000, -1001}, 1, 2), Tensor.vector(1));
        assertEquals(1.3132616875182228, small.item(), 1e-5); // log(1 + e)
    }

    @Test
    void crossEntropyOfOneSampleWithA0DimTarget() {
        Tensor logits = Tensor.vector(1, 2, 3);
        float single = Losses.crossEntropy(logits, Tensor.scalar(2)).item();
        assertEquals(0.4076059644443804, single, 1e-6);
    }

    @Test
    void crossEntropyGradientMatchesFiniteDifferences() {
        float[] targets = {1, 0, 3};
        GradCheck.check("crossEntropy", t -> Losses.crossEntropy(t[0], Tensor.vector(targets)),
                GradCheck.uniform(5, -2, 2, 3, 4));
        GradCheck.check("nllLoss of logSoftmax", t -> Losses.nllLoss(Losses.logSoftmax(t[0], 1), Tensor.vector(targets)),
                GradCheck.uniform(6, -2, 2, 3, 4));
    }

    @Test
    void crossEntropyRejectsBadTargets() {
        Tensor logits = Tensor.zeros(2, 3);
        CairnException high = assertThrows(CairnException.class,
                () -> Losses.crossEntropy(logits, Tensor.vector(0, 3)));
        assertTrue(high.getMessage().contains("target 1 is class index 3")
                && high.getMessage().contains("3 classes"), high.getMessage());
        CairnException neg = assertThrows(CairnException.class,
                () -> Losses.crossEntropy(logits, Tensor.vector(-1, 0)));
        assertTrue(neg.getMessage().contains("class index -1"), neg.getMessage());
        CairnException frac = assertThrows(CairnException.class,
                () -> Losses.crossEntropy(logits, Tensor.vector(0.5f, 0)));
        assertTrue(frac.getMessage().contains("0.5") && frac.getMessage().contains("not a class index"),
                frac.getMessage());
        assertThrows(CairnException.class, () -> Losses.crossEntropy(logits, Tensor.vector(Float.NaN, 0)));
        ShapeException count = assertThrows(ShapeException.class,
                () -> Losses.crossEntropy(logits, Tensor.vector(0, 1, 2)));
        assertTrue(count.getMessage().contains("[2]"), count.getMessage());
        assertThrows(ShapeException.class, () -> Losses.crossEntropy(Tensor.zeros(2, 3, 4), Tensor.vector(0, 1)));
        assertThrows(ShapeException.class, () -> Losses.crossEntropy(logits, Tensor.zeros(2, 1)));
    }

    @Test
    void logSoftmaxValuesAndStability() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 1000, 0, -1000}, 2, 3);
        float[] ls = Losses.logSoftmax(x, 1).toFloatArray();
        assertArrayEquals(new float[] {-2.4076059644f, -1.4076059644f, -0.4076059644f, 0, -1000, -2000}, ls, 1e-5f);
        float[] sm = Losses.softmax(x, -1).toFloatArray();
        assertEquals(1, sm[0] + sm[1] + sm[2], 1e-6);
        assertEquals(1, sm[3], 0);
        // along dim 0 columns are normalised instead
        float[] col = Losses.softmax(Tensor.of(new float[] {0, 5, 0, 5}, 2, 2), 0).toFloatArray();
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, col, 1e-7f);
        Tensor s = Tensor.scalar(3f).requiresGrad(true);
        Tensor l0 = Losses.logSoftmax(s, 0);
        assertEquals(0f, l0.item(), 0f);
        l0.backward();
        assertEquals(0f, s.grad().item(), 0f);
    }

    @Test
    void logSoftmaxGradientMatchesFiniteDifferences() {
        GradCheck.check("logSoftmax dim 1", t -> Losses.logSoftmax(t[0], 1), GradCheck.uniform(7, -2, 2, 3, 4));
        GradCheck.check("logSoftmax dim 0", t -> Losses.logSoftmax(t[0], 0), GradCheck.uniform(8, -2, 2, 3, 4));
        GradCheck.check("logSoftmax 3-D dim -1", t -> Losses.logSoftmax(t[0], -1), GradCheck.uniform(9, -2, 2, 2, 2, 3));
        GradCheck.check("softmax dim 1", t -> Losses.softmax(t[0], 1), GradCheck.uniform(10, -2, 2, 2, 3));
        GradCheck.check("mseLoss", t -> Losses.mseLoss(t[0], t[1]), GradCheck.uniform(11, -2, 2, 2, 3),
                GradCheck.uniform(12, -2, 2, 2, 3));
    }
}
