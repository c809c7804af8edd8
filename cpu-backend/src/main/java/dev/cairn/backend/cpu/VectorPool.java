package dev.cairn.backend.cpu;

import dev.cairn.backend.Window;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loop of {@link WindowKernels}' 2x2, stride-2 max pooling: one vector holds {@link #L} adjacent
 * input columns of a row, so its even lanes are the first columns of {@code L / 2} windows; the window's other
 * three elements are the loads one column right and one row down. Each is compared with the running maximum in
 * the scalar loop's order (row-major in the window; the first maximum wins, a NaN replaces the running
 * maximum), so the values and indices are the same as {@code WindowKernels.maxPoolPairs}, only with lanewise
 * blends instead of the data-dependent branches C2 makes of the scalar selects (about 50 cycles per window on a
 * LeNet activation). The even lanes are then gathered into the low half by one rearrange and stored under a
 * mask. Only loaded when {@link VectorSupport#ENABLED}. Stateless; thread-safe.
 */
final class VectorPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Windows per vector. */
    private static final int HALF = L / 2;
    /** Lane i holds i (the column offset of the lane within a vector). */
    private static final FloatVector IOTA = FloatVector.fromArray(S, iota(), 0);
    /** Moves lane 2i to lane i (the upper half gets the odd lanes, which are never stored). */
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(S, i -> i < HALF ? 2 * i : 2 * (i - HALF) + 1);

    private VectorPool() {
    }

    private static float[] iota() {
        float[] v = new float[L];
        for (int i = 0; i < L; i++) {
            v[i] = i;
        }
        return v;
    }

    /**
     * One plane of {@code maxPoolPairs}: input plane at {@code base} with row stride {@code sh} (unit column
     * stride), outputs and indices (flat positions in the {@code inH x inW} plane, as floats) from {@code out}.
     */
    static void pairs(float[] a, int base, int sh, Window w, float[] dst, float[] indices, int out) {
        int inW = w.inW();
        int outW = w.outW();
        for (int oh = 0; oh < w.outH(); oh++, out += outW) {
            int ih = 2 * oh;
            int r0 = base + ih * sh;
            int r1 = r0 + sh;
            for (int ow = 0; ow < outW; ow += HALF) {
                int iw = 2 * ow;
                int cnt = Math.min(HALF, outW - ow);
                FloatVector x00;
                FloatVector x01;
                FloatVector x10;
                FloatVector x11;
                if (r1 + iw + L + 1 <= a.length) {
                    // the lanes past the row read whatever follows it; they are never stored
                    x00 = FloatVector.fromArray(S, a, r0 + iw);
                    x01 = FloatVector.fromArray(S, a, r0 + iw + 1);
                    x10 = FloatVector.fromArray(S, a, r1 + iw);
                    x11 = FloatVector.fromArray(S, a, r1 + iw + 1);
                } else {
                    VectorMask<Float> m0 = S.indexInRange(0, 2 * cnt);
                    VectorMask<Float> m1 = S.indexInRange(0, 2 * cnt - 1);
                    x00 = FloatVector.fromArray(S, a, r0 + iw, m0);
                    x01 = FloatVector.fromArray(S, a, r0 + iw + 1, m1);
                    x10 = FloatVector.fromArray(S, a, r1 + iw, m0);
                    x11 = FloatVector.fromArray(S, a, r1 + iw + 1, m1);
                }
                FloatVector at = IOTA.add((float) (ih * inW + iw));
                FloatVector max = x00;
                FloatVector best = at;
                VectorMask<Float> take = x01.compare(VectorOperators.GT, max).or(x01.compare(VectorOperators.NE, x01));
                max = max.blend(x01, take);
                best = best.blend(at.add(1f), take);
                take = x10.compare(VectorOperators.GT, max).or(x10.compare(VectorOperators.NE, x10));
                max = max.blend(x10, take);
                best = best.blend(at.add((float) inW), take);
                take = x11.compare(VectorOperators.GT, max).or(x11.compare(VectorOperators.NE, x11));
                max = max.blend(x11, take);
                best = best.blend(at.add((float) (inW + 1)), take);
                VectorMask<Float> store = S.indexInRange(0, cnt);
                max.rearrange(EVENS).intoArray(dst, out + ow, store);
                best.rearrange(EVENS).intoArray(indices, out + ow, store);
            }
        }
    }
}
