package dev.cairn.tensor;

import static dev.cairn.tensor.TensorAsserts.assertShape;
import static dev.cairn.tensor.TensorAsserts.assertTensor;
import static dev.cairn.tensor.TensorAsserts.assertThrowsWith;
import static dev.cairn.tensor.TensorAsserts.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MatmulTest {
    private static final float TOL = 1e-4f;

    /** Naive reference: C[m, n] = A[m, k] @ B[k, n], row-major, accumulated in double. */
    static float[] naive(float[] a, float[] b, int m, int k, int n) {
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = (float) s;
            }
        }
        return c;
    }

    /** Row-major transpose of an [r, c] matrix. */
    static float[] transpose(float[] a, int r, int c) {
        float[] t = new float[a.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                t[j * r + i] = a[i * c + j];
            }
        }
        return t;
    }

    /** Batched reference: for each batch index, a[b] @ b[b] where {@code aBatch}/{@code bBatch} pick the operand's matrix. */
    private static float[] naiveBatched(float[] a, float[] b, int batch, boolean aBroadcast, boolean bBroadcast,
                                        int m, int k, int n) {
        float[] out = new float[batch * m * n];
        for (int bi = 0; bi < batch; bi++) {
            float[] am = java.util.Arrays.copyOfRange(a, (aBroadcast ? 0 : bi) * m * k, (aBroadcast ? 0 : bi) * m * k + m * k);
            float[] bm = java.util.Arrays.copyOfRange(b, (bBroadcast ? 0 : bi) * k * n, (bBroadcast ? 0 : bi) * k * n + k * n);
            System.arraycopy(naive(am, bm, m, k, n), 0, out, bi * m * n, m * n);
        }
        return out;
    }

    // ---- vector cases ---------------------------------------------------------------------

    @Test
    void dotProductIsZeroDim() {
        Tensor r = Tensor.vector(1, 2, 3).matmul(Tensor.vector(4, -5, 6));
        assertTensor(new float[] {12}, new int[0], r);
        assertEquals(12f, r.item());
        float[] a = random(1, 257);
        float[] b = random(2, 257);
        assertTensor(naive(a, b, 1, 257, 1), new int[0], Tensor.vector(a).matmul(Tensor.vector(b)), TOL);
    }

    @Test
    void matrixVector() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertTensor(new float[] {14, 32}, new int[] {2}, m.matmul(Tensor.vector(1, 2, 3)));
        assertTensor(new float[] {9, 12, 15}, new int[] {3}, Tensor.vector(1, 2).matmul(m));
        // transposed matrix times vector
        assertTensor(new float[] {9, 12, 15}, new int[] {3}, m.t().matmul(Tensor.vector(1, 2)));
        float[] a = random(3, 33 * 31);
        float[] v = random(4, 31);
        assertTensor(naive(a, v, 33, 31, 1), new int[] {33}, Tensor.of(a, 33, 31).matmul(Tensor.vector(v)), TOL);
        assertTensor(naive(v, transpose(a, 33, 31), 1, 31, 33), new int[] {33},
                Tensor.vector(v).matmul(Tensor.of(a, 33, 31).t()), TOL);
    }

    @Test
    void vectorWithBatches() {
        float[] a = random(5, 2 * 3 * 4);
        float[] v = random(6, 4);
        float[] w = random(7, 3);
        // [2, 3, 4] @ [4] -> [2, 3]
        assertTensor(naive(a, v, 6, 4, 1), new int[] {2, 3}, Tensor.of(a, 2, 3, 4).matmul(Tensor.vector(v)), TOL);
        // [3] @ [2, 3, 4] -> [2, 4]
        float[] expected = new float[8];
        for (int b = 0; b < 2; b++) {
            float[] mat = java.util.Arrays.copyOfRange(a, b * 12, b * 12 + 12);
            System.arraycopy(naive(w, mat, 1, 3, 4), 0, expected, b * 4, 4);
        }
        assertTensor(expected, new int[] {2, 4}, Tensor.vector(w).matmul(Tensor.of(a, 2, 3, 4)), TOL);
    }

    // ---- 2-D ------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{0} x {1}] @ [{1} x {2}]")
    @CsvSource({
        "1, 1, 1", "1, 7, 1", "7, 1, 7", "1, 1, 9", "9, 1, 1", "2, 3, 4", "7, 7, 7", "31, 33, 7",
        "33, 31, 257", "257, 3, 1", "5, 257, 6", "3, 513, 2", "4, 5, 600", "64, 300, 65", "17, 1, 300"})
    void matmulMatchesNaiveLoop(int m, int k, int n) {
        float[] a = random(m * 1000L + k, m * k);
        float[] b = random(n * 1000L + k + 1, k * n);
        float[] expected = naive(a, b, m, k, n);
        Tensor ta = Tensor.of(a, m, k);
        Tensor tb = Tensor.of(b, k, n);
        assertTensor(expected, new int[] {m, n}, ta.matmul(tb), TOL);
        assertTensor(expected, new int[] {m, n}, ta.mm(tb), TOL);
        // the same product through transposed (strided) operands
        Tensor at = Tensor.of(transpose(a, m, k), k, m).t();
        Tensor bt = Tensor.of(transpose(b, k, n), n, k).t();
        assertTensor(expected, new int[] {m, n}, at.mm(tb), TOL);
        assertTensor(expected, new int[] {m, n}, ta.mm(bt), TOL);
        assertTensor(expected, new int[] {m, n}, at.mm(bt), TOL);
        assertTensor(expected, new int[] {m, n}, at.matmul(bt), TOL);
    }

    @Test
    void transposedOperandsAsUsedInBackward() {
        float[] a = random(21, 7 * 5);
        float[] b = random(22, 7 * 3);
        float[] c = random(23, 4 * 5);
        Tensor ta = Tensor.of(a, 7, 5);
        // a.t().mm(b): [5, 7] @ [7, 3]
        assertTensor(naive(transpose(a, 7, 5), b, 5, 7, 3), new int[] {5, 3}, ta.t().mm(Tensor.of(b, 7, 3)), TOL);
        // a.mm(c.t()): [7, 5] @ [5, 4]
        assertTensor(naive(a, transpose(c, 4, 5), 7, 5, 4), new int[] {7, 4}, ta.mm(Tensor.of(c, 4, 5).t()), TOL);
    }

    /** 300x200 @ 200x400 is 24M multiply-adds: above BlockedGemm's threshold, so it is split across threads. */
    @Test
    void largeProductsTakeTheParallelPath() {
        int m = 300;
        int k = 200;
        int n = 400;
        float[] a = random(31, m * k);
        float[] b = random(32, k * n);
        float[] expected = naive(a, b, m, k, n);
        Tensor ta = Tensor.of(a, m, k);
        Tensor tb = Tensor.of(b, k, n);
        assertTensor(expected, new int[] {m, n}, ta.mm(tb), TOL);                 // split by columns (m < n)
        assertTensor(expected, new int[] {m, n}, Tensor.of(transpose(a, m, k), k, m).t().mm(
                Tensor.of(transpose(b, k, n), n, k).t()), TOL);                      // both operands transposed
        float[] expectedT = transpose(expected, m, n);
        assertTensor(expectedT, new int[] {n, m}, tb.t().mm(ta.t()), TOL);       // split by rows (m > n)
    }

    @Test
    void largeBatchedProductTakesTheParallelPath() {
        int batch = 5;
        int m = 70;
        int k = 90;
        int n = 110;
        float[] a = random(41, batch * m * k);
        float[] b = random(42, batch * k * n);
        assertTensor(naiveBatched(a, b, batch, false, false, m, k, n), new int[] {batch, m, n},
                Tensor.of(a, batch, m, k).bmm(Tensor.of(b, batch, k, n)), TOL);
        // batch smaller than the thread count on most machines: split inside each matrix
        assertTensor(naiveBatched(a, b, 1, false, false, m, k, n), new int[] {1, m, n},
                Tensor.of(java.util.Arrays.copyOf(a, m * k), 1, m, k).bmm(
                        Tensor.of(java.util.Arrays.copyOf(b, k * n), 1, k, n)), TOL);
    }

    // ---- batched --------------------------------------------------------------------------

    @Test
    void batchedMatmulWithBroadcastBatchDims() {
        float[] a = random(51, 2 * 3 * 4);
        float[] b = random(52, 2 * 4 * 5);
        float[] b1 = java.util.Arrays.copyOf(b, 4 * 5);
        float[] a1 = java.util.Arrays.copyOf(a, 3 * 4);
        // [2, 3, 4] @ [4, 5]
        assertTensor(naiveBatched(a, b1, 2, false, true, 3, 4, 5), new int[] {2, 3, 5},
                Tensor.of(a, 2, 3, 4).matmul(Tensor.of(b1, 4, 5)), TOL);
        // [2, 3, 4] @ [1, 4, 5]
        assertTensor(naiveBatched(a, b1, 2, false, true, 3, 4, 5), new int[] {2, 3, 5},
                Tensor.of(a, 2, 3, 4).matmul(Tensor.of(b1, 1, 4, 5)), TOL);
        // [1, 3, 4] @ [2, 4, 5]
        assertTensor(naiveBatched(a1, b, 2, true, false, 3, 4, 5), new int[] {2, 3, 5},
                Tensor.of(a1, 1, 3, 4).matmul(Tensor.of(b, 2, 4, 5)), TOL);
        // [3, 4] @ [2, 4, 5]
        assertTensor(naiveBatched(a1, b, 2, true, false, 3, 4, 5), new int[] {2, 3, 5},
                Tensor.of(a1, 3, 4).matmul(Tensor.of(b, 2, 4, 5)), TOL);
        // [2, 3, 4] @ [2, 4, 5]
        assertTensor(naiveBatched(a, b, 2, false, false, 3, 4, 5), new int[] {2, 3, 5},
                Tensor.of(a, 2, 3, 4).matmul(Tensor.of(b, 2, 4, 5)), TOL);
    }

    @Test
    void fourDimensionalBatchBroadcast() {
        // [2, 1, 3, 4] @ [3, 4, 5] -> [2, 3, 3, 5]
        float[] a = random(61, 2 * 3 * 4);
        float[] b = random(62, 3 * 4 * 5);
        float[] expected = new float[2 * 3 * 3 * 5];
        for (int i = 0; i < 2; i++) {
            float[] am = java.util.Arrays.copyOfRange(a, i * 12, i * 12 + 12);
            for (int j = 0; j < 3; j++) {
                float[] bm = java.util.Arrays.copyOfRange(b, j * 20, j * 20 + 20);
                System.arraycopy(naive(am, bm, 3, 4, 5), 0, expected, (i * 3 + j) * 15, 15);
            }
        }
        assertTensor(expected, new int[] {2, 3, 3, 5}, Tensor.of(a, 2, 1, 3, 4).matmul(Tensor.of(b, 3, 4, 5)), TOL);
    }

    @Test
    void batchedMatmulWithNonContiguousOperands() {
        // a stored as [3, 2, 4] and permuted to [2, 3, 4]
        float[] stored = random(71, 24);
        float[] a = new float[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int p = 0; p < 4; p++) {
                    a[i * 12 + j * 4 + p] = stored[j * 8 + i * 4 + p];
                }
            }
        }
        float[] b = random(72, 2 * 4 * 5);
        float[] expected = naiveBatched(a, b, 2, false, false, 3, 4, 5);
        Tensor ta = Tensor.of(stored, 3, 2, 4).permute(1, 0, 2);
        Tensor tb = Tensor.of(b, 2, 4, 5);
        assertTensor(expected, new int[] {2, 3, 5}, ta.matmul(tb), TOL);
        assertTensor(expected, new int[] {2, 3, 5}, ta.bmm(tb), TOL);
        // b given as the transpose of a [2, 5, 4] batch
        float[] bStored = new float[40];
        for (int i = 0; i < 2; i++) {
            System.arraycopy(transpose(java.util.Arrays.copyOfRange(b, i * 20, i * 20 + 20), 4, 5), 0, bStored, i * 20, 20);
        }
        Tensor tbT = Tensor.of(bStored, 2, 5, 4).transpose(1, 2);
        assertTensor(expected, new int[] {2, 3, 5}, ta.bmm(tbT), TOL);
        assertTensor(expected, new int[] {2, 3, 5}, ta.matmul(tbT), TOL);
        // [2, 3, 4] @ [4, 5] with a transposed right operand
        float[] b1 = java.util.Arrays.copyOf(b, 20);
        assertTensor(naiveBatched(a, b1, 2, false, true, 3, 4, 5), new int[] {2, 3, 5},
                ta.matmul(Tensor.of(transpose(b1, 4, 5), 5, 4).t()), TOL);
        // bmm with a batch-broadcast (stride-0) operand
        assertTensor(naiveBatched(a, b1, 2, false, true, 3, 4, 5), new int[] {2, 3, 5},
                ta.bmm(Tensor.of(b1, 1, 4, 5).expand(2, 4, 5)), TOL);
    }

    @Test
    void expandedOperandsAreReadCorrectly() {
        float[] row = random(81, 6);
        float[] b = random(82, 6 * 4);
        float[] a = new float[5 * 6];
        for (int i = 0; i < 5; i++) {
            System.arraycopy(row, 0, a, i * 6, 6);
        }
        assertTensor(naive(a, b, 5, 6, 4), new int[] {5, 4}, Tensor.vector(row).expand(5, 6).mm(Tensor.of(b, 6, 4)), TOL);
        assertTensor(naive(new float[] {2, 2, 2}, new float[] {1, 2, 3}, 1, 3, 1), new int[0],
                Tensor.scalar(2).expand(3).matmul(Tensor.vector(1, 2, 3)), TOL);
    }

    @Test
    void bmm() {
        float[] a = random(91, 3 * 7 * 31);
        float[] b = random(92, 3 * 31 * 9);
        assertTensor(naiveBatched(a, b, 3, false, false, 7, 31, 9), new int[] {3, 7, 9},
                Tensor.of(a, 3, 7, 31).bmm(Tensor.of(b, 3, 31, 9)), TOL);
    }

    // ---- empty and errors -----------------------------------------------------------------

    @Test
    void emptyBatchThroughMatmul() {
        Tensor out = Tensor.zeros(0, 20).matmul(Tensor.rand(new Generator(1), 20, 256));
        assertShape(new int[] {0, 256}, out);
        assertEquals(0, out.toFloatArray().length);
        assertShape(new int[] {0, 256}, Tensor.zeros(0, 20).mm(Tensor.zeros(20, 256)));
        assertShape(new int[] {0, 3, 5}, Tensor.zeros(0, 3, 4).matmul(Tensor.zeros(4, 5)));
        assertShape(new int[] {0, 3, 5}, Tensor.zeros(0, 3, 4).bmm(Tensor.zeros(0, 4, 5)));
    }

    @Test
    void zeroInnerDimensionGivesZeros() {
        assertTensor(new float[12], new int[] {3, 4}, Tensor.zeros(3, 0).mm(Tensor.zeros(0, 4)));
        assertTensor(new float[] {0}, new int[0], Tensor.zeros(0).matmul(Tensor.zeros(0)));
        assertTensor(new float[2 * 3 * 5], new int[] {2, 3, 5}, Tensor.zeros(2, 3, 0).bmm(Tensor.zeros(2, 0, 5)));
    }

    /** torch.matmul(torch.zeros(2, 3, 0), torch.zeros(0, 5)) is zeros(2, 3, 5). */
    @Test
    void zeroInnerDimensionWithBatchFolding() {
        assertTensor(new float[2 * 3 * 5], new int[] {2, 3, 5}, Tensor.zeros(2, 3, 0).matmul(Tensor.zeros(0, 5)));
    }

    @Test
    void mismatchedInnerDimsNameBothShapes() {
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)), "[2, 3]", "[4, 5]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 3).mm(Tensor.zeros(4, 5)), "[2, 3]", "[4, 5]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 2, 3).bmm(Tensor.zeros(2, 4, 5)), "[2, 2, 3]",
                "[2, 4, 5]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 2, 3).bmm(Tensor.zeros(3, 3, 5)), "[2, 2, 3]",
                "[3, 3, 5]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(4)), "[3]", "[4]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(2)), "[2, 3]", "[2]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(5, 6)), "[2, 3, 4]",
                "[5, 6]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 3).mm(Tensor.zeros(3)), "[2, 3]", "[3]");
        assertThrowsWith(ShapeException.class, () -> Tensor.scalar(1).matmul(Tensor.zeros(3)), "[]", "[3]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 3, 4).mm(Tensor.zeros(4, 5)), "[2, 3, 4]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(3, 4, 5)), "[2]", "[3]");
    }
}
