package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import org.junit.jupiter.api.Test;

/**
 * Every arithmetic and comparison op on every row layout the CPU kernel special-cases (dense with dense, dense with a
 * broadcast scalar, a broadcast scalar with dense, strided) gives bit for bit {@link BinaryOp#apply}, with
 * NaN, signed zeros and infinities among the values. Runs with and without the Vector API (the module's
 * plain-java run).
 */
class ElementwiseRowsTest {
    private static final CpuBackend CPU = new CpuBackend();

    private static float[] values(int n, int salt) {
        float[] special = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -1.5f, 2.25f, 1f};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i + salt) % 5 == 0 ? special[(i + salt) % special.length] : (float) Math.sin(i * 0.7 + salt) * 3;
        }
        return x;
    }

    @Test
    void everyOpOnEveryRowLayoutMatchesTheReference() {
        int rows = 3;
        int cols = 37; // vector bodies and tails
        float[] dense = values(rows * cols, 1);
        float[] other = values(rows * cols, 2);
        float[] column = values(rows, 3); // one value per row, broadcast along it
        Storage sd = CPU.upload(0, dense, 0, dense.length);
        Storage so = CPU.upload(0, other, 0, other.length);
        Storage sc = CPU.upload(0, column, 0, column.length);
        int[] shape = {rows, cols};
        StridedView d = new StridedView(sd, 0, shape, new int[] {cols, 1});
        StridedView o = new StridedView(so, 0, shape, new int[] {cols, 1});
        StridedView c = new StridedView(sc, 0, shape, new int[] {1, 0});
        StridedView t = new StridedView(so, 0, shape, new int[] {1, rows}); // transposed: inner stride 3
        StridedView[][] layouts = {{d, o}, {d, c}, {c, d}, {t, d}, {d, t}, {c, t}};
        // the GELU gradients' vector loops round a few ulps apart from the reference (checked with a tolerance elsewhere)
        BinaryOp[] exact = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW, BinaryOp.MAXIMUM,
            BinaryOp.MINIMUM, BinaryOp.GT, BinaryOp.LT, BinaryOp.EQ};
        for (BinaryOp op : exact) {
            for (StridedView[] pair : layouts) {
                Storage out = CPU.allocate(0, rows * cols);
                CPU.binary(op, pair[0], pair[1], out);
                float[] got = new float[rows * cols];
                CPU.download(out, 0, got, 0, got.length);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        float want = op.apply(at(pair[0], i, j), at(pair[1], i, j));
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i * cols + j]),
                                op + " at (" + i + ", " + j + ") with strides " + java.util.Arrays.toString(pair[0].strides())
                                        + " and " + java.util.Arrays.toString(pair[1].strides()));
                    }
                }
            }
        }
    }

    /**
     * {@code clamp(min, max)} gives CLAMP_MIN then CLAMP_MAX bit for bit: on a dense source (from an offset, in
     * vector bodies and tails), a transposed one (the two-pass path) and one long enough to be split across the
     * pool, for bounds that some elements equal, signed zero bounds, NaN bounds and {@code min > max}.
     */
    @Test
    void clampMatchesTheTwoClampsOnEveryLayout() {
        int rows = 3;
        int cols = 37;
        float[] small = values(rows * cols + 5, 4);
        float[] large = values(1 << 18, 5);
        Storage ss = CPU.upload(0, small, 0, small.length);
        Storage sl = CPU.upload(0, large, 0, large.length);
        StridedView[] sources = {
            new StridedView(ss, 5, new int[] {rows, cols}, new int[] {cols, 1}),
            new StridedView(ss, 0, new int[] {rows, cols}, new int[] {1, rows}),
            new StridedView(sl, 0, new int[] {large.length}, new int[] {1}),
        };
        float[][] bounds = {{-1.5f, 2.25f}, {-1f, 1f}, {0f, 0f}, {-0f, 0f}, {0f, -0f}, {2.25f, -1.5f},
            {Float.NaN, 1f}, {-1f, Float.NaN}, {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}};
        for (StridedView src : sources) {
            int n = src.numel();
            for (float[] b : bounds) {
                Storage out = CPU.allocate(0, n);
                CPU.clamp(b[0], b[1], src, out);
                float[] got = new float[n];
                CPU.download(out, 0, got, 0, n);
                for (int i = 0; i < n; i++) {
                    float x = src.rank() == 1 ? large[i] : at(src, i / cols, i % cols);
                    float want = UnaryOp.CLAMP_MAX.apply(UnaryOp.CLAMP_MIN.apply(x, b[0]), b[1]);
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i]), "clamp(" + b[0] + ", "
                            + b[1] + ") of " + x + " at " + i + " with strides " + java.util.Arrays.toString(src.strides()));
                }
            }
        }
    }

    private static float at(StridedView v, int i, int j) {
        float[] data = ((CpuStorage) v.storage()).data;
        return data[v.offset() + i * v.strides()[0] + j * v.strides()[1]];
    }
}
