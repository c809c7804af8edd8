package dev.cairn.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums of dense float32 lines in {@link LineSums}' order on the Vector API: the 16 partial sums live in the
 * lanes of double vectors (two of 8 lanes with AVX-512, four of 4 with AVX2), each 16 elements widened to
 * double and added lane by lane, which is each partial adding its elements in order; the last partial chunk and
 * the combination are {@link LineSums}'. Four lines side by side keep eight chains of adds in flight. Sums over
 * an outer dimension ({@link #columns}) keep one partial in eight registers for 64 (or 32) columns at a time. Only
 * loaded when {@link VectorSupport#ENABLED}; {@link #SUPPORTED} is false on other vector widths (the callers
 * then use {@link LineSums#line}). Stateless; thread-safe.
 */
final class VectorLineSums {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();
    /** Floats as many as {@link #D} has doubles: one load widens into one double vector. */
    private static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    /** Whether this CPU's double vectors hold 8 or 4 lanes, the two layouts written below. */
    static final boolean SUPPORTED = DL == 8 || DL == 4;
    private static final int P = LineSums.PARTIALS;

    private VectorLineSums() {
    }

    /** The sum of {@code a[start] ... a[start + len - 1]}. */
    static float line(float[] a, int start, int len) {
        double[] p = new double[P];
        int bound = len & -P;
        if (DL == 8) {
            DoubleVector s0 = DoubleVector.zero(D);
            DoubleVector s1 = s0;
            for (int i = 0; i < bound; i += P) {
                s0 = s0.add(widen(a, start + i));
                s1 = s1.add(widen(a, start + i + 8));
            }
            s0.intoArray(p, 0);
            s1.intoArray(p, 8);
        } else {
            DoubleVector s0 = DoubleVector.zero(D);
            DoubleVector s1 = s0;
            DoubleVector s2 = s0;
            DoubleVector s3 = s0;
            for (int i = 0; i < bound; i += P) {
                s0 = s0.add(widen(a, start + i));
                s1 = s1.add(widen(a, start + i + 4));
                s2 = s2.add(widen(a, start + i + 8));
                s3 = s3.add(widen(a, start + i + 12));
            }
            s0.intoArray(p, 0);
            s1.intoArray(p, 4);
            s2.intoArray(p, 8);
            s3.intoArray(p, 12);
        }
        LineSums.addInOrder(a, start, 1, bound, len, p, 0);
        return LineSums.combine(p, 0);
    }

    /**
     * The sums of four dense lines of {@code len} starting {@code si} apart from {@code start}, into
     * {@code dst[out] ... dst[out + 3]}: with 8-lane doubles, side by side (eight independent chains); with
     * 4-lane doubles, one after another.
     */
    static void fourLines(float[] a, int start, int si, int len, float[] dst, int out) {
        if (DL != 8) {
            for (int q = 0; q < 4; q++) {
                dst[out + q] = line(a, start + q * si, len);
            }
            return;
        }
        int bound = len & -P;
        DoubleVector a0 = DoubleVector.zero(D);
        DoubleVector b0 = a0;
        DoubleVector a1 = a0;
        DoubleVector b1 = a0;
        DoubleVector a2 = a0;
        DoubleVector b2 = a0;
        DoubleVector a3 = a0;
        DoubleVector b3 = a0;
        for (int i = 0, p = start; i < bound; i += P, p += P) {
            a0 = a0.add(widen(a, p));
            b0 = b0.add(widen(a, p + 8));
            a1 = a1.add(widen(a, p + si));
            b1 = b1.add(widen(a, p + si + 8));
            a2 = a2.add(widen(a, p + 2 * si));
            b2 = b2.add(widen(a, p + 2 * si + 8));
            a3 = a3.add(widen(a, p + 3 * si));
            b3 = b3.add(widen(a, p + 3 * si + 8));
        }
        double[] p = new double[4 * P];
        a0.intoArray(p, 0);
        b0.intoArray(p, 8);
        a1.intoArray(p, P);
        b1.intoArray(p, P + 8);
        a2.intoArray(p, 2 * P);
        b2.intoArray(p, 2 * P + 8);
        a3.intoArray(p, 3 * P);
        b3.intoArray(p, 3 * P + 8);
        for (int q = 0; q < 4; q++) {
            LineSums.addInOrder(a, start + q * si, 1, bound, len, p, q * P);
            dst[out + q] = LineSums.combine(p, q * P);
        }
    }

    /**
     * Columns an outer sum's block covers: eight double vectors, one register each (64 columns with 8-lane doubles,
     * four whole cache lines of a row; 32 with 4-lane doubles, which leaves half of AVX2's 16 registers free).
     */
    private static final int COLUMN_BLOCK = 8 * DL;

    /**
     * The sums over {@code len} rows ({@code step} apart from {@code base}) of the first {@code cols - cols % DL}
     * of {@code cols} dense columns, into {@code dst[out + j]}; returns how many columns it summed (the caller
     * sums the rest). {@link #COLUMN_BLOCK} columns at a time, partial by partial: partial {@code k} takes rows
     * {@code k, k + 16, ...} in order into eight registers, so each row is read once and each partial stored
     * once; the 16 partial rows are then combined by halves, in {@link LineSums}' order. (Adding row after row
     * into partials kept in an array was bound by its stores: 16-38 us for [64, 2048] over the rows, against
     * 11.6 us for the single in-order chain before.)
     */
    static int columns(float[] a, int base, int step, int len, int cols, float[] dst, int out) {
        int done = cols - cols % DL;
        double[] p = new double[P * COLUMN_BLOCK]; // partial k of column c at p[k * w + c]
        for (int j = 0; j < done; j += COLUMN_BLOCK) {
            int w = Math.min(COLUMN_BLOCK, done - j);
            for (int k = 0; k < P; k++) {
                int rows = k < len ? (len - k + P - 1) / P : 0;
                int first = base + j + k * step;
                int c = 0;
                if (w == COLUMN_BLOCK) {
                    blockPartial(a, first, P * step, rows, p, k * w);
                    c = w;
                }
                for (; c < w; c += DL) { // a narrower last block: one vector at a time
                    DoubleVector s = DoubleVector.zero(D);
                    for (int r = 0, q = first + c; r < rows; r++, q += P * step) {
                        s = s.add(widen(a, q));
                    }
                    s.intoArray(p, k * w + c);
                }
            }
            for (int half = P / 2; half >= 1; half >>= 1) {
                for (int k = 0; k < half; k++) {
                    for (int c = 0; c < w; c += DL) {
                        DoubleVector.fromArray(D, p, k * w + c).add(DoubleVector.fromArray(D, p, (k + half) * w + c))
                                .intoArray(p, k * w + c);
                    }
                }
            }
            for (int c = 0; c < w; c++) {
                dst[out + j + c] = (float) p[c];
            }
        }
        return done;
    }

    /**
     * One partial of {@link #COLUMN_BLOCK} columns: {@code rows} rows from {@code q}, {@code stride} apart, into
     * {@code p[off ...]}.
     */
    private static void blockPartial(float[] a, int q, int stride, int rows, double[] p, int off) {
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = s0;
        DoubleVector s2 = s0;
        DoubleVector s3 = s0;
        DoubleVector s4 = s0;
        DoubleVector s5 = s0;
        DoubleVector s6 = s0;
        DoubleVector s7 = s0;
        for (int r = 0; r < rows; r++, q += stride) {
            s0 = s0.add(widen(a, q));
            s1 = s1.add(widen(a, q + DL));
            s2 = s2.add(widen(a, q + 2 * DL));
            s3 = s3.add(widen(a, q + 3 * DL));
            s4 = s4.add(widen(a, q + 4 * DL));
            s5 = s5.add(widen(a, q + 5 * DL));
            s6 = s6.add(widen(a, q + 6 * DL));
            s7 = s7.add(widen(a, q + 7 * DL));
        }
        s0.intoArray(p, off);
        s1.intoArray(p, off + DL);
        s2.intoArray(p, off + 2 * DL);
        s3.intoArray(p, off + 3 * DL);
        s4.intoArray(p, off + 4 * DL);
        s5.intoArray(p, off + 5 * DL);
        s6.intoArray(p, off + 6 * DL);
        s7.intoArray(p, off + 7 * DL);
    }

    /** {@code a[p] ... a[p + DL - 1]} widened to doubles. */
    private static DoubleVector widen(float[] a, int p) {
        return (DoubleVector) FloatVector.fromArray(F, a, p).convertShape(VectorOperators.F2D, D, 0);
    }
}
