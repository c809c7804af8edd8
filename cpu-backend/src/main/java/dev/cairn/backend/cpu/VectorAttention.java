package dev.cairn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops of {@link AttentionKernels}: a query row's scores against the transposed key (vectors
 * along the keys), and the weighted sum of the value along its rows, one row or four at a time. Only loaded
 * when {@link VectorSupport#ENABLED}. Stateless; safe from any thread.
 */
final class VectorAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorAttention() {
    }

    /** Lane i holds {@code i * rowStride}: the gather map of {@link #transposeKey} over the key's rows. */
    static int[] keyRows(int rowStride) {
        int[] map = new int[L];
        for (int i = 0; i < L; i++) {
            map[i] = i * rowStride;
        }
        return map;
    }

    /**
     * {@code kt[c * s + j] = k[base + j * rowStride + c * colStride]}: the key transposed, a vector of keys
     * gathered per element of the head ({@code lanes} from {@link #keyRows}), the last {@code s mod L} keys one
     * by one.
     */
    static void transposeKey(float[] k, int base, int rowStride, int colStride, int s, int d, float[] kt, int[] lanes) {
        int bound = S.loopBound(s);
        for (int j = 0; j < bound; j += L) {
            int row = base + j * rowStride;
            for (int c = 0; c < d; c++) {
                FloatVector.fromArray(S, k, row + c * colStride, lanes, 0).intoArray(kt, c * s + j);
            }
        }
        if (bound < s) {
            AttentionKernels.packKeyTransposed(k, base, rowStride, colStride, s, d, kt, bound);
        }
    }

    /**
     * {@code scores[j] = sum_c qrow[c] * kt[c * s + j]}, a fused multiply-add chain over {@code c} per key; the
     * last {@code s mod L} keys (all of them when there are fewer keys than lanes, as at 12 tokens) as one
     * masked vector, the same chain per lane as a scalar loop and so the same bits.
     */
    static void scores(float[] qrow, float[] kt, int d, int s, float[] scores) {
        int bound = S.loopBound(s);
        int j = 0;
        for (; j < bound; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int c = 0; c < d; c++) {
                acc = FloatVector.fromArray(S, kt, c * s + j).fma(FloatVector.broadcast(S, qrow[c]), acc);
            }
            acc.intoArray(scores, j);
        }
        if (j < s) {
            VectorMask<Float> tail = S.indexInRange(j, s);
            FloatVector acc = FloatVector.zero(S);
            for (int c = 0; c < d; c++) {
                acc = FloatVector.fromArray(S, kt, c * s + j, tail).fma(FloatVector.broadcast(S, qrow[c]), acc);
            }
            acc.intoArray(scores, j, tail);
        }
    }

    /**
     * {@code dst[out + c] = sum_j p[j] * vp[j * dv + c]}: vectors along the value's rows, the last
     * {@code dv mod L} columns as one masked vector (the same fused multiply-add chain over {@code j} per column as
     * a scalar loop).
     */
    static void weighRows(float[] p, float[] vp, int s, int dv, float[] dst, int out) {
        int bound = S.loopBound(dv);
        int c = 0;
        for (; c < bound; c += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < s; j++) {
                acc = FloatVector.fromArray(S, vp, j * dv + c).fma(FloatVector.broadcast(S, p[j]), acc);
            }
            acc.intoArray(dst, out + c);
        }
        if (c < dv) {
            VectorMask<Float> tail = S.indexInRange(c, dv);
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < s; j++) {
                acc = FloatVector.fromArray(S, vp, j * dv + c, tail).fma(FloatVector.broadcast(S, p[j]), acc);
            }
            acc.intoArray(dst, out + c, tail);
        }
    }

    /** Query rows handled together by {@link #scores4} and {@link #weighRows4}: one key or value load per four fmas. */
    static final int ROWS = 4;

    /**
     * {@link #scores} for four query rows at once ({@code q[r * d + c]}, scores to {@code out[r * stride + j]}):
     * each key vector is loaded once for the four rows; every score is the same fma chain over {@code c} as
     * there, so the same bits.
     */
    static void scores4(float[] q, float[] kt, int d, int s, float[] out, int stride) {
        int j = 0;
        for (; j + 2 * L <= s; j += 2 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S), b0 = FloatVector.zero(S), b1 = FloatVector.zero(S);
            FloatVector b2 = FloatVector.zero(S), b3 = FloatVector.zero(S);
            for (int c = 0; c < d; c++) {
                FloatVector k0 = FloatVector.fromArray(S, kt, c * s + j);
                FloatVector k1 = FloatVector.fromArray(S, kt, c * s + j + L);
                FloatVector q0 = FloatVector.broadcast(S, q[c]);
                FloatVector q1 = FloatVector.broadcast(S, q[d + c]);
                FloatVector q2 = FloatVector.broadcast(S, q[2 * d + c]);
                FloatVector q3 = FloatVector.broadcast(S, q[3 * d + c]);
                a0 = k0.fma(q0, a0);
                a1 = k0.fma(q1, a1);
                a2 = k0.fma(q2, a2);
                a3 = k0.fma(q3, a3);
                b0 = k1.fma(q0, b0);
                b1 = k1.fma(q1, b1);
                b2 = k1.fma(q2, b2);
                b3 = k1.fma(q3, b3);
            }
            a0.intoArray(out, j);
            a1.intoArray(out, stride + j);
            a2.intoArray(out, 2 * stride + j);
            a3.intoArray(out, 3 * stride + j);
            b0.intoArray(out, j + L);
            b1.intoArray(out, stride + j + L);
            b2.intoArray(out, 2 * stride + j + L);
            b3.intoArray(out, 3 * stride + j + L);
        }
        for (; j < s; j += L) {
            VectorMask<Float> m = S.indexInRange(j, s);
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            for (int c = 0; c < d; c++) {
                FloatVector k0 = FloatVector.fromArray(S, kt, c * s + j, m);
                a0 = k0.fma(FloatVector.broadcast(S, q[c]), a0);
                a1 = k0.fma(FloatVector.broadcast(S, q[d + c]), a1);
                a2 = k0.fma(FloatVector.broadcast(S, q[2 * d + c]), a2);
                a3 = k0.fma(FloatVector.broadcast(S, q[3 * d + c]), a3);
            }
            a0.intoArray(out, j, m);
            a1.intoArray(out, stride + j, m);
            a2.intoArray(out, 2 * stride + j, m);
            a3.intoArray(out, 3 * stride + j, m);
        }
    }

    /**
     * {@link #weighRows} for four rows of weights at once ({@code p[r * stride + j]}, results to
     * {@code dst[out + r * dv + c]}): each value vector is loaded once for the four rows. Whole pairs of
     * vectors of columns are the same fma chain over {@code j} as there; the masked last vector sums even and
     * odd keys apart (rounded differently, not the same bits).
     */
    static void weighRows4(float[] p, int stride, float[] vp, int s, int dv, float[] dst, int out) {
        int c = 0;
        for (; c + 2 * L <= dv; c += 2 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S), b0 = FloatVector.zero(S), b1 = FloatVector.zero(S);
            FloatVector b2 = FloatVector.zero(S), b3 = FloatVector.zero(S);
            for (int j = 0; j < s; j++) {
                FloatVector v0 = FloatVector.fromArray(S, vp, j * dv + c);
                FloatVector v1 = FloatVector.fromArray(S, vp, j * dv + c + L);
                FloatVector p0 = FloatVector.broadcast(S, p[j]);
                FloatVector p1 = FloatVector.broadcast(S, p[stride + j]);
                FloatVector p2 = FloatVector.broadcast(S, p[2 * stride + j]);
                FloatVector p3 = FloatVector.broadcast(S, p[3 * stride + j]);
                a0 = v0.fma(p0, a0);
                a1 = v0.fma(p1, a1);
                a2 = v0.fma(p2, a2);
                a3 = v0.fma(p3, a3);
                b0 = v1.fma(p0, b0);
                b1 = v1.fma(p1, b1);
                b2 = v1.fma(p2, b2);
                b3 = v1.fma(p3, b3);
            }
            a0.intoArray(dst, out + c);
            a1.intoArray(dst, out + dv + c);
            a2.intoArray(dst, out + 2 * dv + c);
            a3.intoArray(dst, out + 3 * dv + c);
            b0.intoArray(dst, out + c + L);
            b1.intoArray(dst, out + dv + c + L);
            b2.intoArray(dst, out + 2 * dv + c + L);
            b3.intoArray(dst, out + 3 * dv + c + L);
        }
        for (; c < dv; c += L) {
            // a masked vector of columns (all of them for values narrower than a vector): even and odd keys
            // summed apart, eight chains in flight rather than four, then added
            VectorMask<Float> m = S.indexInRange(c, dv);
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S), b0 = FloatVector.zero(S), b1 = FloatVector.zero(S);
            FloatVector b2 = FloatVector.zero(S), b3 = FloatVector.zero(S);
            int j = 0;
            for (; j + 1 < s; j += 2) {
                FloatVector v0 = FloatVector.fromArray(S, vp, j * dv + c, m);
                FloatVector v1 = FloatVector.fromArray(S, vp, (j + 1) * dv + c, m);
                a0 = v0.fma(FloatVector.broadcast(S, p[j]), a0);
                a1 = v0.fma(FloatVector.broadcast(S, p[stride + j]), a1);
                a2 = v0.fma(FloatVector.broadcast(S, p[2 * stride + j]), a2);
                a3 = v0.fma(FloatVector.broadcast(S, p[3 * stride + j]), a3);
                b0 = v1.fma(FloatVector.broadcast(S, p[j + 1]), b0);
                b1 = v1.fma(FloatVector.broadcast(S, p[stride + j + 1]), b1);
                b2 = v1.fma(FloatVector.broadcast(S, p[2 * stride + j + 1]), b2);
                b3 = v1.fma(FloatVector.broadcast(S, p[3 * stride + j + 1]), b3);
            }
            if (j < s) {
                FloatVector v0 = FloatVector.fromArray(S, vp, j * dv + c, m);
                a0 = v0.fma(FloatVector.broadcast(S, p[j]), a0);
                a1 = v0.fma(FloatVector.broadcast(S, p[stride + j]), a1);
                a2 = v0.fma(FloatVector.broadcast(S, p[2 * stride + j]), a2);
                a3 = v0.fma(FloatVector.broadcast(S, p[3 * stride + j]), a3);
            }
            a0.add(b0).intoArray(dst, out + c, m);
            a1.add(b1).intoArray(dst, out + dv + c, m);
            a2.add(b2).intoArray(dst, out + 2 * dv + c, m);
            a3.add(b3).intoArray(dst, out + 3 * dv + c, m);
        }
    }
}
