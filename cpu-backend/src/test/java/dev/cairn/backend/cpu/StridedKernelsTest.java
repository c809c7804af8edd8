package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The strided elementwise and reduction kernels on layouts whose dimensions the row walk merges (dense
 * runs, size-1 dimensions, broadcasts) or cannot merge (permuted, sliced), small and large enough to be
 * split across threads, bit for bit against a plain element-by-element reference computed here.
 */
class StridedKernelsTest {
    private static final CpuBackend CPU = new CpuBackend();

    /** A view of {@code data} given by shape, strides and offset. */
    private record Layout(String name, int[] shape, int[] strides, int offset) {
    }

    private static float[] values(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        x[n / 3] = Float.NaN;
        return x;
    }

    /** Layouts of 4-D shapes over a storage of {@code size} floats. */
    private static Layout[] layouts(int a, int b, int c, int d) {
        return new Layout[] {
            new Layout("dense", new int[] {a, b, c, d}, new int[] {b * c * d, c * d, d, 1}, 0),
            new Layout("offset dense", new int[] {a, b, c, d}, new int[] {b * c * d, c * d, d, 1}, 5),
            new Layout("permuted", new int[] {a, c, b, d}, new int[] {b * c * d, d, c * d, 1}, 0),
            new Layout("transposed inner", new int[] {a, b, d, c}, new int[] {b * c * d, c * d, 1, d}, 0),
            new Layout("sliced", new int[] {a, b, c, d - 1}, new int[] {b * c * d, c * d, d, 1}, 1),
            new Layout("size-1 dims", new int[] {a, 1, b * c, 1, d}, new int[] {b * c * d, 7, d, 3, 1}, 0),
            new Layout("channel broadcast", new int[] {a, b, c, d}, new int[] {0, 1, 0, 0}, 0),
        };
    }

    private static int at(Layout l, int flat) {
        int off = l.offset();
        for (int i = l.shape().length - 1; i >= 0; i--) {
            off += (flat % l.shape()[i]) * l.strides()[i];
            flat /= l.shape()[i];
        }
        return off;
    }

    private static int numel(int[] shape) {
        return Arrays.stream(shape).reduce(1, (x, y) -> x * y);
    }

    private static float[] run(Storage out, int n) {
        float[] got = new float[n];
        CPU.download(out, 0, got, 0, n);
        return got;
    }

    private static void check(String what, float want, float got) {
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got), what);
    }

    @Test
    void unaryBinaryAndCopyMatchTheReferenceOnEveryLayoutSmallAndSplit() {
        for (int[] dims : new int[][] {{2, 3, 4, 5}, {2, 20, 40, 41}}) { // 120 and 65,600 elements (split in two)
            int size = 6 + dims[0] * dims[1] * dims[2] * dims[3];
            float[] x = values(size, 1);
            float[] y = values(size, 2);
            Storage sx = CPU.upload(0, x, 0, size);
            Storage sy = CPU.upload(0, y, 0, size);
            Layout[] ls = layouts(dims[0], dims[1], dims[2], dims[3]);
            for (Layout l : ls) {
                int n = numel(l.shape());
                StridedView v = new StridedView(sx, l.offset(), l.shape(), l.strides());
                for (UnaryOp op : new UnaryOp[] {UnaryOp.IDENTITY, UnaryOp.NEG, UnaryOp.RELU, UnaryOp.MUL_SCALAR}) {
                    Storage out = CPU.allocate(0, n);
                    CPU.unary(op, 1.5f, v, out);
                    float[] got = run(out, n);
                    for (int i = 0; i < n; i++) {
                        check(op + " on " + l.name() + " " + Arrays.toString(dims) + " at " + i,
                                op.apply(x[at(l, i)], 1.5f), got[i]);
                    }
                }
                // binary: the layout against the dense operand of the same shape, both ways round
                Layout dense = new Layout("dense", l.shape(), StridedView.contiguousStrides(l.shape()), 0);
                StridedView w = new StridedView(sy, 0, l.shape(), dense.strides());
                for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}) {
                    Storage out = CPU.allocate(0, n);
                    CPU.binary(op, v, w, out);
                    float[] got = run(out, n);
                    Storage out2 = CPU.allocate(0, n);
                    CPU.binary(op, w, v, out2);
                    float[] got2 = run(out2, n);
                    for (int i = 0; i < n; i++) {
                        check(op + " " + l.name() + " with dense at " + i, op.apply(x[at(l, i)], y[i]), got[i]);
                        check(op + " dense with " + l.name() + " at " + i, op.apply(y[i], x[at(l, i)]), got2[i]);
                    }
                }
                // copy from the dense operand into the layout (a strided destination), unless it repeats elements
                if (!l.name().equals("channel broadcast")) {
                    float[] z = new float[size];
                    Storage sz = CPU.upload(0, z, 0, size);
                    CPU.copy(w, new StridedView(sz, l.offset(), l.shape(), l.strides()));
                    float[] got = run(sz, size);
                    for (int i = 0; i < n; i++) {
                        check("copy into " + l.name() + " at " + i, y[i], got[at(l, i)]);
                    }
                }
            }
        }
    }

    @Test
    void reductionsMatchTheReferenceOrderOnEveryDimensionAndLayout() {
        for (int[] dims : new int[][] {{2, 3, 4, 9}, {2, 33, 30, 37}}) { // 216 and 73,260 elements (split in two)
            int size = 6 + dims[0] * dims[1] * dims[2] * dims[3];
            float[] x = withHugeValues(values(size, 3), 8);
            x[size / 3] = 0.25f; // no NaN: MAX/MIN positions are checked too
            Storage sx = CPU.upload(0, x, 0, size);
            for (Layout l : layouts(dims[0], dims[1], dims[2], dims[3])) {
                int r = l.shape().length;
                StridedView v = new StridedView(sx, l.offset(), l.shape(), l.strides());
                for (int dim = 0; dim < r; dim++) {
                    int[] outShape = new int[r];
                    for (int i = 0; i < r; i++) {
                        outShape[i] = i == dim ? 1 : l.shape()[i];
                    }
                    int outN = numel(outShape);
                    int d = dim;
                    checkFloatReductions(v, dim, outN, " of " + l.name() + " " + Arrays.toString(l.shape()),
                            (op, o) -> reference(op, x, l, d, outShape, o));
                    Storage pos = CPU.allocate(0, dev.cairn.DType.INT64, outN);
                    CPU.reduce(ReduceOp.ARGMAX, v, dim, pos);
                    long[] where = new long[outN];
                    CPU.download(pos, 0, where, 0, outN);
                    for (int o = 0; o < outN; o++) {
                        float best = reference(ReduceOp.MAX, x, l, dim, outShape, o);
                        int first = -1;
                        for (int i = 0; i < l.shape()[dim] && first < 0; i++) {
                            if (x[element(l, dim, outShape, o, i)] == best) {
                                first = i;
                            }
                        }
                        assertEquals(first, where[o], "argmax over dim " + dim + " of " + l.name() + " at " + o);
                    }
                }
            }
        }
    }

    @Test
    void reductionsWithAnEmptyDimensionBesidesTheReducedOneWriteNothing() {
        Storage sx = CPU.upload(0, new float[8], 0, 8);
        for (int[] shape : new int[][] {{0, 5}, {3, 0, 4}}) {
            int[] strides = shape.length == 2 ? new int[] {5, 1} : new int[] {0, 4, 1};
            StridedView v = new StridedView(sx, 0, shape, strides);
            for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX}) {
                CPU.reduce(op, v, shape.length - 1, CPU.allocate(0, 0));
            }
            CPU.reduce(ReduceOp.ARGMAX, v, shape.length - 1, CPU.allocate(0, dev.cairn.DType.INT64, 0));
        }
    }

    @Test
    void transposedMatricesCopyInTilesWithTheirEdges() {
        // rows adjacent in the source (a transposed matrix): tiles of 16 rows, a last partial tile, a source
        // matrix wider than the view, and a size large enough to be split across the pool
        for (int[] dims : new int[][] {{37, 53, 60}, {16, 16, 16}, {300, 257, 301}}) {
            int rows = dims[0];
            int cols = dims[1];
            int ld = dims[2]; // the source's row length: the view is [rows, cols] with strides [1, ld]
            float[] x = values(ld * cols + 9, 4);
            Storage sx = CPU.upload(0, x, 0, x.length);
            StridedView v = new StridedView(sx, 3, new int[] {rows, cols}, new int[] {1, ld});
            Storage out = CPU.allocate(0, rows * cols);
            CPU.unary(dev.cairn.backend.UnaryOp.IDENTITY, 0f, v, out);
            float[] got = run(out, rows * cols);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    check("copy of " + rows + " x " + cols + " at (" + r + ", " + c + ")", x[3 + r + c * ld],
                            got[r * cols + c]);
                }
            }
        }
    }

    @Test
    void reductionsKeepTheNaNAndSignedZeroRulesInGroupsOfLinesAndAcrossTheSplit() {
        // [3, 5, 8192]: 15 outputs over the last dimension, split in two parts mid-row on two cores; lines are
        // reduced four at a time, so the special lines sit at every position of a group
        int a = 3;
        int b = 5;
        int c = 8192;
        float[] x = values(a * b * c, 11);
        x[a * b * c / 3] = 0.5f;
        float otherNaN = Float.intBitsToFloat(0x7fc00123);
        x[0] = Float.NaN; // line (0, 0): NaN first
        x[2 * c + 100] = otherNaN; // line (0, 2): two NaNs, the first one's bits win
        x[2 * c + 200] = Float.NaN;
        x[c + 7] = Float.NaN; // line (0, 1): a NaN inside
        int zeros = (b + 3) * c; // line (1, 3): -0 then +0, nothing larger or smaller
        Arrays.fill(x, zeros, zeros + c, 0f);
        x[zeros] = -0f;
        int zeros2 = (2 * b + 4) * c; // line (2, 4): +0 then -0
        Arrays.fill(x, zeros2, zeros2 + c, -0f);
        x[zeros2] = 0f;
        int twice = 2 * b * c; // line (2, 0): its maximum and its minimum each twice, the first position counts
        x[twice + 50] = 9f;
        x[twice + 4000] = 9f;
        x[twice + 70] = -9f;
        x[twice + 30] = -9f;
        Storage sx = CPU.upload(0, x, 0, x.length);
        Layout l = new Layout("dense", new int[] {a, b, c}, new int[] {b * c, c, 1}, 0);
        StridedView v = new StridedView(sx, 0, l.shape(), l.strides());
        for (int dim = 1; dim < 3; dim++) {
            int[] outShape = {a, dim == 1 ? 1 : b, dim == 2 ? 1 : c};
            int outN = numel(outShape);
            int d = dim;
            checkFloatReductions(v, dim, outN, "", (op, o) -> lineReference(op, x, l, d, outShape, o));
            for (ReduceOp op : new ReduceOp[] {ReduceOp.ARGMAX, ReduceOp.ARGMIN}) {
                Storage pos = CPU.allocate(0, dev.cairn.DType.INT64, outN);
                CPU.reduce(op, v, dim, pos);
                long[] where = new long[outN];
                CPU.download(pos, 0, where, 0, outN);
                for (int o = 0; o < outN; o++) {
                    assertEquals(argReference(op == ReduceOp.ARGMAX, x, l, dim, outShape, o), where[o],
                            op + " over dim " + dim + " at output " + o);
                }
            }
        }
    }

    @Test
    void oneLongLineCutIntoPiecesGivesTheWholeLinesFirstNaNOrFirstExtreme() {
        // rank-1 lines long enough to be cut into one piece per core (dense and every second element), each with
        // the special values placed across the pieces' boundaries
        int n = 150_001;
        for (int variant = 0; variant < 4; variant++) {
            float[] x = values(2 * n, 31 + variant);
            x[2 * n / 3] = 0.5f; // values() puts a NaN there
            switch (variant) {
                case 0 -> { // the maximum and the minimum twice each, one in each half: the first position counts
                    x[10] = 50f;
                    x[2 * n - 4] = 50f;
                    x[n + 2] = -50f;
                    x[12] = -50f;
                }
                case 1 -> { // a NaN in each half: the first one's bits
                    x[n + 40] = Float.NaN;
                    x[2 * n - 2] = Float.intBitsToFloat(0x7fc00321);
                    x[n - 40] = Float.intBitsToFloat(0x7fc00777);
                }
                case 2 -> { // only zeros: -0 first, +0 everywhere else (the other pieces' answer is +0)
                    Arrays.fill(x, 0f);
                    x[0] = -0f;
                }
                default -> { // nothing special: plain values
                }
            }
            Storage sx = CPU.upload(0, x, 0, x.length);
            for (Layout l : new Layout[] {new Layout("dense", new int[] {2 * n}, new int[] {1}, 0),
                    new Layout("every second", new int[] {n}, new int[] {2}, 0)}) {
                StridedView v = new StridedView(sx, 0, l.shape(), l.strides());
                int[] outShape = {1};
                for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
                    Storage out = CPU.allocate(0, 1);
                    CPU.reduce(op, v, 0, out);
                    check(op + " of " + l.name() + " variant " + variant, lineReference(op, x, l, 0, outShape, 0),
                            run(out, 1)[0]);
                }
                for (ReduceOp op : new ReduceOp[] {ReduceOp.ARGMAX, ReduceOp.ARGMIN}) {
                    Storage pos = CPU.allocate(0, dev.cairn.DType.INT64, 1);
                    CPU.reduce(op, v, 0, pos);
                    long[] where = new long[1];
                    CPU.download(pos, 0, where, 0, 1);
                    assertEquals(argReference(op == ReduceOp.ARGMAX, x, l, 0, outShape, 0), where[0],
                            op + " of " + l.name() + " variant " + variant);
                }
            }
        }
    }

    /** The expected value of output {@code o} of a reduction. */
    private interface Expected {
        float of(ReduceOp op, int o);
    }

    /** SUM, MAX, MIN and PROD of {@code v} over {@code dim}, each output's bits against {@code expected}. */
    private static void checkFloatReductions(StridedView v, int dim, int outN, String what, Expected expected) {
        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PROD}) {
            Storage out = CPU.allocate(0, outN);
            CPU.reduce(op, v, dim, out);
            float[] got = run(out, outN);
            for (int o = 0; o < outN; o++) {
                check(op + " over dim " + dim + what + " at output " + o, expected.of(op, o), got[o]);
            }
        }
    }

    /** One line at a time, PyTorch's rules: the first NaN (its bits) wins; else the first extreme under > or <. */
    private static float lineReference(ReduceOp op, float[] x, Layout l, int dim, int[] outShape, int o) {
        if (op == ReduceOp.SUM || op == ReduceOp.PROD) {
            return reference(op, x, l, dim, outShape, o);
        }
        float best = x[element(l, dim, outShape, o, 0)];
        for (int i = 0; i < l.shape()[dim]; i++) {
            float v = x[element(l, dim, outShape, o, i)];
            if (v != v) {
                return v;
            }
            best = (op == ReduceOp.MAX ? v > best : v < best) ? v : best;
        }
        return best;
    }

    private static long argReference(boolean max, float[] x, Layout l, int dim, int[] outShape, int o) {
        float best = x[element(l, dim, outShape, o, 0)];
        int at = 0;
        for (int i = 0; i < l.shape()[dim]; i++) {
            float v = x[element(l, dim, outShape, o, i)];
            if (v != v) {
                return i;
            }
            if (max ? v > best : v < best) {
                best = v;
                at = i;
            }
        }
        return at;
    }

    @Test
    void whereOnFloatsMatchesTheReferenceOnEveryLayoutSmallAndSplit() {
        for (int[] dims : new int[][] {{2, 3, 4, 5}, {2, 20, 40, 41}}) {
            int size = 6 + dims[0] * dims[1] * dims[2] * dims[3];
            float[] x = values(size, 4);
            float[] y = values(size, 5);
            boolean[] m = new boolean[size];
            Random r = new Random(6);
            for (int i = 0; i < size; i++) {
                m[i] = r.nextBoolean();
            }
            Storage sx = CPU.upload(0, x, 0, size);
            Storage sy = CPU.upload(0, y, 0, size);
            Storage sm = CPU.upload(0, dev.cairn.DType.BOOL, m, 0, size);
            Layout[] ls = layouts(dims[0], dims[1], dims[2], dims[3]);
            for (Layout lc : ls) { // the condition in each layout, the values dense and in the layout
                int n = numel(lc.shape());
                int[] dense = StridedView.contiguousStrides(lc.shape());
                for (Layout lv : new Layout[] {new Layout("dense", lc.shape(), dense, 0), lc}) {
                    StridedView c = new StridedView(sm, lc.offset(), lc.shape(), lc.strides());
                    StridedView a = new StridedView(sx, lv.offset(), lv.shape(), lv.strides());
                    StridedView b = new StridedView(sy, 0, lc.shape(), dense);
                    Storage out = CPU.allocate(0, n);
                    CPU.where(c, a, b, out);
                    float[] got = run(out, n);
                    for (int i = 0; i < n; i++) {
                        check("where, condition " + lc.name() + ", values " + lv.name() + " at " + i,
                                m[at(lc, i)] ? x[at(lv, i)] : y[i], got[i]);
                    }
                }
            }
        }
    }

    /** The storage position of element {@code i} along {@code dim} of output {@code o}. */
    private static int element(Layout l, int dim, int[] outShape, int o, int i) {
        int off = l.offset();
        for (int d = outShape.length - 1; d >= 0; d--) {
            int idx = d == dim ? i : o % outShape[d];
            if (d != dim) {
                o /= outShape[d];
            }
            off += idx * l.strides()[d];
        }
        return off;
    }

    /**
     * Output {@code o} of a reduction, element by element. A sum follows {@link LineSums}' contract, written out
     * here on its own: element {@code i} into partial {@code i % 16}, each partial in order in double, the
     * partials combined by halves; a product multiplies in order in double.
     */
    private static float reference(ReduceOp op, float[] x, Layout l, int dim, int[] outShape, int o) {
        int len = l.shape()[dim];
        double[] partial = new double[16];
        double s = 1;
        float best = x[element(l, dim, outShape, o, 0)];
        for (int i = 0; i < len; i++) {
            float v = x[element(l, dim, outShape, o, i)];
            switch (op) {
                case SUM -> partial[i % 16] += v;
                case PROD -> s *= v;
                case MAX -> best = v > best ? v : best;
                case MIN -> best = v < best ? v : best;
                default -> throw new IllegalArgumentException(op.toString());
            }
        }
        if (op == ReduceOp.SUM) {
            for (int half = 8; half >= 1; half /= 2) {
                for (int k = 0; k < half; k++) {
                    partial[k] += partial[k + half];
                }
            }
            return (float) partial[0];
        }
        return op == ReduceOp.PROD ? (float) s : best;
    }

    /**
     * {@code x} with about one element in {@code every} replaced by +-1e20: sums of lines where such values cancel
     * keep or lose the small values between them depending on the order of the adds, so only a kernel that adds
     * in the reference's order matches it bit for bit.
     */
    private static float[] withHugeValues(float[] x, int every) {
        Random r = new Random(17);
        for (int i = 0; i < x.length; i++) {
            if (r.nextInt(every) == 0 && x[i] == x[i]) {
                x[i] = r.nextBoolean() ? 1e20f : -1e20f;
            }
        }
        return x;
    }

    /**
     * One +1e20 and one -1e20 at random places in every line of {@code l} along {@code dim}: the small values
     * that reach the partial holding either before the two cancel are lost, the others kept, so the sum
     * depends on which partial each element joins and on the order in which partials combine.
     */
    private static void withCancellingPairs(float[] x, Layout l, int dim, int[] outShape) {
        Random r = new Random(29);
        int len = l.shape()[dim];
        for (int o = 0; o < numel(outShape) && len > 1; o++) {
            int i = r.nextInt(len);
            int j = (i + 1 + r.nextInt(len - 1)) % len;
            x[element(l, dim, outShape, o, i)] = 1e20f;
            x[element(l, dim, outShape, o, j)] = -1e20f;
        }
    }

    @Test
    void sumsOverOuterDimensionsFollowTheReferenceOrderInWholeAndPartialColumnBlocks() {
        // dense inner rows summed over an outer dimension: 64-column blocks, a narrower last block, columns left
        // over after the last 8 (the plain path), fewer rows than partials, and a size split across the pool
        int[][] cases = {{37, 200, 0}, {70, 3, 71, 0}, {5, 19, 130, 1}, {9, 64, 0}, {300, 520, 0}};
        for (int[] c : cases) {
            int[] shape = Arrays.copyOf(c, c.length - 1);
            int dim = c[c.length - 1];
            int n = numel(shape);
            float[] x = values(n + 1, 23);
            x[(n + 1) / 3] = -2f; // values() puts a NaN there
            Layout l = new Layout("dense from 1", shape, StridedView.contiguousStrides(shape), 1);
            int[] outShape = shape.clone();
            outShape[dim] = 1;
            int outN = numel(outShape);
            withCancellingPairs(x, l, dim, outShape);
            Storage sx = CPU.upload(0, x, 0, x.length);
            StridedView v = new StridedView(sx, 1, shape, l.strides());
            Storage out = CPU.allocate(0, outN);
            CPU.reduce(ReduceOp.SUM, v, dim, out);
            float[] got = run(out, outN);
            for (int o = 0; o < outN; o++) {
                check("sum over dim " + dim + " of " + Arrays.toString(shape) + " at " + o,
                        reference(ReduceOp.SUM, x, l, dim, outShape, o), got[o]);
            }
        }
    }

    @Test
    void sumsOfLongDenseLinesFollowTheReferenceOrderInEveryPositionOfAGroup() {
        // [7, 1000] and [7, 1003]: the vector path's 16-element steps and partial last chunks, lines in groups of
        // four and one left over; [3, 16] and [5, 5]: lines of exactly one step and shorter than one
        for (int[] dims : new int[][] {{7, 1000}, {7, 1003}, {3, 16}, {5, 5}}) {
            int n = dims[0] * dims[1];
            float[] x = values(n + 3, 21);
            x[(n + 3) / 3] = 1.5f; // values() puts a NaN there
            Layout l = new Layout("dense from 3", dims, new int[] {dims[1], 1}, 3);
            int[] outShape = {dims[0], 1};
            withCancellingPairs(x, l, 1, outShape);
            Storage sx = CPU.upload(0, x, 0, x.length);
            StridedView v = new StridedView(sx, 3, dims, l.strides());
            Storage out = CPU.allocate(0, dims[0]);
            CPU.reduce(ReduceOp.SUM, v, 1, out);
            float[] got = run(out, dims[0]);
            for (int o = 0; o < dims[0]; o++) {
                check("sum of line " + o + " of " + Arrays.toString(dims), reference(ReduceOp.SUM, x, l, 1, outShape, o),
                        got[o]);
            }
        }
    }
}
