package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.DType;

import static dev.cairn.tensor.TensorAsserts.assertClose;
import static dev.cairn.tensor.TensorAsserts.assertThrowsWith;
import static dev.cairn.tensor.TensorAsserts.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.F;
import org.junit.jupiter.api.Test;

/**
 * The fused primitives' contracts beyond PyTorch's values (those are in OpReferenceTest): strided and dense
 * inputs give the same result, errors name the op, shapes and dtype, integer inputs take PyTorch's dtypes.
 * Runs with the Vector API and again in the plain-Java execution.
 */
class FusedOpsTest {
    @Test
    void softmaxOfAStridedViewEqualsSoftmaxOfItsContiguousCopy() {
        Tensor q = Tensor.of(random(1, 2 * 40 * 24), 2, 40, 24);
        Tensor k = Tensor.of(random(2, 2 * 33 * 24), 2, 33, 24);
        Tensor scores = q.matmul(k.transpose(1, 2)).transpose(1, 2); // rows along dim -1 are strided
        assertTrue(!scores.isContiguous());
        for (int dim : new int[] {-1, 1, 0}) {
            assertClose(scores.contiguous().softmax(dim).toFloatArray(), scores.softmax(dim).toFloatArray(), 1e-6f);
            assertClose(scores.contiguous().logSoftmax(dim).toFloatArray(), scores.logSoftmax(dim).toFloatArray(),
                    1e-5f);
        }
    }

    @Test
    void softmaxRowsSumToOneAndMaskedRowsAreNaN() {
        Tensor x = Tensor.of(random(3, 4 * 50), 4, 50).mul(30f);
        float[] y = x.softmax(1).toFloatArray();
        for (int r = 0; r < 4; r++) {
            double s = 0;
            for (int j = 0; j < 50; j++) {
                s += y[r * 50 + j];
            }
            assertEquals(1.0, s, 1e-5);
        }
        float[] masked = Tensor.full(Float.NEGATIVE_INFINITY, 2, 20).softmax(-1).toFloatArray();
        for (float v : masked) {
            assertTrue(Float.isNaN(v), "a row of only -inf gives NaN, as in PyTorch");
        }
    }

    @Test
    void softmaxOfIntegersComputesInFloat() {
        Tensor y = Tensor.of(new long[] {1, 2, 3}, 3).softmax(0);
        assertEquals(DType.FLOAT32, y.dtype());
        assertClose(Tensor.vector(1f, 2f, 3f).softmax(0).toFloatArray(), y.toFloatArray(), 0f);
    }

    @Test
    void layerNormMatchesItsDefinitionOnAStridedInput() {
        Tensor x = Tensor.of(random(4, 6 * 37), 37, 6).t().add(100f); // [6, 37], rows strided, a large offset
        Tensor w = Tensor.of(random(5, 37), 37);
        Tensor b = Tensor.of(random(6, 37), 37);
        Tensor centered = x.sub(x.mean(-1, true));
        Tensor expected = centered.div(centered.mul(centered).mean(-1, true).add(1e-5f).sqrt()).mul(w).add(b);
        assertClose(expected.toFloatArray(), F.layerNorm(x, 1, w, b, 1e-5f).toFloatArray(), 2e-4f);
    }

    @Test
    void layerNormErrorsNameTheShapesAndDtype() {
        Tensor x = Tensor.zeros(2, 3, 4);
        assertThrowsWith(ShapeException.class, () -> x.layerNorm(new int[] {3}, null, null, 1e-5f),
                "layerNorm", "[3]", "[2, 3, 4]");
        assertThrowsWith(ShapeException.class, () -> x.layerNorm(new int[] {4}, Tensor.ones(3), null, 1e-5f),
                "layerNorm", "weight", "[4]", "[3]");
        assertThrowsWith(CairnException.class,
                () -> Tensor.of(new long[] {1, 2}, 1, 2).layerNorm(new int[] {2}, null, null, 1e-5f),
                "layerNorm", "int64", "to(DType.FLOAT32)");
    }

    @Test
    void batchNormErrorsNameTheShapesAndModes() {
        Tensor x = Tensor.zeros(2, 3, 4);
        assertThrowsWith(ShapeException.class, () -> Tensor.batchNorm(Tensor.zeros(3), null, null, null, null, true,
                0.1, 1e-5), "batchNorm", "rank 2", "[3]");
        assertThrowsWith(ShapeException.class, () -> Tensor.batchNorm(x, null, null, Tensor.ones(4), null, true,
                0.1, 1e-5), "batchNorm", "weight", "[3]", "[4]", "[2, 3, 4]");
        assertThrowsWith(ShapeException.class, () -> Tensor.batchNorm(x, Tensor.zeros(2), Tensor.ones(3), null, null,
                false, 0.1, 1e-5), "batchNorm", "running_mean", "[3]", "[2]");
        assertThrowsWith(CairnException.class, () -> Tensor.batchNorm(x, Tensor.zeros(3), null, null, null, false,
                0.1, 1e-5), "batchNorm", "running_var", "evaluation mode", "training = true");
        assertThrowsWith(ShapeException.class, () -> Tensor.batchNorm(Tensor.zeros(1, 3, 1), null, null, null, null,
                true, 0.1, 1e-5), "batchNorm", "more than 1 value per channel", "[1, 3, 1]");
        assertThrowsWith(CairnException.class, () -> Tensor.batchNorm(Tensor.of(new long[] {1, 2}, 1, 2), null, null,
                null, null, true, 0.1, 1e-5), "batchNorm", "int64", "to(DType.FLOAT32)");
    }

    @Test
    void batchNormOfStridedViewsEqualsBatchNormOfTheirContiguousCopies() {
        // [N, C] with 37 channels (blocks of channels and a tail), [N, C, H, W] with spatial runs of 35
        Tensor[] inputs = {Tensor.of(random(5, 37 * 9), 37, 9).t(),
            Tensor.of(random(6, 3 * 5 * 7 * 4), 3, 5, 7, 4).permute(0, 3, 1, 2)};
        for (Tensor v : inputs) {
            assertTrue(!v.isContiguous());
            int c = v.shape()[1];
            for (boolean training : new boolean[] {true, false}) {
                Tensor[] stats = new Tensor[4];
                float[][] grads = new float[4][];
                float[][] outs = new float[2][];
                for (int k = 0; k < 2; k++) {
                    Tensor x = (k == 0 ? v : v.contiguous()).detach().requiresGrad(true);
                    Tensor w = Tensor.of(random(7, c), c).requiresGrad(true);
                    Tensor b = Tensor.of(random(8, c), c).requiresGrad(true);
                    stats[2 * k] = Tensor.of(random(9, c), c);
                    stats[2 * k + 1] = Tensor.of(random(10, c), c).abs().add(0.5f);
                    Tensor y = Tensor.batchNorm(x, stats[2 * k], stats[2 * k + 1], w, b, training, 0.1, 1e-5);
                    y.backward(Tensor.of(random(11, y.numel()), y.shape()));
                    outs[k] = y.toFloatArray();
                    grads[2 * k] = x.grad().toFloatArray();
                    grads[2 * k + 1] = w.grad().toFloatArray();
                }
                assertClose(outs[1], outs[0], 1e-5f);
                assertClose(grads[2], grads[0], 1e-5f);
                assertClose(grads[3], grads[1], 1e-4f);
                assertClose(stats[2].toFloatArray(), stats[0].toFloatArray(), 1e-6f);
                assertClose(stats[3].toFloatArray(), stats[1].toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void batchNormInTrainingNormalisesEachChannelDespiteALargeOffset() {
        // values near 100 with a spread of 0.01: a one-pass variance (E[x^2] - E[x]^2 in float) would lose them
        // (the float mean itself is only good to ~7e-4 of the spread); [N, C, S] with short runs, long runs, and
        // [N, C] (20 channels)
        int[][] shapes = {{8, 20, 3}, {4, 3, 40}, {24, 20, 1}};
        for (int[] sh : shapes) {
            int n = sh[0];
            int c = sh[1];
            int sp = sh[2];
            Tensor x = Tensor.of(random(12, n * c * sp), sh).mul(0.01f).add(100f);
            float[] y = Tensor.batchNorm(x, null, null, null, null, true, 0.1, 0.0).toFloatArray();
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                double q = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < sp; j++) {
                        double v = y[(i * c + ch) * sp + j];
                        s += v;
                        q += v * v;
                    }
                }
                int m = n * sp;
                assertEquals(0.0, s / m, 2e-3, "mean of channel " + ch + " of " + java.util.Arrays.toString(sh));
                assertEquals(1.0, q / m, 1e-2, "variance of channel " + ch + " of " + java.util.Arrays.toString(sh));
            }
        }
    }

    @Test
    void cumsumOfIntegersIsExactInt64AndItsGradientIsTheReversedSum() {
        long big = (1L << 53) + 1;
        Tensor c = Tensor.of(new long[] {big, 1, 1}, 3).cumsum(0);
        assertEquals(DType.INT64, c.dtype());
        assertArrayEquals(new long[] {big, big + 1, big + 2}, c.toLongArray());
        assertArrayEquals(new long[] {1, 1, 2}, Tensor.of(new boolean[] {true, false, true}, 3).cumsum(0).toLongArray());
        Tensor x = Tensor.vector(1f, 2f, 3f, 4f).requiresGrad(true);
        x.cumsum(0).backward(Tensor.vector(1f, 10f, 100f, 1000f));
        assertClose(new float[] {1111f, 1110f, 1100f, 1000f}, x.grad().toFloatArray(), 0f);
    }

    @Test
    void prodOfIntegersIsInt64AndAnEmptyProductIsOne() {
        Tensor p = Tensor.of(new int[] {3, -4, 5}, 3).prod();
        assertEquals(DType.INT64, p.dtype());
        assertEquals(-60L, p.toLongArray()[0]);
        assertClose(new float[] {1f, 1f}, Tensor.zeros(0, 2).prod(0, false).toFloatArray(), 0f);
        assertClose(new float[] {1f}, Tensor.zeros(0).prod().toFloatArray(), 0f);
    }
}
