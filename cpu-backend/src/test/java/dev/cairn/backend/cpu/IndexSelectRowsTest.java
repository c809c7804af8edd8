package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import org.junit.jupiter.api.Test;

/**
 * {@code indexSelect} along dimension 0 of float views, where whole dense rows are copied at once (an embedding
 * lookup), and the views whose rows are not dense (the element walk), against a reference computed here.
 */
class IndexSelectRowsTest {
    private static final CpuBackend CPU = new CpuBackend();

    private static float[] iota(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 0.5f - 7f;
        }
        return x;
    }

    /** {@code src[idx[i], ...]} for each i, walking the view element by element. */
    private static float[] reference(float[] data, StridedView v, long[] idx) {
        int[] shape = v.shape();
        int width = 1;
        for (int k = 1; k < shape.length; k++) {
            width *= shape[k];
        }
        float[] out = new float[idx.length * width];
        for (int i = 0; i < idx.length; i++) {
            for (int e = 0; e < width; e++) {
                int off = v.offset() + (int) idx[i] * v.strides()[0];
                for (int k = shape.length - 1, rem = e; k >= 1; k--) {
                    off += (rem % shape[k]) * v.strides()[k];
                    rem /= shape[k];
                }
                out[i * width + e] = data[off];
            }
        }
        return out;
    }

    private static float[] select(float[] data, StridedView shapeOnly, long[] idx) {
        Storage src = CPU.upload(0, data, 0, data.length);
        StridedView v = new StridedView(src, shapeOnly.offset(), shapeOnly.shape(), shapeOnly.strides());
        Storage ix = CPU.upload(0, DType.INT64, idx, 0, idx.length);
        int width = 1;
        for (int k = 1; k < v.shape().length; k++) {
            width *= v.shape()[k];
        }
        Storage dst = CPU.allocate(0, idx.length * width);
        CPU.indexSelect(v, 0, new StridedView(ix, 0, new int[] {idx.length}, new int[] {1}), dst);
        float[] out = new float[idx.length * width];
        CPU.download(dst, 0, out, 0, out.length);
        return out;
    }

    @Test
    void rowsOfEveryLayoutMatchTheElementWalk() {
        float[] data = iota(400);
        long[] idx = {4, 0, 4, 2, 5};
        StridedView[] layouts = {
            new StridedView(null, 0, new int[] {6, 7}, new int[] {7, 1}),          // dense matrix
            new StridedView(null, 3, new int[] {6, 5}, new int[] {9, 1}),          // rows of a wider matrix
            new StridedView(null, 0, new int[] {6, 2, 3}, new int[] {6, 3, 1}),    // dense rank 3
            new StridedView(null, 1, new int[] {6, 1, 4}, new int[] {11, 99, 1}),  // a size-1 dimension
            new StridedView(null, 0, new int[] {6, 4}, new int[] {1, 6}),          // transposed: not dense rows
            new StridedView(null, 2, new int[] {6, 3}, new int[] {8, 2}),          // strided columns
            new StridedView(null, 0, new int[] {6}, new int[] {3}),                // rank 1
        };
        for (StridedView l : layouts) {
            float[] want = reference(data, l, idx);
            float[] got = select(data, l, idx);
            assertTrue(want.length > 0);
            assertArrayEquals(want, got, java.util.Arrays.toString(l.shape()) + " strides "
                    + java.util.Arrays.toString(l.strides()) + " offset " + l.offset());
        }
    }

    /** {@code indexSelect} along any dimension, walking the output element by element. */
    private static float[] referenceAlong(float[] data, StridedView v, int dim, long[] idx) {
        int[] out = v.shape().clone();
        out[dim] = idx.length;
        int n = 1;
        for (int size : out) {
            n *= size;
        }
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            int off = v.offset();
            for (int k = out.length - 1, rem = i; k >= 0; k--) {
                int c = rem % out[k];
                rem /= out[k];
                off += (k == dim ? (int) idx[c] : c) * v.strides()[k];
            }
            r[i] = data[off];
        }
        return r;
    }

    @Test
    void backwardsRunsAlongTheLastDimensionMatchTheElementWalk() {
        // a flip (vector lengths, a partial last vector, two elements), a backwards run over part of the
        // dimension, an almost-backwards index (one pair swapped: the plain pick), a size split across the pool
        record Case(int rows, int cols, int rowStride, long[] idx) {
        }
        java.util.List<Case> cases = new java.util.ArrayList<>();
        for (int cols : new int[] {16, 37, 2, 1000}) {
            long[] flip = new long[cols];
            for (int j = 0; j < cols; j++) {
                flip[j] = cols - 1 - j;
            }
            cases.add(new Case(cols == 1000 ? 70 : 3, cols, cols + 3, flip));
        }
        cases.add(new Case(5, 40, 40, new long[] {30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14}));
        long[] swapped = new long[37];
        for (int j = 0; j < 37; j++) {
            swapped[j] = 36 - j;
        }
        swapped[20] = 15;
        swapped[21] = 16;
        cases.add(new Case(4, 37, 37, swapped));
        for (Case c : cases) {
            float[] data = iota(c.rows() * c.rowStride() + 2);
            StridedView l = new StridedView(null, 2, new int[] {c.rows(), c.cols()}, new int[] {c.rowStride(), 1});
            float[] want = referenceAlong(data, l, 1, c.idx());
            Storage src = CPU.upload(0, data, 0, data.length);
            Storage ix = CPU.upload(0, DType.INT64, c.idx(), 0, c.idx().length);
            Storage dst = CPU.allocate(0, want.length);
            CPU.indexSelect(new StridedView(src, l.offset(), l.shape(), l.strides()), 1,
                    new StridedView(ix, 0, new int[] {c.idx().length}, new int[] {1}), dst);
            float[] got = new float[want.length];
            CPU.download(dst, 0, got, 0, got.length);
            assertArrayEquals(want, got, c.rows() + " x " + c.cols() + " picking " + java.util.Arrays.toString(c.idx()));
        }
    }

    @Test
    void everyDimensionOfEveryLayoutMatchesTheElementWalk() {
        // the last dimension picks single elements (flip); a middle one picks dense blocks; strided inner
        // dimensions take the element walk
        float[] data = iota(600);
        StridedView[] layouts = {
            new StridedView(null, 0, new int[] {4, 6, 5}, new int[] {30, 5, 1}),       // dense
            new StridedView(null, 7, new int[] {4, 6, 5}, new int[] {70, 10, 1}),      // rows of wider rows
            new StridedView(null, 0, new int[] {4, 6, 5}, new int[] {1, 20, 4}),       // permuted: strided inner
            new StridedView(null, 3, new int[] {4, 6, 5}, new int[] {0, 5, 1}),        // broadcast outer dimension
        };
        for (StridedView l : layouts) {
            for (int dim = 0; dim < 3; dim++) {
                int size = l.shape()[dim];
                long[] idx = {size - 1, 0, size - 1, size / 2};
                float[] want = referenceAlong(data, l, dim, idx);
                Storage src = CPU.upload(0, data, 0, data.length);
                StridedView v = new StridedView(src, l.offset(), l.shape(), l.strides());
                Storage ix = CPU.upload(0, DType.INT64, idx, 0, idx.length);
                Storage dst = CPU.allocate(0, want.length);
                CPU.indexSelect(v, dim, new StridedView(ix, 0, new int[] {idx.length}, new int[] {1}), dst);
                float[] got = new float[want.length];
                CPU.download(dst, 0, got, 0, got.length);
                assertArrayEquals(want, got, "dim " + dim + " of " + java.util.Arrays.toString(l.shape()) + " strides "
                        + java.util.Arrays.toString(l.strides()));
            }
        }
        StridedView dense = new StridedView(CPU.upload(0, data, 0, data.length), 0, new int[] {4, 6, 5},
                new int[] {30, 5, 1});
        Storage bad = CPU.upload(0, DType.INT64, new long[] {2, 5}, 0, 2);
        CairnException e = assertThrows(CairnException.class, () -> CPU.indexSelect(dense, 2,
                new StridedView(bad, 0, new int[] {2}, new int[] {1}), CPU.allocate(0, 48)));
        assertTrue(e.getMessage().contains("indexSelect") && e.getMessage().contains("5"), e.getMessage());
    }

    @Test
    void anIndexOutOfRangeNamesTheOpAndTheBound() {
        float[] data = iota(42);
        StridedView dense = new StridedView(null, 0, new int[] {6, 7}, new int[] {7, 1});
        CairnException e = assertThrows(CairnException.class, () -> select(data, dense, new long[] {1, 6}));
        assertTrue(e.getMessage().contains("indexSelect") && e.getMessage().contains("6"), e.getMessage());
        assertThrows(CairnException.class, () -> select(data, dense, new long[] {-1}));
    }
}
