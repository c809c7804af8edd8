package dev.cairn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane helpers of the Vector API kernels: the lane numbers as floats ({@link #IOTA}, for masks and positions
 * computed lanewise), and the sum of a vector's lanes in one fixed order, for the kernels that end a row with a
 * horizontal sum. {@code reduceLanes(ADD)} leaves the order unspecified, and it does differ between the
 * JIT tiers (the interpreter and C1 add lane by lane, C2 folds halves), so a kernel using it gave
 * different bits for the same input depending on whether it had been compiled yet: a training run with
 * a fixed seed did not repeat itself. Here the halves are folded explicitly (lane i plus lane i + L/2,
 * then + L/4, ... down to lane 0), each step an exact lanewise add of a rearranged copy, which every
 * tier computes alike and C2 compiles to the same few shuffles and adds as its own reduction. Also a
 * copy in reverse order (a flip), whole vectors with their lanes reversed. Stateless and thread-safe.
 */
final class VectorLanes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** For half = L/2, L/4, ..., 1: the shuffle that brings lane i + half to lane i. */
    private static final VectorShuffle<Float>[] FOLDS = folds();
    /** Lane i holds i. */
    static final FloatVector IOTA = FloatVector.zero(S).addIndex(1);
    private static final int L = S.length();
    /** The shuffle that brings lane L - 1 - i to lane i. */
    private static final VectorShuffle<Float> REVERSE = VectorShuffle.fromOp(S, i -> L - 1 - i);

    private VectorLanes() {
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int l = S.length();
        int steps = Integer.numberOfTrailingZeros(l);
        VectorShuffle<Float>[] f = new VectorShuffle[steps];
        for (int k = 0, half = l / 2; k < steps; k++, half /= 2) {
            int h = half;
            f[k] = VectorShuffle.fromOp(S, i -> (i + h) % l);
        }
        return f;
    }

    /** {@code d[to + i] = a[from + n - 1 - i]} for {@code i < n}. */
    static void reverseCopy(float[] a, int from, float[] d, int to, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, a, from + n - i - L).rearrange(REVERSE).intoArray(d, to + i);
        }
        for (; i < n; i++) {
            d[to + i] = a[from + n - 1 - i];
        }
    }

    /** The lanes of {@code v} (of the preferred species) summed by folding halves, in float32. */
    static float sum(FloatVector v) {
        FloatVector x = v;
        for (VectorShuffle<Float> fold : FOLDS) {
            x = x.add(x.rearrange(fold));
        }
        return x.lane(0);
    }
}
