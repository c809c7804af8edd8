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
