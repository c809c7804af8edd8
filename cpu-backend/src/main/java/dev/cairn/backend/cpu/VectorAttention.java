package dev.cairn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops of {@link AttentionKernels}: a query row's scores against the transposed key (vectors
 * along the keys), and the weighted sum of the value, along its rows or, for values narrower than a vector,
 * as dot products with its transposed columns. Only loaded when {@link VectorSupport#ENABLED}. Stateless;
 * safe from any thread.
 */
final class VectorAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorAttention() {
    }

    /**
     * Whether value rows of {@code dv} elements are read better by columns than by rows for {@code s} keys: rows
     * narrower than a vector, over at least a vector of keys (with fewer keys a column's dot product would be
     * a scalar chain; a masked row vector does the same chains at once).
     */
    static boolean narrow(int dv, int s) {
        return dv < L && s >= L;
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

    /** {@code dst[out + c] = sum_j p[j] * vt[c * s + j]}: one dot product along the keys per column. */
    static void weighColumns(float[] p, float[] vt, int s, int dv, float[] dst, int out) {
        int bound = S.loopBound(s);
        for (int c = 0; c < dv; c++) {
            int row = c * s;
            FloatVector acc = FloatVector.zero(S);
            int j = 0;
            for (; j < bound; j += L) {
                acc = FloatVector.fromArray(S, p, j).fma(FloatVector.fromArray(S, vt, row + j), acc);
            }
            float sum = bound == 0 ? 0f : VectorLanes.sum(acc); // fewer keys than lanes: no vector part
            for (; j < s; j++) {
                sum = Math.fma(p[j], vt[row + j], sum);
            }
            dst[out + c] = sum;
        }
    }
}
