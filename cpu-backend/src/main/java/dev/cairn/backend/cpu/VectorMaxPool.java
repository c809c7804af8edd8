package dev.cairn.backend.cpu;

import dev.cairn.backend.Window;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loop of {@link WindowKernels}' 2x2, stride-2 max pooling: {@link #L} windows of an output row
 * at once. Each input row's {@code 2L} elements are loaded as two vectors and split into even and odd columns
 * by lane permutations; the window's maximum is taken within each row first, then across the two rows, which
 * keeps PyTorch's rule (the first maximum in row-major window order wins, a NaN replaces the running maximum)
 * with selects only: the data-dependent branches of a scalar loop mispredicted about half the time (a LeNet
 * pooling layer ran at 18 ns per window). Only loaded when {@link VectorSupport#ENABLED}. Stateless; safe from
 * any thread.
 */
final class VectorMaxPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final int HALF = L / 2;
    /**
     * Lane {@code i} takes lane {@code 2i mod L}: the even lanes of a vector gathered into its lower half (and
     * again into its upper half), so the lower half of one vector and the upper half of the next blend into the
     * even columns of both.
     */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> (2 * i) % L);
    /** Lane {@code i} takes lane {@code (2i + 1) mod L}: the odd lanes, as {@link #EVEN}. */
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> (2 * i + 1) % L);
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(S, -1L << HALF);
    /** {@code 2i} in lane {@code i}: the input column of window {@code i}'s first element. */
    private static final FloatVector TWICE_IOTA = VectorLanes.IOTA.mul(2f);

    private VectorMaxPool() {
    }

    /**
     * One plane: input rows at {@code a[base + ih * sh + iw]} (unit column stride), maxima and their flat
     * positions ({@code ih * inW + iw}, as floats) to {@code dst} and {@code indices} from {@code out} on.
     */
    static void pairsPlane(float[] a, int base, int sh, Window w, float[] dst, float[] indices, int out) {
        int inW = w.inW();
        int outW = w.outW();
        int cols = 2 * outW;
        for (int oh = 0; oh < w.outH(); oh++, out += outW) {
            int r0 = base + 2 * oh * sh;
            int r1 = r0 + sh;
            float firstIndex = 2 * oh * inW;
            for (int j = 0; j < outW; j += L) {
                int iw = 2 * j;
                FloatVector a0, b0, a1, b1;
                if (r1 + iw + 2 * L <= a.length) { // whole vectors (lanes past the row are discarded): cheaper
                    // than masked loads
                    a0 = FloatVector.fromArray(S, a, r0 + iw);
                    b0 = FloatVector.fromArray(S, a, r0 + iw + L);
                    a1 = FloatVector.fromArray(S, a, r1 + iw);
                    b1 = FloatVector.fromArray(S, a, r1 + iw + L);
                } else {
                    VectorMask<Float> lo = S.indexInRange(iw, cols);
                    VectorMask<Float> hi = S.indexInRange(iw + L, cols);
                    a0 = FloatVector.fromArray(S, a, r0 + iw, lo);
                    b0 = FloatVector.fromArray(S, a, r0 + iw + L, hi);
                    a1 = FloatVector.fromArray(S, a, r1 + iw, lo);
                    b1 = FloatVector.fromArray(S, a, r1 + iw + L, hi);
                }
                FloatVector e0 = a0.rearrange(EVEN).blend(b0.rearrange(EVEN), UPPER);
                FloatVector o0 = a0.rearrange(ODD).blend(b0.rearrange(ODD), UPPER);
                FloatVector e1 = a1.rearrange(EVEN).blend(b1.rearrange(EVEN), UPPER);
                FloatVector o1 = a1.rearrange(ODD).blend(b1.rearrange(ODD), UPPER);
                FloatVector i0 = TWICE_IOTA.add(firstIndex + iw);
                // within each row: the odd column wins when greater or NaN (ties keep the even one)
                VectorMask<Float> t0 = o0.compare(VectorOperators.GT, e0).or(o0.test(VectorOperators.IS_NAN));
                FloatVector m0 = e0.blend(o0, t0);
                FloatVector p0 = i0.add(1f, t0);
                VectorMask<Float> t1 = o1.compare(VectorOperators.GT, e1).or(o1.test(VectorOperators.IS_NAN));
                FloatVector m1 = e1.blend(o1, t1);
                FloatVector p1 = i0.add(inW).add(1f, t1);
                // across the rows: the second row wins when greater or NaN (a NaN already in the first stays
                // unless the second row brings its own, as the sequential rule)
                VectorMask<Float> t = m1.compare(VectorOperators.GT, m0).or(m1.test(VectorOperators.IS_NAN));
                VectorMask<Float> keep = S.indexInRange(j, outW);
                m0.blend(m1, t).intoArray(dst, out + j, keep);
                p0.blend(p1, t).intoArray(indices, out + j, keep);
            }
        }
    }
}
