package dev.cairn.nn;

import static dev.cairn.nn.LayerRefs.assertMatches;
import static dev.cairn.nn.LayerRefs.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** l1Loss, smoothL1Loss and binaryCrossEntropyWithLogits against PyTorch 1.13 (values and input gradients). */
class LossReductionsTest {
    private static final float TOL = 2e-6f;

    private static String key(Reduction r) {
        return r.name().toLowerCase(Locale.ROOT);
    }

    @Test
    void l1LossMatchesPyTorchForEveryReduction() {
        for (Reduction r : Reduction.values()) {
            Tensor x = tensor("loss.x").requiresGrad(true);
            Tensor y = Losses.l1Loss(x, tensor("loss.t"), r);
            assertMatches("l1." + key(r) + ".out", y, TOL);
            y.sum().backward();
            assertMatches("l1." + key(r) + ".grad", x.grad(), TOL);
        }
    }

    @Test
    void smoothL1LossMatchesPyTorchForEveryBetaAndReduction() {
        for (double beta : new double[] {1.0, 0.5, 0.0, 2.5}) {
            for (Reduction r : Reduction.values()) {
                Tensor x = tensor("loss.x").requiresGrad(true);
                Tensor y = Losses.smoothL1Loss(x, tensor("loss.t"), beta, r);
                String k = "smoothl1." + beta + "." + key(r);
                assertMatches(k + ".out", y, TOL);
                y.sum().backward();
                assertMatches(k + ".grad", x.grad(), TOL);
            }
        }
    }

    @Test
    void smoothL1LossIsFiniteForInfiniteDifferences() {
        Tensor y = Losses.smoothL1Loss(Tensor.vector(Float.POSITIVE_INFINITY, 0), Tensor.vector(0, 0), 1.0, Reduction.NONE);
        assertEquals(Float.POSITIVE_INFINITY, y.toFloatArray()[0]);
        assertEquals(0f, y.toFloatArray()[1]);
    }

    @Test
    void bceWithLogitsMatchesPyTorchWithWeightsAndPosWeights() {
        for (Reduction r : Reduction.values()) {
            for (String variant : new String[] {"plain", "weight", "pos", "both"}) {
                Tensor logits = tensor("bce.logits").requiresGrad(true);
                Tensor w = variant.equals("weight") || variant.equals("both") ? tensor("bce.weight") : null;
                Tensor pw = variant.equals("pos") || variant.equals("both") ? tensor("bce.pos_weight") : null;
                Tensor y = Losses.binaryCrossEntropyWithLogits(logits, tensor("bce.target"), w, pw, r);
                String k = "bce." + variant + "." + key(r);
                assertMatches(k + ".out", y, TOL);
                y.sum().backward();
                assertMatches(k + ".grad", logits.grad(), TOL);
            }
        }
    }

    @Test
    void bceWithLogitsDefaultsToTheMean() {
        Tensor y = Losses.binaryCrossEntropyWithLogits(tensor("bce.logits"), tensor("bce.target"));
        assertMatches("bce.plain.mean.out", y, TOL);
    }

    @Test
    void lossesRejectMismatchedShapesAndBadBeta() {
        ShapeException e = assertThrows(ShapeException.class, () -> Losses.l1Loss(Tensor.zeros(3, 1), Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("l1Loss") && e.getMessage().contains("[3, 1]"), e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> Losses.binaryCrossEntropyWithLogits(Tensor.zeros(2, 2), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("target size [4] must be the same as input size [2, 2]"), e.getMessage());
        CairnException b = assertThrows(CairnException.class,
                () -> Losses.smoothL1Loss(Tensor.zeros(2), Tensor.zeros(2), -1, Reduction.MEAN));
        assertTrue(b.getMessage().contains("beta"), b.getMessage());
    }
}
