package dev.cairn.nn.optim;

import static dev.cairn.nn.LayerRefs.assertMatches;
import static dev.cairn.nn.LayerRefs.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.Parameter;
import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** AdamW and clipGradNorm against PyTorch 1.13 (layer_refs.json). */
class AdamWAndClippingTest {
    private static void runAdamW(String name, Function<List<Parameter>, Optimizer> make) {
        List<Parameter> ps = List.of(new Parameter(tensor("opt.p0")), new Parameter(tensor("opt.p1")));
        Optimizer opt = make.apply(ps);
        for (int k = 0; k < 6; k++) {
            for (int i = 0; i < 2; i++) {
                ps.get(i).setGrad(tensor("opt.g" + k + "." + i));
            }
            opt.step();
        }
        for (int i = 0; i < 2; i++) {
            assertMatches("opt." + name + ".p" + i, ps.get(i), 2e-6f);
        }
    }

    @Test
    void adamWWithDefaultsMatchesPyTorch() {
        runAdamW("adamw", ps -> new AdamW(ps, 0.01));
    }

    @Test
    void adamWWithWeightDecayAndAmsgradMatchesPyTorch() {
        runAdamW("adamw_wd_ams", ps -> new AdamW(ps, 0.02, 0.8, 0.99, 1e-6, 0.1, true));
    }

    @Test
    void adamWDefaultsAreTorchDefaults() {
        AdamW a = new AdamW(List.of(new Parameter(Tensor.zeros(2))));
        assertEquals(1e-3, a.lr());
        assertEquals(1e-2, a.weightDecay());
        assertEquals(0.9, a.beta1());
        assertEquals(0.999, a.beta2());
        assertEquals(1e-8, a.eps());
        CairnException e = assertThrows(CairnException.class,
                () -> new AdamW(List.of(new Parameter(Tensor.zeros(2))), 0.1, 1.0, 0.9, 1e-8, 0, false));
        assertTrue(e.getMessage().contains("beta parameter at index 0"), e.getMessage());
    }

    @Test
    void clipGradNormMatchesPyTorchForEveryNormType() {
        for (double normType : new double[] {2.0, 1.0, Double.POSITIVE_INFINITY, 3.0}) {
            for (double maxNorm : new double[] {1.0, 100.0}) {
                List<Parameter> ps = List.of(new Parameter(Tensor.zeros(2, 3)), new Parameter(Tensor.zeros(5)),
                        new Parameter(Tensor.zeros(1, 1)));
                for (int i = 0; i < 3; i++) {
                    ps.get(i).setGrad(tensor("clip.g" + i));
                }
                Tensor total = ClipGrad.clipGradNorm(ps, maxNorm, normType);
                String key = "clip." + (Double.isInfinite(normType) ? "inf" : String.valueOf(normType)) + "." + maxNorm;
                assertMatches(key + ".total", total, 2e-6f);
                for (int i = 0; i < 3; i++) {
                    assertMatches(key + ".g" + i, ps.get(i).grad(), 2e-6f);
                }
            }
        }
    }

    @Test
    void clipGradNormSkipsParametersWithoutGradientsAndChecksNonFinite() {
        Parameter a = new Parameter(Tensor.zeros(2));
        Parameter b = new Parameter(Tensor.zeros(2));
        assertEquals(0f, ClipGrad.clipGradNorm(List.of(a, b), 1.0).item());
        a.setGrad(Tensor.vector(3, 4));
        assertEquals(5f, ClipGrad.clipGradNorm(List.of(a, b), 1.0).item(), 1e-6f);
        assertEquals(1f, (float) Math.hypot(a.grad().toFloatArray()[0], a.grad().toFloatArray()[1]), 1e-5f);
        a.setGrad(Tensor.vector(Float.NaN, 1));
        CairnException e = assertThrows(CairnException.class,
                () -> ClipGrad.clipGradNorm(List.of(a), 1.0, 2.0, true));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertTrue(Float.isNaN(a.grad().toFloatArray()[1]) == false, "unchanged when it throws");
    }
}
