package dev.cairn.backend.cuda;

import java.util.Arrays;

/**
 * A shape with one, two or three stride vectors, simplified for a kernel launch: dimensions of size 1
 * are dropped and neighbouring dimensions that are contiguous in every operand are merged, so that a
 * dense view becomes rank 1 with stride 1. Packed into the {@code Layout} struct of
 * {@code src/main/cuda/cairn_common.cuh} ({@code int[1 + 3 * MAX_RANK]}: rank, shape, s0, s1) or, with
 * three operands, the {@code Layout3} struct ({@link #pack3}). Pure Java, so it is tested without a GPU;
 * immutable.
 */
final class Layout {
    /** The highest rank a kernel takes in one launch ({@code CAIRN_MAX_RANK}). */
    static final int MAX_RANK = 8;

    final int[] shape;
    final int[] s0;
    final int[] s1;
    final int[] s2;

    private Layout(int[] shape, int[] s0, int[] s1, int[] s2) {
        this.shape = shape;
        this.s0 = s0;
        this.s1 = s1;
        this.s2 = s2;
    }

    /** Coalesces {@code shape} with one ({@code s1 == null}) or two stride vectors. */
    static Layout of(int[] shape, int[] s0, int[] s1) {
        return of(shape, s0, s1, null);
    }

    /** Coalesces {@code shape} with up to three stride vectors ({@code null} ones count as all 0). */
    static Layout of(int[] shape, int[] s0, int[] s1, int[] s2) {
        int r = shape.length;
        int[] sh = new int[r];
        int[] a = new int[r];
        int[] b = new int[r];
        int[] c = new int[r];
        int n = 0;
        for (int d = 0; d < r; d++) {
            if (shape[d] == 0) {
                // An empty view: no element to visit.
                return new Layout(new int[] {0}, new int[] {0}, new int[] {0}, new int[] {0});
            }
            if (shape[d] == 1) {
                continue;
            }
            int sa = s0[d];
            int sb = s1 == null ? 0 : s1[d];
            int sc = s2 == null ? 0 : s2[d];
            if (n > 0 && a[n - 1] == sa * shape[d] && b[n - 1] == sb * shape[d] && c[n - 1] == sc * shape[d]) {
                // The previous (outer) dimension steps exactly over this one in every operand: merge.
                sh[n - 1] *= shape[d];
                a[n - 1] = sa;
                b[n - 1] = sb;
                c[n - 1] = sc;
            } else {
                sh[n] = shape[d];
                a[n] = sa;
                b[n] = sb;
                c[n] = sc;
                n++;
            }
        }
        return new Layout(Arrays.copyOf(sh, n), Arrays.copyOf(a, n), Arrays.copyOf(b, n), Arrays.copyOf(c, n));
    }

    int rank() {
        return shape.length;
    }

    long numel() {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** Whether operand 0 (and 1, when present) are dense: rank 0, or rank 1 with stride 1. */
    boolean isDense(boolean both) {
        return rank() == 0 || (rank() == 1 && s0[0] == 1 && (!both || s1[0] == 1));
    }

    /** The trailing {@code min(rank, MAX_RANK)} dimensions, packed for a kernel parameter. */
    int[] packInner() {
        int[] p = new int[1 + 3 * MAX_RANK];
        int r = Math.min(rank(), MAX_RANK);
        int lead = rank() - r;
        p[0] = r;
        for (int d = 0; d < r; d++) {
            p[1 + d] = shape[lead + d];
            p[1 + MAX_RANK + d] = s0[lead + d];
            p[1 + 2 * MAX_RANK + d] = s1[lead + d];
        }
        return p;
    }

    /** The trailing dimensions with all three stride vectors, for the {@code Layout3} struct ({@code int[1 + 4 * MAX_RANK]}). */
    int[] pack3() {
        int[] p = new int[1 + 4 * MAX_RANK];
        System.arraycopy(packInner(), 0, p, 0, 1 + 3 * MAX_RANK);
        int r = p[0];
        int lead = rank() - r;
        for (int d = 0; d < r; d++) {
            p[1 + 3 * MAX_RANK + d] = s2[lead + d];
        }
        return p;
    }

    /** Number of leading dimensions that do not fit a single launch (the caller loops over them). */
    int leadingRank() {
        return Math.max(0, rank() - MAX_RANK);
    }

    /** Elements covered by one launch over the inner dimensions. */
    long innerNumel() {
        long n = 1;
        for (int d = leadingRank(); d < rank(); d++) {
            n *= shape[d];
        }
        return n;
    }

    /** Number of launches: the product of the leading dimensions. */
    long outerCount() {
        long n = 1;
        for (int d = 0; d < leadingRank(); d++) {
            n *= shape[d];
        }
        return n;
    }

    /** Offsets of operands 0, 1 and 2 for launch number {@code outer} (a row-major index over the leading dims). */
    long[] outerOffsets(long outer) {
        long o0 = 0;
        long o1 = 0;
        long o2 = 0;
        for (int d = leadingRank() - 1; d >= 0; d--) {
            long c = outer % shape[d];
            outer /= shape[d];
            o0 += c * s0[d];
            o1 += c * s1[d];
            o2 += c * s2[d];
        }
        return new long[] {o0, o1, o2};
    }

    @Override
    public String toString() {
        return "Layout" + Arrays.toString(shape) + " s0=" + Arrays.toString(s0) + " s1=" + Arrays.toString(s1)
                + " s2=" + Arrays.toString(s2);
    }
}
