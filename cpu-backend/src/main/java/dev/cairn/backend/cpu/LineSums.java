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
    static float line(float[] a, int start, int step, int len) {
        double[] p = new double[PARTIALS];
        addInOrder(a, start, step, 0, len, p, 0);
        return combine(p, 0);
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
