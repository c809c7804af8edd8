package dev.cairn.nn;

import static dev.cairn.nn.LayerRefs.assertMatches;
import static dev.cairn.nn.LayerRefs.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Identity, Flatten, Unflatten, Dropout, LeakyReLU, Softmax and LogSoftmax: PyTorch's repr, shapes, values, gradients. */
class SimpleModulesTest {
    @Test
    void reprEqualsPyTorch() {
        Module m = new Sequential(new Identity(), new Flatten(), new Flatten(0, 2), new Unflatten(1, 2, 3),
                new Unflatten(-1, 4), new Dropout(), new Dropout(0.2), new Dropout(1e-5), new LeakyReLU(),
                new LeakyReLU(0.1), new Softmax(-1), new LogSoftmax(1));
        assertEquals(LayerRefs.text("repr.simple"), m.toString());
    }

    @Test
    void pythonFloatRepr() {
        String[] expected = {"1e-05", "0.0001", "0.0001234", "1e+16", "1.5e+16", "123456789012345.6", "0.1", "0.5",
            "1.0", "100.0", "2.5e-07", "-0.3", "inf", "nan"};
        double[] values = {1e-5, 1e-4, 0.0001234, 1e16, 1.5e16, 123456789012345.6, 0.1, 0.5, 1.0, 100.0, 2.5e-7, -0.3,
            Double.POSITIVE_INFINITY, Double.NaN};
        for (int i = 0; i < values.length; i++) {
            assertEquals(expected[i], PyRepr.floatRepr(values[i]));
        }
    }

    @Test
    void identityReturnsItsInput() {
        Tensor x = Tensor.rand(new Generator(1), 2, 3);
        assertSame(x, new Identity().call(x));
        assertSame(x, new Identity().call(x, Tensor.zeros(1)));
    }

    @Test
    void flattenShapes() {
        Tensor x = Tensor.rand(new Generator(2), 2, 3, 4, 5);
        assertArrayEquals(new int[] {2, 60}, new Flatten().call(x).shape());
        assertArrayEquals(new int[] {24, 5}, new Flatten(0, 2).call(x).shape());
        assertArrayEquals(new int[] {2, 12, 5}, new Flatten(1, -2).call(x).shape());
        assertArrayEquals(new int[] {2, 3, 4, 5}, new Flatten(2, 2).call(x).shape());
        assertArrayEquals(new int[] {1}, new Flatten(0, -1).call(Tensor.scalar(3)).shape());
        assertArrayEquals(x.toFloatArray(), new Flatten().call(x).toFloatArray());
        ShapeException e = assertThrows(ShapeException.class, () -> new Flatten(2, 1).call(x));
        assertTrue(e.getMessage().contains("start_dim (2) cannot come after end_dim (1)"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> new Flatten(1, 7).call(x));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void unflattenShapesAndErrors() {
        Tensor x = Tensor.rand(new Generator(3), 2, 784);
        assertArrayEquals(new int[] {2, 1, 28, 28}, new Unflatten(1, 1, 28, 28).call(x).shape());
        assertArrayEquals(new int[] {2, 1, 28, 28}, new Unflatten(-1, 1, -1, 28).call(x).shape());
        assertArrayEquals(x.toFloatArray(), new Unflatten(1, 28, 28).call(x).toFloatArray());
        ShapeException e = assertThrows(ShapeException.class, () -> new Unflatten(1, 3, 28).call(x));
        assertTrue(e.getMessage().contains("(3, 28)") && e.getMessage().contains("784"), e.getMessage());
        assertThrows(ShapeException.class, () -> new Unflatten(1, -1, -1));
        assertThrows(ShapeException.class, () -> new Unflatten(1));
    }

    @Test
    void leakyReluMatchesPyTorchIncludingTheGradientAtZero() {
        for (double slope : new double[] {0.01, 0.1, -0.5, 2.0}) {
            Tensor x = tensor("act.x").requiresGrad(true);
            Tensor y = new LeakyReLU(slope).call(x);
            assertMatches("leaky." + slope + ".out", y, 1e-6f);
            y.mul(tensor("act.upstream")).sum().backward();
            assertMatches("leaky." + slope + ".grad", x.grad(), 1e-6f);
        }
    }

    @Test
    void softmaxModulesUseTheirDim() {
        Tensor x = Tensor.rand(new Generator(4), 3, 5);
        assertArrayEquals(Losses.softmax(x, 0).toFloatArray(), new Softmax(0).call(x).toFloatArray());
        assertArrayEquals(Losses.logSoftmax(x, -1).toFloatArray(), new LogSoftmax(-1).call(x).toFloatArray());
    }

    @Test
    void dropoutInEvalModeAndWithZeroIsTheIdentity() {
        Tensor x = Tensor.rand(new Generator(5), 4, 4);
        Dropout d = new Dropout(0.5);
        d.eval();
        assertSame(x, d.call(x));
        assertSame(x, new Dropout(0).call(x));
    }

    @Test
    void dropoutWithOneZeroesEverythingAndItsGradient() {
        Tensor x = Tensor.rand(new Generator(6), 3, 3).requiresGrad(true);
        Tensor y = new Dropout(1).call(x);
        assertArrayEquals(new float[9], y.toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[9], x.grad().toFloatArray());
    }

    @Test
    void dropoutKeepsScaledElementsAndItsGradientIsTheMask() {
        double p = 0.3;
        Tensor x = Tensor.rand(new Generator(7), 100, 100).add(0.5f).requiresGrad(true);
        Tensor y = new Dropout(p, new Generator(42)).call(x);
        float scale = 1f / (float) (1 - p);
        float[] xs = x.toFloatArray();
        float[] ys = y.toFloatArray();
        int kept = 0;
        for (int i = 0; i < xs.length; i++) {
            if (ys[i] != 0) {
                kept++;
                assertEquals(xs[i] * scale, ys[i], 1e-6f * ys[i]);
            }
        }
        // 10000 Bernoulli(0.7) draws: mean 7000, standard deviation about 46; 6 sigma either way
        assertTrue(Math.abs(kept - 7000) < 280, "kept " + kept + " of 10000");
        y.sum().backward();
        float[] g = x.grad().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals(ys[i] != 0 ? scale : 0f, g[i], 1e-6f);
        }
    }

    @Test
    void dropoutIsReproducibleWithASeededGenerator() {
        Tensor x = Tensor.ones(8, 8);
        float[] a = new Dropout(0.5, new Generator(9)).call(x).toFloatArray();
        float[] b = new Dropout(0.5, new Generator(9)).call(x).toFloatArray();
        float[] c = new Dropout(0.5, new Generator(10)).call(x).toFloatArray();
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    }

    @Test
    void dropoutRejectsProbabilitiesOutsideZeroOne() {
        CairnException e = assertThrows(CairnException.class, () -> new Dropout(1.5));
        assertTrue(e.getMessage().contains("between 0 and 1, but got 1.5"), e.getMessage());
        assertThrows(CairnException.class, () -> new Dropout(Double.NaN));
    }
}
