package dev.cairn.backend.cpu;

/**
 * The order in which a float32 sum adds a line's elements, the same on every path (dense, strided, over an
 * outer dimension, any thread split), so that the bits of a sum depend on the values alone. Element {@code i}
 * of a line goes to partial sum {@code i % 16}; each partial adds its elements in order in double, starting
 * from +0; the 16 partials are then combined by halves, lane by lane ({@code p[k] += p[k + 8]}, then
 * {@code + 4}, {@code + 2}, {@code + 1}), and the total is rounded to float once. Sixteen partials are what one
 * 512-bit register pair of doubles holds, so a dense line sums at the rate of vector adds rather than one
 * chain of scalar adds (see {@code VectorLineSums}). Stateless; thread-safe.
 */
final class LineSums {
    private LineSums() {
    }

    /** How many partial sums a line has. */
    static final int PARTIALS = 16;

    /**
     * The sum of {@code a[start + i * step]} for {@code i < len} in the order above, one element at a time
     * (any layout; the reference the vector paths agree with bit for bit).
     */
    @SuppressWarnings("fallthrough")
    static float line(float[] a, int start, int step, int len) {
        // sixteen locals rather than an array: no allocation for the short lines of a batch-1 model (a sum of
        // [1, 20] took 40 ns with one chain, 52 with an array of partials), sixteen independent chains for long
        // ones
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        double s8 = 0, s9 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0, s14 = 0, s15 = 0;
        int groups = len & -PARTIALS;
        int q = start;
        for (int i = 0; i < groups; i += PARTIALS, q += PARTIALS * step) {
            s0 += a[q];
            s1 += a[q + step];
            s2 += a[q + 2 * step];
            s3 += a[q + 3 * step];
            s4 += a[q + 4 * step];
            s5 += a[q + 5 * step];
            s6 += a[q + 6 * step];
            s7 += a[q + 7 * step];
            s8 += a[q + 8 * step];
            s9 += a[q + 9 * step];
            s10 += a[q + 10 * step];
            s11 += a[q + 11 * step];
            s12 += a[q + 12 * step];
            s13 += a[q + 13 * step];
            s14 += a[q + 14 * step];
            s15 += a[q + 15 * step];
        }
        switch (len - groups) { // the last elements, element groups + k the last one of partial k
            case 15: s14 += a[q + 14 * step]; // fall through
            case 14: s13 += a[q + 13 * step]; // fall through
            case 13: s12 += a[q + 12 * step]; // fall through
            case 12: s11 += a[q + 11 * step]; // fall through
            case 11: s10 += a[q + 10 * step]; // fall through
            case 10: s9 += a[q + 9 * step]; // fall through
            case 9: s8 += a[q + 8 * step]; // fall through
            case 8: s7 += a[q + 7 * step]; // fall through
            case 7: s6 += a[q + 6 * step]; // fall through
            case 6: s5 += a[q + 5 * step]; // fall through
            case 5: s4 += a[q + 4 * step]; // fall through
            case 4: s3 += a[q + 3 * step]; // fall through
            case 3: s2 += a[q + 2 * step]; // fall through
            case 2: s1 += a[q + step]; // fall through
            case 1: s0 += a[q]; // fall through
            default: break;
        }
        // combine(), written out
        s0 += s8;
        s1 += s9;
        s2 += s10;
        s3 += s11;
        s4 += s12;
        s5 += s13;
        s6 += s14;
        s7 += s15;
        s0 += s4;
        s1 += s5;
        s2 += s6;
        s3 += s7;
        s0 += s2;
        s1 += s3;
        return (float) (s0 + s1);
    }

    /**
     * Adds elements {@code from} to {@code len - 1} of a line to their partials {@code p[off + i % 16]}, in
     * order.
     */
    static void addInOrder(float[] a, int start, int step, int from, int len, double[] p, int off) {
        for (int i = from, q = start + from * step; i < len; i++, q += step) {
            p[off + (i & (PARTIALS - 1))] += a[q];
        }
    }

    /** The sum of the 16 partials {@code p[off] ... p[off + 15]} by halves, rounded to float (overwrites them). */
    static float combine(double[] p, int off) {
        for (int half = PARTIALS / 2; half >= 1; half >>= 1) {
            for (int k = 0; k < half; k++) {
                p[off + k] += p[off + k + half];
            }
        }
        return (float) p[off];
    }
}
