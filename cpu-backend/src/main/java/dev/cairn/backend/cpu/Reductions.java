package dev.cairn.backend.cpu;

import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.StridedView;

/**
 * Reductions along one dimension of a float32 strided operand. Sums accumulate in double in
 * {@link LineSums}' order (16 partial sums per line) and products in double in the order of the reduced
 * dimension, whatever the layout and the thread split, so the bits of a result do not depend on either.
 * Large reductions split their outputs across the CPU pool.
 */
final class Reductions {
    private Reductions() {
    }

    /** From this length on, the maximum or minimum of a dense line is taken over vector lanes first. */
    private static final int VECTOR_EXTREMUM_MIN = 64;
    /** From this length on, a dense line's sum runs on double vector lanes (shorter: sixteen scalar chains). */
    private static final int VECTOR_SUM_MIN = 64;
    /** Below this many outputs in a row, a sum over an outer dimension walks each line on its own. */
    private static final int MIN_OUTER_RUN = 8;
    /** Outputs one item of an outer sum covers (the plain path's accumulators: 16 partials each, 32 KiB). */
    private static final int OUTER_BLOCK = 256;

    /**
     * One reduced line: the elements {@code a[start + i * step]} for {@code i < len}, written to output
     * {@code out} of {@code dst} (a {@code float[]} or {@code long[]}). Implementations capture nothing, so
     * a reduction allocates no function object.
     */
    private interface Line {
        void reduce(ReduceOp op, Object dst, int out, float[] a, int start, int step, int len);
    }

    private static final Line VALUE = (op, dst, out, a, start, step, len) ->
            ((float[]) dst)[out] = reduceLine(op, a, start, step, len);
    private static final Line POSITION = (op, dst, out, a, start, step, len) ->
            ((long[]) dst)[out] = argLine(op == ReduceOp.ARGMAX, a, start, step, len);

    /** SUM, PROD, MAX, MIN (float32 results) along {@code dim}. */
    static void reduce(ReduceOp op, StridedView src, int dim, float[] dst) {
        if (op == ReduceOp.SUM && sumOverOuter(src, dim, dst)) {
            return;
        }
        walk(op, src, dim, VALUE, dst);
    }

    /** ARGMAX or ARGMIN along {@code dim} as int64 positions: the first on ties, the first NaN where there is one. */
    static void argReduce(ReduceOp op, StridedView src, int dim, long[] dst) {
        if (op != ReduceOp.ARGMAX && op != ReduceOp.ARGMIN) {
            throw new IllegalArgumentException(op + " does not give int64 positions");
        }
        walk(op, src, dim, POSITION, dst);
    }

    /**
     * Each output line by line, the outputs in row-major order of the remaining dimensions, split across the
     * CPU pool by outputs (a [64, 2048] tensor reduced over its last dimension is one row of 64 outputs).
     */
    private static void walk(ReduceOp op, StridedView src, int dim, Line line, Object dst) {
        float[] a = ((CpuStorage) src.storage()).data;
        int[] shape = src.shape();
        int[] strides = src.strides();
        int r = shape.length;
        int len = shape[dim];
        int step = strides[dim];
        if (r == 1) {
            if (!splitLine(op, dst, a, src.offset(), step, len)) {
                line.reduce(op, dst, 0, a, src.offset(), step, len);
            }
            return;
        }
        int[] outShape = new int[r - 1];
        int[] outStrides = new int[r - 1];
        for (int i = 0, j = 0; i < r; i++) {
            if (i != dim) {
                outShape[j] = shape[i];
                outStrides[j++] = strides[i];
            }
        }
        RowCursor cur = new RowCursor(outShape, src.offset(), outStrides, 0, null);
        int outputs = cur.rows() * cur.rowLength();
        if (outputs == 0) {
            return; // an empty dimension besides the reduced one: nothing to write
        }
        long work = (long) outputs * Math.max(len, 1);
        if (Lines.parts(outputs, work) <= 1) {
            walkOutputs(op, line, dst, a, step, len, cur, 0, outputs);
        } else {
            Lines.parallel(outputs, work, (from, to) -> walkOutputs(op, line, dst, a, step, len,
                    new RowCursor(outShape, src.offset(), outStrides, 0, null), from, to));
        }
    }

    /**
     * The extreme (MAX, MIN) or its position (ARGMAX, ARGMIN) of one long line, the line cut into one piece per
     * core: each piece's answer by the usual line walk, then the pieces' answers taken in order under the same
     * rule (a NaN stays, else a strictly better value replaces), which is the whole line's answer: its first
     * NaN, else its first extreme value. False (nothing done) for sums and products, whose order is per line,
     * and for lines too short to split.
     */
    private static boolean splitLine(ReduceOp op, Object dst, float[] a, int start, int step, int len) {
        if (op == ReduceOp.SUM || op == ReduceOp.PROD) {
            return false;
        }
        int parts = Lines.parts(len, len);
        if (parts <= 1) {
            return false;
        }
        boolean positions = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
        float[] best = new float[parts];
        int[] at = new int[parts];
        CpuThreads.parallel(parts, (part, ps) -> {
            int from = (int) ((long) len * part / ps);
            int n = (int) ((long) len * (part + 1) / ps) - from;
            int first = start + from * step;
            if (positions) {
                int i = argLine(max, a, first, step, n);
                at[part] = from + i;
                best[part] = a[first + i * step];
            } else {
                best[part] = reduceLine(op, a, first, step, n);
            }
        });
        float b = best[0];
        int pos = at[0];
        for (int k = 1; k < parts; k++) {
            float v = best[k];
            if ((max ? v > b : v < b) || (v != v && b == b)) { // as better(): larger (smaller), or the first NaN
                b = v;
                pos = at[k];
            }
        }
        if (positions) {
            ((long[]) dst)[0] = pos;
        } else {
            ((float[]) dst)[0] = b;
        }
        return true;
    }

    /** Outputs {@code [from, to)}: the cursor's rows in order, each row's outputs four lines at a time. */
    private static void walkOutputs(ReduceOp op, Line line, Object dst, float[] a, int step, int len, RowCursor cur,
                                    int from, int to) {
        int rl = cur.rowLength();
        int si = cur.innerStrideA();
        int row = from / rl;
        int j = from % rl;
        if (row > 0) {
            cur.seek(row);
        }
        int out = from;
        while (out < to) {
            int n = Math.min(rl - j, to - out);
            int start = cur.offsetA + j * si;
            int k = 0;
            if (len > 0) {
                for (; k + 4 <= n; k += 4, start += 4 * si, out += 4) {
                    fourLines(op, dst, out, a, start, si, step, len);
                }
            }
            for (; k < n; k++, start += si) {
                line.reduce(op, dst, out++, a, start, step, len);
            }
            j = 0;
            cur.next();
        }
    }

    /**
     * Four lines {@code si} apart, reduced side by side: independent chains of adds, products or comparisons
     * (one line's chain waits on each add), each line's elements still taken in its order, so every output has
     * the bits {@link #reduceLine} gives it alone. Dense sums go to {@link VectorLineSums}; strided ones and
     * ARGMAX and ARGMIN take the four lines one after another (the arg reductions' branches interleaved ran
     * slower than one line at a time).
     */
    private static void fourLines(ReduceOp op, Object dst, int out, float[] a, int start, int si, int step, int len) {
        switch (op) {
            case SUM -> {
                float[] d = (float[]) dst;
                if (step == 1 && len >= VECTOR_SUM_MIN && vectorSums()) {
                    VectorLineSums.fourLines(a, start, si, len, d, out);
                    return;
                }
                for (int q = 0; q < 4; q++) {
                    d[out + q] = LineSums.line(a, start + q * si, step, len);
                }
            }
            case PROD -> {
                double s0 = 1;
                double s1 = 1;
                double s2 = 1;
                double s3 = 1;
                for (int i = 0, p = start; i < len; i++, p += step) {
                    s0 *= a[p];
                    s1 *= a[p + si];
                    s2 *= a[p + 2 * si];
                    s3 *= a[p + 3 * si];
                }
                store((float[]) dst, out, (float) s0, (float) s1, (float) s2, (float) s3);
            }
            case MAX, MIN -> {
                boolean max = op == ReduceOp.MAX;
                if (step == 1 && len >= VECTOR_EXTREMUM_MIN && VectorSupport.ENABLED) { // dense lines: vector lanes
                    float[] d = (float[]) dst;
                    for (int q = 0; q < 4; q++) {
                        d[out + q] = reduceLine(op, a, start + q * si, 1, len);
                    }
                    return;
                }
                float b0 = a[start];
                float b1 = a[start + si];
                float b2 = a[start + 2 * si];
                float b3 = a[start + 3 * si];
                // a line's first NaN wins for good (NaN compares false, so nothing replaces it), else the first
                // of the extreme values under > (or <), as the line-at-a-time loop
                for (int i = 1, p = start + step; i < len; i++, p += step) {
                    b0 = better(max, a[p], b0);
                    b1 = better(max, a[p + si], b1);
                    b2 = better(max, a[p + 2 * si], b2);
                    b3 = better(max, a[p + 3 * si], b3);
                }
                store((float[]) dst, out, b0, b1, b2, b3);
            }
            case ARGMAX, ARGMIN -> {
                long[] d = (long[]) dst;
                for (int q = 0; q < 4; q++) {
                    d[out + q] = argLine(op == ReduceOp.ARGMAX, a, start + q * si, step, len);
                }
            }
        }
    }

    /** {@code v} if it replaces {@code best} in a max (min) walk: larger (smaller), or the line's first NaN. */
    private static float better(boolean max, float v, float best) {
        return (max ? v > best : v < best) || (v != v && best == best) ? v : best;
    }

    private static void store(float[] dst, int out, float v0, float v1, float v2, float v3) {
        dst[out] = v0;
        dst[out + 1] = v1;
        dst[out + 2] = v2;
        dst[out + 3] = v3;
    }

    /**
     * A sum over a dimension other than the innermost, when the innermost is dense ({@code [B, F]} summed
     * over B, a bias gradient): whole rows are read and added lane by lane into 16 partials per output (row
     * {@code i} into partial {@code i % 16}), on double vectors ({@link VectorLineSums#columns}) for all but the
     * last few columns, which go through {@link #columnSums}, instead of one strided walk per output. Each
     * output's partials are then combined as {@link LineSums#combine} does, so the result is bit for bit the
     * line-by-line one. False (nothing done) when the layout does not fit.
     */
    private static boolean sumOverOuter(StridedView src, int dim, float[] dst) {
        int[] shape = src.shape();
        int[] strides = src.strides();
        int r = shape.length;
        if (dim == r - 1 || strides[r - 1] != 1 || shape[r - 1] < MIN_OUTER_RUN || shape[dim] < 2) {
            return false;
        }
        float[] a = ((CpuStorage) src.storage()).data;
        int inner = shape[r - 1];
        int len = shape[dim];
        int step = strides[dim];
        Lines lines = Lines.of(src, dim); // line q * inner + j starts at lines.start(q * inner) + j
        int outRows = lines.count / inner;
        // few output rows: narrower blocks, so that every core gets one
        int block = outRows >= CpuThreads.cores() ? OUTER_BLOCK
                : Math.min(OUTER_BLOCK, Math.max(64, ceilDiv(inner, ceilDiv(CpuThreads.cores(), outRows))));
        int blocks = ceilDiv(inner, block);
        int items = outRows * blocks;
        long work = (long) lines.count * len;
        Lines.Range body = (from, to) -> {
            double[] acc = null;
            for (int it = from; it < to; it++) {
                int q = it / blocks;
                int j0 = (it % blocks) * block;
                int jn = Math.min(block, inner - j0);
                int base = lines.start(q * inner) + j0;
                int out = q * inner + j0;
                int done = vectorSums() ? VectorLineSums.columns(a, base, step, len, jn, dst, out) : 0;
                if (done < jn) {
                    int width = jn - done;
                    if (acc == null || acc.length < LineSums.PARTIALS * width) {
                        acc = new double[LineSums.PARTIALS * width];
                    }
                    columnSums(a, base + done, step, len, width, acc, dst, out + done);
                }
            }
        };
        Lines.parallel(items, work, body);
        return true;
    }

    /**
     * The sums over {@code len} rows ({@code step} apart from {@code base}) of {@code width} dense columns into
     * {@code dst[out + j]}, through {@code acc} (at least 16 * width doubles): row {@code i} added into partial
     * row {@code i % 16}, then the partial rows combined as {@link LineSums#combine} does, row against row.
     */
    private static void columnSums(float[] a, int base, int step, int len, int width, double[] acc, float[] dst,
                                   int out) {
        int partials = LineSums.PARTIALS;
        java.util.Arrays.fill(acc, 0, partials * width, 0.0);
        for (int i = 0, p = base; i < len; i++, p += step) {
            int k = (i & (partials - 1)) * width;
            for (int j = 0; j < width; j++) {
                acc[k + j] += a[p + j];
            }
        }
        for (int half = partials / 2; half >= 1; half >>= 1) {
            for (int k = 0; k < half; k++) {
                int kTo = k * width;
                int kFrom = (k + half) * width;
                for (int j = 0; j < width; j++) {
                    acc[kTo + j] += acc[kFrom + j];
                }
            }
        }
        for (int j = 0; j < width; j++) {
            dst[out + j] = (float) acc[j];
        }
    }

    /** Whether dense lines sum on the Vector API ({@link VectorLineSums}). */
    private static boolean vectorSums() {
        return VectorSupport.ENABLED && VectorLineSums.SUPPORTED;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static float reduceLine(ReduceOp op, float[] a, int start, int step, int len) {
        switch (op) {
            case SUM -> {
                return step == 1 && len >= VECTOR_SUM_MIN && vectorSums() ? VectorLineSums.line(a, start, len)
                        : LineSums.line(a, start, step, len);
            }
            case PROD -> {
                double s = 1;
                for (int i = 0, p = start; i < len; i++, p += step) {
                    s *= a[p];
                }
                return (float) s;
            }
            case MAX, MIN -> {
                boolean max = op == ReduceOp.MAX;
                if (step == 1 && len >= VECTOR_EXTREMUM_MIN && VectorSupport.ENABLED) {
                    float v = VectorElementwise.extremum(max, a, start, len);
                    if (v == v && v != 0f) {
                        // no NaN, and not a zero (whose sign the first of equal values decides): the value the walk
                        // below gives, bit for bit
                        return v;
                    }
                }
                float best = a[start];
                for (int i = 0, p = start; i < len; i++, p += step) {
                    float v = a[p];
                    if (v != v) {
                        return v;
                    }
                    if (max ? v > best : v < best) {
                        best = v;
                    }
                }
                return best;
            }
            default -> throw new IllegalArgumentException(op + " does not give float32 values");
        }
    }

    private static int argLine(boolean max, float[] a, int start, int step, int len) {
        if (step == 1 && len >= VECTOR_EXTREMUM_MIN && VectorSupport.ENABLED) {
            float v = VectorElementwise.extremum(max, a, start, len);
            if (v == v && v != 0f) { // as in reduceLine: the extreme's first position is the walk's answer
                return VectorElementwise.firstEqual(a, start, len, v);
            }
        }
        float best = a[start];
        int at = 0;
        if (best != best) {
            return 0;
        }
        for (int i = 1, p = start + step; i < len; i++, p += step) {
            float v = a[p];
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
}
