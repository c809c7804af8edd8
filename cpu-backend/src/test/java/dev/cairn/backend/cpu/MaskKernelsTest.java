package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.DType;
import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Comparisons into bools, {@code where} on floats and bool and / or give, element for element, what the plain
 * rule gives, on dense rows (the vector loops, with their tails), a broadcast scalar or row, and strided operands
 * (the plain loops): NaN compares false except for NE, as Java's operators and PyTorch.
 */
class MaskKernelsTest {
    private static final CpuBackend CPU = new CpuBackend();
    private static final int ROWS = 3;
    private static final int COLS = 150; // floats: nine vectors of 16 and a tail of 6; bools: two of 64 and 22

    private static float[] values(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(4) == 0 ? (float) r.nextInt(3) : (float) r.nextGaussian(); // ties with the other operand
        }
        x[1] = Float.NaN;
        x[COLS + 20] = Float.NaN;
        x[2] = -0f;
        return x;
    }

    /** The layouts of a [ROWS, COLS] operand: dense, transposed storage (strided rows), one value, one row. */
    private static StridedView[] layouts(Storage s) {
        return new StridedView[] {
            new StridedView(s, 0, new int[] {ROWS, COLS}, new int[] {COLS, 1}),
            new StridedView(s, 0, new int[] {ROWS, COLS}, new int[] {1, ROWS}),
            new StridedView(s, 7, new int[] {ROWS, COLS}, new int[] {0, 0}),
            new StridedView(s, 3, new int[] {ROWS, COLS}, new int[] {0, 1}),
        };
    }

    private static int at(StridedView v, int i, int j) {
        return v.offset() + i * v.strides()[0] + j * v.strides()[1];
    }

    /**
     * Runs each dense-row path until the JIT has compiled it: interpreted, the Vector API computes lane by lane
     * in Java, and only compiled code runs the vector instructions these tests are about.
     */
    private static void warm() {
        int n = 4096;
        Storage f = CPU.upload(0, values(9, n), 0, n);
        Storage m = CPU.allocate(0, DType.BOOL, n);
        StridedView dense = new StridedView(f, 0, new int[] {n}, new int[] {1});
        StridedView one = new StridedView(f, 0, new int[] {n}, new int[] {0});
        StridedView mask = new StridedView(m, 0, new int[] {n}, new int[] {1});
        for (int r = 0; r < 400; r++) {
            for (CompareOp op : CompareOp.values()) {
                CPU.compare(op, dense, dense, CPU.allocate(0, DType.BOOL, n));
                CPU.compare(op, dense, one, CPU.allocate(0, DType.BOOL, n));
            }
            CPU.where(mask, dense, one, CPU.allocate(0, n));
            CPU.where(mask, one, dense, CPU.allocate(0, n));
            CPU.where(mask, dense, dense, CPU.allocate(0, n));
            CPU.binary(BinaryOp.MUL, mask, mask, CPU.allocate(0, DType.BOOL, n));
            CPU.binary(BinaryOp.ADD, mask, mask, CPU.allocate(0, DType.BOOL, n));
        }
    }

    @Test
    void comparisonsMatchJavasOperatorsOnEveryLayout() {
        warm();
        float[] x = values(1, ROWS * COLS + 8);
        float[] y = values(2, ROWS * COLS + 8);
        y[1] = 0.5f;
        y[2] = 0f; // -0 == 0
        Storage sx = CPU.upload(0, x, 0, x.length);
        Storage sy = CPU.upload(0, y, 0, y.length);
        for (StridedView a : layouts(sx)) {
            for (StridedView b : layouts(sy)) {
                for (CompareOp op : CompareOp.values()) {
                    Storage out = CPU.allocate(0, DType.BOOL, ROWS * COLS);
                    CPU.compare(op, a, b, out);
                    boolean[] got = (boolean[]) ((CpuTypedStorage) out).data;
                    for (int i = 0; i < ROWS; i++) {
                        for (int j = 0; j < COLS; j++) {
                            boolean want = op.test(x[at(a, i, j)], y[at(b, i, j)]);
                            assertEquals(want, got[i * COLS + j], op + " at (" + i + ", " + j + ") with strides "
                                    + java.util.Arrays.toString(a.strides()) + " and "
                                    + java.util.Arrays.toString(b.strides()));
                        }
                    }
                }
            }
        }
    }

    @Test
    void whereAndMaskedFillPickPerElementOnEveryLayout() {
        warm();
        float[] x = values(3, ROWS * COLS + 8);
        float[] y = values(4, ROWS * COLS + 8);
        boolean[] mask = new boolean[ROWS * COLS + 8];
        Random r = new Random(5);
        for (int i = 0; i < mask.length; i++) {
            mask[i] = r.nextBoolean();
        }
        Storage sx = CPU.upload(0, x, 0, x.length);
        Storage sy = CPU.upload(0, y, 0, y.length);
        Storage sm = CPU.allocate(0, DType.BOOL, mask.length);
        System.arraycopy(mask, 0, (boolean[]) ((CpuTypedStorage) sm).data, 0, mask.length);
        for (StridedView c : layouts(sm)) {
            for (StridedView a : layouts(sx)) {
                for (StridedView b : layouts(sy)) {
                    Storage out = CPU.allocate(0, ROWS * COLS);
                    CPU.where(c, a, b, out);
                    float[] got = new float[ROWS * COLS];
                    CPU.download(out, 0, got, 0, got.length);
                    for (int i = 0; i < ROWS; i++) {
                        for (int j = 0; j < COLS; j++) {
                            float want = mask[at(c, i, j)] ? x[at(a, i, j)] : y[at(b, i, j)];
                            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i * COLS + j]),
                                    "where at (" + i + ", " + j + ")");
                        }
                    }
                }
            }
        }
    }

    @Test
    void boolAndOrOnEveryLayout() {
        warm();
        boolean[] u = new boolean[ROWS * COLS + 8];
        boolean[] v = new boolean[ROWS * COLS + 8];
        Random r = new Random(6);
        for (int i = 0; i < u.length; i++) {
            u[i] = r.nextBoolean();
            v[i] = r.nextBoolean();
        }
        Storage su = CPU.allocate(0, DType.BOOL, u.length);
        Storage sv = CPU.allocate(0, DType.BOOL, v.length);
        System.arraycopy(u, 0, (boolean[]) ((CpuTypedStorage) su).data, 0, u.length);
        System.arraycopy(v, 0, (boolean[]) ((CpuTypedStorage) sv).data, 0, v.length);
        for (StridedView a : layouts(su)) {
            for (StridedView b : layouts(sv)) {
                for (BinaryOp op : new BinaryOp[] {BinaryOp.MUL, BinaryOp.ADD}) {
                    Storage out = CPU.allocate(0, DType.BOOL, ROWS * COLS);
                    CPU.binary(op, a, b, out);
                    boolean[] got = (boolean[]) ((CpuTypedStorage) out).data;
                    for (int i = 0; i < ROWS; i++) {
                        for (int j = 0; j < COLS; j++) {
                            boolean p = u[at(a, i, j)];
                            boolean q = v[at(b, i, j)];
                            assertEquals(op == BinaryOp.MUL ? p & q : p | q, got[i * COLS + j],
                                    op + " at (" + i + ", " + j + ")");
                        }
                    }
                }
            }
        }
    }
}
