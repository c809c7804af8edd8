package dev.cairn.backend.cpu;

import jdk.incubator.vector.FloatVector;
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

    /** Whether value rows of {@code dv} elements are read better by columns than by rows. */
    static boolean narrow(int dv) {
        return dv < L;
    }

    /** {@code scores[j] = sum_c qrow[c] * kt[c * s + j]}. */
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
        for (; j < s; j++) {
            float acc = 0f;
            for (int c = 0; c < d; c++) {
                acc = Math.fma(qrow[c], kt[c * s + j], acc);
            }
            scores[j] = acc;
        }
    }

    /** {@code dst[out + c] = sum_j p[j] * vp[j * dv + c]}: vectors along the value's rows. */
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
        for (; c < dv; c++) {
            float acc = 0f;
            for (int j = 0; j < s; j++) {
                acc = Math.fma(p[j], vp[j * dv + c], acc);
            }
            dst[out + c] = acc;
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
