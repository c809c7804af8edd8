package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@link Init}: values and statistics of each function, seeding, fans, gains and errors. */
class InitTest {
    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(float[] v) {
        double m = mean(v);
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static Parameter param(int... shape) {
        return new Parameter(Tensor.zeros(shape));
    }

    @Test
    void constantsFillInPlaceAndReturnTheSameParameter() {
        Parameter p = param(3, 4);
        assertSame(p, Init.ones(p));
        assertArrayEquals(new float[12], Init.zeros(p).toFloatArray());
        Init.ones(p);
        for (float x : p.toFloatArray()) {
            assertEquals(1f, x);
        }
        Init.constant(p, 42f);
        for (float x : p.toFloatArray()) {
            assertEquals(42f, x);
        }
        assertArrayEquals(new int[] {3, 4}, p.shape());
        // still a trainable leaf, nothing recorded
        assertTrue(p.requiresGrad());
        assertTrue(p.isLeaf());
        assertNull(p.gradFn());
        // works on a 0-dim and a 1-dim tensor too
        assertEquals(7f, Init.constant(Tensor.scalar(0f), 7f).item());
        assertArrayEquals(new float[] {1, 1}, Init.ones(Tensor.zeros(2)).toFloatArray());
    }

    @Test
    void normalHasTheRequestedMeanAndStdAndIsSeeded() {
        Parameter p = Init.normal(param(200, 300), 2f, 0.5f, new Generator(1));
        float[] v = p.toFloatArray();
        assertEquals(2.0, mean(v), 0.01);
        assertEquals(0.5, std(v), 0.01);
        Parameter q = Init.normal(param(200, 300), 2f, 0.5f, new Generator(1));
        assertArrayEquals(v, q.toFloatArray());
        assertFalse(java.util.Arrays.equals(v, Init.normal(param(200, 300), 2f, 0.5f, new Generator(2)).toFloatArray()));
        // std 0 gives the mean exactly
        for (float x : Init.normal(param(4, 4), 3f, 0f).toFloatArray()) {
            assertEquals(3f, x);
        }
    }

    @Test
    void overloadsWithoutAGeneratorUseTheSeededGlobalOne() {
        Generator.manualSeed(123);
        float[] a = Init.uniform(param(5, 7), -1f, 1f).toFloatArray();
        float[] b = Init.uniform(param(5, 7), -1f, 1f, new Generator(123)).toFloatArray();
        assertArrayEquals(b, a);
        Generator.manualSeed(9);
        float[] c = Init.xavierNormal(param(6, 3)).toFloatArray();
        assertArrayEquals(Init.xavierNormal(param(6, 3), 1f, new Generator(9)).toFloatArray(), c);
        Generator.manualSeed(9);
        float[] d = Init.kaimingUniform(param(6, 3)).toFloatArray();
        assertArrayEquals(Init.kaimingUniform(param(6, 3), 0f, "fan_in", "leaky_relu", new Generator(9)).toFloatArray(), d);
    }

    @Test
    void uniformStaysInItsRangeWithTheRightMoments() {
        float[] v = Init.uniform(param(200, 300), -10f, 10f, new Generator(3)).toFloatArray();
        for (float x : v) {
            assertTrue(x >= -10f && x < 10f, "value " + x);
        }
        assertEquals(0.0, mean(v), 0.1);
        assertEquals(20 / Math.sqrt(12), std(v), 0.05);
        assertTrue(maxAbs(v) > 9.9);
    }

    @Test
    void xavierUniformBoundIsGainTimesSqrtSixOverFanSum() {
        // [out=64, in=32]: fan_in 32, fan_out 64
        for (float gain : new float[] {1f, (float) Math.sqrt(2)}) {
            float[] v = Init.xavierUniform(param(64, 32), gain, new Generator(4)).toFloatArray();
            double bound = gain * Math.sqrt(6.0 / (32 + 64));
            assertTrue(maxAbs(v) <= bound + 1e-6, "max " + maxAbs(v) + " > bound " + bound);
            assertTrue(maxAbs(v) > 0.98 * bound);
            assertEquals(bound / Math.sqrt(3), std(v), 0.03 * bound);
        }
    }

    @Test
    void xavierNormalStdIsGainTimesSqrtTwoOverFanSum() {
        float[] v = Init.xavierNormal(param(300, 200), 2f, new Generator(5)).toFloatArray();
        assertEquals(2 * Math.sqrt(2.0 / 500), std(v), 0.002);
        assertEquals(0.0, mean(v), 0.002);
    }

    @Test
    void kaimingNormalStdIsGainOverSqrtFan() {
        // relu, fan_in = 128: std = sqrt(2)/sqrt(128) = 0.125
        float[] v = Init.kaimingNormal(param(256, 128), 0f, "fan_in", "relu", new Generator(6)).toFloatArray();
        assertEquals(0.125, std(v), 0.002);
        assertEquals(0.0, mean(v), 0.002);
        // fan_out = 256
        float[] w = Init.kaimingNormal(param(256, 128), 0f, "fan_out", "relu", new Generator(6)).toFloatArray();
        assertEquals(Math.sqrt(2.0 / 256), std(w), 0.002);
        // PyTorch's default: leaky_relu with a = 0, i.e. gain sqrt(2)
        float[] d = Init.kaimingNormal(param(256, 128), 0f, "fan_in", "leaky_relu", new Generator(6)).toFloatArray();
        assertArrayEquals(v, d, 1e-6f);
    }

    @Test
    void kaimingUniformBoundUsesTheLeakyReluSlope() {
        float a = 0.2f;
        float[] v = Init.kaimingUniform(param(100, 50), a, "fan_in", "leaky_relu", new Generator(7)).toFloatArray();
        double bound = Math.sqrt(2.0 / (1 + a * a)) * Math.sqrt(3.0 / 50);
        assertTrue(maxAbs(v) <= bound + 1e-6);
        assertTrue(maxAbs(v) > 0.98 * bound);
        // tanh, fan_out
        float[] t = Init.kaimingUniform(param(100, 50), 0f, "fan_out", "tanh", new Generator(7)).toFloatArray();
        double tb = (5.0 / 3) * Math.sqrt(3.0 / 100);
        assertTrue(maxAbs(t) <= tb + 1e-6 && maxAbs(t) > 0.98 * tb);
    }

    @Test
    void fansFollowPyTorchIncludingTheReceptiveField() {
        assertEquals(32, Init.fanIn(Tensor.zeros(64, 32)));
        assertEquals(64, Init.fanOut(Tensor.zeros(64, 32)));
        // a conv weight [out=16, in=8, 3, 3]: receptive field 9
        assertEquals(72, Init.fanIn(Tensor.zeros(16, 8, 3, 3)));
        assertEquals(144, Init.fanOut(Tensor.zeros(16, 8, 3, 3)));
        float[] v = Init.xavierUniform(param(16, 8, 3, 3), 1f, new Generator(8)).toFloatArray();
        assertTrue(maxAbs(v) <= Math.sqrt(6.0 / (72 + 144)) + 1e-6);
    }

    @Test
    void fewerThanTwoDimensionsIsAnErrorNamingTheShape() {
        ShapeException e = assertThrows(ShapeException.class, () -> Init.xavierUniform(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("fewer than 2 dimensions"), e.getMessage());
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Init.kaimingNormal(Tensor.scalar(1f)));
        assertTrue(e.getMessage().contains("[]"), e.getMessage());
        assertThrows(ShapeException.class, () -> Init.fanIn(Tensor.zeros(3)));
    }

    @Test
    void gainTableMatchesPyTorch() {
        assertEquals(1.0, Init.calculateGain("linear"));
        assertEquals(1.0, Init.calculateGain("conv2d"));
        assertEquals(1.0, Init.calculateGain("sigmoid"));
        assertEquals(5.0 / 3, Init.calculateGain("tanh"), 1e-12);
        assertEquals(Math.sqrt(2), Init.calculateGain("relu"), 1e-12);
        // torch.nn.init.calculate_gain('leaky_relu') == 1.4141428569978354
        assertEquals(1.4141428569978354, Init.calculateGain("leaky_relu"), 1e-12);
        double slope = 0.2f;
        assertEquals(Math.sqrt(2.0 / (1 + slope * slope)), Init.calculateGain("leaky_relu", 0.2f), 1e-12);
        assertEquals(Math.sqrt(2), Init.calculateGain("leaky_relu", 0f), 1e-12);
        assertEquals(0.75, Init.calculateGain("selu"));
        CairnException e = assertThrows(CairnException.class, () -> Init.calculateGain("gelu"));
        assertTrue(e.getMessage().contains("gelu") && e.getMessage().contains("leaky_relu"), e.getMessage());
    }

    @Test
    void badArgumentsAreClearErrors() {
        assertTrue(assertThrows(CairnException.class, () -> Init.kaimingUniform(param(3, 3), 0f, "fan_avg", "relu"))
                .getMessage().contains("fan_avg"));
        assertTrue(assertThrows(CairnException.class, () -> Init.normal(param(3, 3), 0f, -1f))
                .getMessage().contains("std"));
        assertTrue(assertThrows(CairnException.class, () -> Init.uniform(param(3, 3), 1f, -1f))
                .getMessage().contains("a=1.0, b=-1.0"));
        assertThrows(NullPointerException.class, () -> Init.zeros((Tensor) null));
    }

    @Test
    void zeroElementTensorsAreLeftAlone() {
        Parameter p = param(0, 4);
        assertSame(p, Init.kaimingUniform(p));
        assertSame(p, Init.normal(p, 0f, 1f));
        assertEquals(0, p.numel());
    }

    @Test
    void anUninitialisedLazyParameterGivesTheDeferredInitialisationError() {
        LazyLinear lazy = new LazyLinear(3);
        CairnException e = assertThrows(CairnException.class, () -> Init.normal(lazy.weight, 0f, 1f));
        assertEquals("LazyLinear(out_features=3) has not been initialised yet: run a forward pass first"
                + " (D2L's deferred initialisation)", e.getMessage());
        assertThrows(CairnException.class, () -> Init.zeros(lazy.bias));
    }
}
