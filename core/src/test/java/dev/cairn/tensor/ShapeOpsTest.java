package dev.cairn.tensor;

import static dev.cairn.tensor.TensorAsserts.assertShape;
import static dev.cairn.tensor.TensorAsserts.assertTensor;
import static dev.cairn.tensor.TensorAsserts.assertThrowsWith;
import static dev.cairn.tensor.TensorAsserts.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShapeOpsTest {

    /** [[0, 1, 2], [3, 4, 5]] */
    private static Tensor m23() {
        return Tensor.of(iota(6), 2, 3);
    }

    // ---- reshape / view / flatten ---------------------------------------------------------

    @Test
    void reshapeInfersMinusOne() {
        Tensor t = Tensor.of(iota(24), 2, 3, 4);
        assertTensor(iota(24), new int[] {6, 4}, t.reshape(-1, 4));
        assertTensor(iota(24), new int[] {2, 12}, t.reshape(2, -1));
        assertTensor(iota(24), new int[] {24}, t.reshape(-1));
        assertTensor(iota(24), new int[] {4, 3, 2}, t.view(4, -1, 2));
        assertTensor(new float[] {5}, new int[0], Tensor.vector(5).reshape());
        assertTensor(new float[] {5}, new int[] {1, 1}, Tensor.scalar(5).reshape(1, -1));
    }

    @Test
    void reshapeErrorsNameTheShapes() {
        Tensor t = m23();
        assertThrowsWith(ShapeException.class, () -> t.reshape(4, -1), "[4, -1]", "[2, 3]");
        assertThrowsWith(ShapeException.class, () -> t.reshape(5), "[5]", "[2, 3]");
        assertThrowsWith(ShapeException.class, () -> t.reshape(-1, -1), "-1");
        assertThrowsWith(ShapeException.class, () -> t.view(-2, 3), "-2");
    }

    @Test
    void reshapeOfContiguousIsAViewSharingMemory() {
        Tensor base = Tensor.zeros(6);
        Tensor v = base.reshape(2, 3);
        base.copyFrom(Tensor.arange(6));
        assertTensor(iota(6), new int[] {2, 3}, v);
    }

    @Test
    void reshapeOfNonContiguousCopiesInLogicalOrder() {
        Tensor t = m23().t(); // [[0, 3], [1, 4], [2, 5]]
        Tensor r = t.reshape(6);
        assertTensor(new float[] {0, 3, 1, 4, 2, 5}, new int[] {6}, r);
        assertTrue(r.isContiguous());
        assertTensor(new float[] {0, 3, 1, 4, 2, 5}, new int[] {6}, t.flatten());
    }

    @Test
    void viewOfNonContiguousIsAnError() {
        Tensor t = m23().t();
        assertThrowsWith(ShapeException.class, () -> t.view(6), "non-contiguous", "[3, 2]", "reshape");
        Tensor e = Tensor.vector(1, 2).unsqueeze(0).expand(3, 2);
        assertThrowsWith(ShapeException.class, () -> e.view(6), "non-contiguous");
    }

    @Test
    void flatten() {
        assertTensor(iota(24), new int[] {24}, Tensor.of(iota(24), 2, 3, 4).flatten());
        assertTensor(new float[] {3}, new int[] {1}, Tensor.scalar(3).flatten());
        assertTensor(new float[0], new int[] {0}, Tensor.zeros(0, 5).flatten());
    }

    /** PyTorch treats every tensor with no elements as contiguous, whatever its shape. */
    @Test
    void emptyTensorsWithAZeroSizedInnerDimensionAreContiguous() {
        Tensor t = Tensor.zeros(2, 0);
        assertTrue(t.isContiguous(), "zeros(2, 0) is dense");
        assertTensor(new float[0], new int[] {0}, t.flatten());
        assertTensor(new float[0], new int[] {0, 2}, t.view(0, 2));
        assertTensor(new float[0], new int[] {3, 0, 4}, Tensor.zeros(3, 0, 4).reshape(3, 0, 4));
    }

    // ---- transpose / t / permute ----------------------------------------------------------

    @Test
    void transposeIsAStridedView() {
        Tensor a = m23();
        Tensor t = a.t();
        assertShape(new int[] {3, 2}, t);
        assertArrayEquals(new int[] {1, 3}, t.strides());
        assertFalse(t.isContiguous());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.toFloatArray());
        assertArrayEquals(a.t().strides(), a.transpose(0, 1).strides());
        assertArrayEquals(new int[] {1, 3}, a.transpose(-1, -2).strides());
        assertArrayEquals(new int[] {3, 1}, t.t().strides());
        assertTrue(t.t().isContiguous());
    }

    @Test
    void transposeSharesMemory() {
        Tensor base = Tensor.zeros(2, 3);
        Tensor t = base.transpose(0, 1);
        base.copyFrom(m23());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.toFloatArray());
    }

    @Test
    void transposeOf3d() {
        Tensor a = Tensor.of(iota(24), 2, 3, 4);
        Tensor t = a.transpose(0, -1); // [4, 3, 2]
        assertShape(new int[] {4, 3, 2}, t);
        assertArrayEquals(new int[] {1, 4, 12}, t.strides());
        float[] expected = new float[24];
        int o = 0;
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < 3; j++) {
                for (int i = 0; i < 2; i++) {
                    expected[o++] = i * 12 + j * 4 + k;
                }
            }
        }
        assertArrayEquals(expected, t.toFloatArray());
    }

    @Test
    void tOfLowRankReturnsItselfAndOf3dIsAnError() {
        Tensor v = Tensor.vector(1, 2, 3);
        assertSame(v, v.t());
        Tensor s = Tensor.scalar(1);
        assertSame(s, s.t());
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 3, 4).t(), "[2, 3, 4]");
    }

    @Test
    void permuteIsAStridedView() {
        Tensor a = Tensor.of(iota(24), 2, 3, 4);
        Tensor p = a.permute(2, 0, 1);
        assertShape(new int[] {4, 2, 3}, p);
        assertArrayEquals(new int[] {1, 12, 4}, p.strides());
        float[] expected = new float[24];
        int o = 0;
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    expected[o++] = i * 12 + j * 4 + k;
                }
            }
        }
        assertArrayEquals(expected, p.toFloatArray());
        assertArrayEquals(p.strides(), a.permute(-1, -3, -2).strides());
        assertArrayEquals(iota(24), p.permute(1, 2, 0).toFloatArray());
    }

    @Test
    void permuteErrors() {
        Tensor a = Tensor.zeros(2, 3, 4);
        assertThrowsWith(ShapeException.class, () -> a.permute(0, 1), "[0, 1]", "[2, 3, 4]");
        assertThrowsWith(ShapeException.class, () -> a.permute(0, 1, 1), "repeat");
        assertThrowsWith(ShapeException.class, () -> a.permute(0, 1, 3), "dimension 3", "rank 3");
    }

    // ---- expand ---------------------------------------------------------------------------

    @Test
    void expandUsesStrideZero() {
        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor e = col.expand(3, 4);
        assertShape(new int[] {3, 4}, e);
        assertArrayEquals(new int[] {1, 0}, e.strides());
        assertArrayEquals(new float[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, e.toFloatArray());

        Tensor e2 = col.expand(2, -1, 2);
        assertShape(new int[] {2, 3, 2}, e2);
        assertArrayEquals(new int[] {0, 1, 0}, e2.strides());
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, e2.toFloatArray());

        Tensor s = Tensor.scalar(7).expand(2, 2);
        assertArrayEquals(new int[] {0, 0}, s.strides());
        assertArrayEquals(new float[] {7, 7, 7, 7}, s.toFloatArray());

        assertTensor(new float[0], new int[] {3, 0}, col.expand(3, 0));
    }

    @Test
    void expandSharesMemory() {
        Tensor base = Tensor.zeros(1, 2);
        Tensor e = base.expand(3, 2);
        base.copyFrom(Tensor.vector(5, 6));
        assertArrayEquals(new float[] {5, 6, 5, 6, 5, 6}, e.toFloatArray());
    }

    @Test
    void expandErrors() {
        Tensor a = Tensor.zeros(3, 2);
        assertThrowsWith(ShapeException.class, () -> a.expand(3, 4), "[3, 2]", "[3, 4]");
        assertThrowsWith(ShapeException.class, () -> a.expand(2), "[2]", "[3, 2]");
        assertThrowsWith(ShapeException.class, () -> a.expand(-1, 3, 2), "-1");
    }

    // ---- squeeze / unsqueeze --------------------------------------------------------------

    @Test
    void squeeze() {
        Tensor a = Tensor.of(iota(6), 1, 3, 1, 2);
        assertTensor(iota(6), new int[] {3, 2}, a.squeeze());
        assertTensor(iota(6), new int[] {3, 1, 2}, a.squeeze(0));
        assertTensor(iota(6), new int[] {1, 3, 2}, a.squeeze(-2));
        assertTensor(iota(6), new int[] {1, 3, 1, 2}, a.squeeze(1));
        assertTensor(new float[] {4}, new int[0], Tensor.of(new float[] {4}, 1, 1).squeeze());
        assertTensor(new float[] {4}, new int[0], Tensor.scalar(4).squeeze(0));
        assertTensor(new float[] {4}, new int[0], Tensor.scalar(4).squeeze(-1));
    }

    @Test
    void squeezeKeepsStridesOfNonContiguousViews() {
        Tensor t = Tensor.of(iota(6), 2, 1, 3).permute(2, 1, 0); // [3, 1, 2]
        Tensor s = t.squeeze(1);
        assertShape(new int[] {3, 2}, s);
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, s.toFloatArray());
    }

    @Test
    void unsqueeze() {
        Tensor a = m23();
        assertTensor(iota(6), new int[] {1, 2, 3}, a.unsqueeze(0));
        assertTensor(iota(6), new int[] {2, 1, 3}, a.unsqueeze(1));
        assertTensor(iota(6), new int[] {2, 3, 1}, a.unsqueeze(2));
        assertTensor(iota(6), new int[] {2, 3, 1}, a.unsqueeze(-1));
        assertTensor(iota(6), new int[] {2, 1, 3}, a.unsqueeze(-2));
        assertTensor(iota(6), new int[] {1, 2, 3}, a.unsqueeze(-3));
        assertTensor(new float[] {9}, new int[] {1}, Tensor.scalar(9).unsqueeze(0));
        assertTensor(new float[] {9}, new int[] {1}, Tensor.scalar(9).unsqueeze(-1));
        // unsqueeze of a transposed view keeps reading it in logical order
        assertTensor(new float[] {0, 3, 1, 4, 2, 5}, new int[] {3, 1, 2}, a.t().unsqueeze(1));
    }

    // ---- contiguous -----------------------------------------------------------------------

    @Test
    void contiguous() {
        Tensor a = m23();
        assertSame(a, a.contiguous());
        Tensor c = a.t().contiguous();
        assertTrue(c.isContiguous());
        assertArrayEquals(new int[] {2, 1}, c.strides());
        assertTensor(new float[] {0, 3, 1, 4, 2, 5}, new int[] {3, 2}, c);
        Tensor e = Tensor.vector(1, 2).expand(2, 2).contiguous();
        assertArrayEquals(new int[] {2, 1}, e.strides());
        assertArrayEquals(new float[] {1, 2, 1, 2}, e.toFloatArray());
    }

    @Test
    void copyDoesNotShareMemory() {
        Tensor a = Tensor.zeros(3);
        Tensor c = a.copy();
        a.copyFrom(Tensor.vector(1, 2, 3));
        assertArrayEquals(new float[3], c.toFloatArray());
    }

    // ---- dimension errors -----------------------------------------------------------------

    @Test
    void outOfRangeDimensionsNameTheDimAndRank() {
        Tensor a = m23();
        assertThrowsWith(ShapeException.class, () -> a.transpose(0, 2), "dimension 2", "rank 2", "[-2, 1]");
        assertThrowsWith(ShapeException.class, () -> a.transpose(-3, 0), "dimension -3", "rank 2");
        assertThrowsWith(ShapeException.class, () -> a.size(2), "dimension 2", "rank 2");
        assertThrowsWith(ShapeException.class, () -> a.squeeze(5), "dimension 5", "rank 2");
        assertThrowsWith(ShapeException.class, () -> a.unsqueeze(3), "dimension 3", "[-3, 2]");
        assertThrowsWith(ShapeException.class, () -> a.unsqueeze(-4), "dimension -4", "[-3, 2]");
        assertThrowsWith(ShapeException.class, () -> a.sum(2, false), "dimension 2", "rank 2");
        assertThrowsWith(ShapeException.class, () -> a.max(-3, false), "dimension -3", "rank 2");
        assertThrowsWith(ShapeException.class, () -> a.argmax(2, true), "dimension 2", "rank 2");
        assertThrowsWith(ShapeException.class, () -> Tensor.scalar(1).sum(1, false), "dimension 1", "rank 0");
    }
}
