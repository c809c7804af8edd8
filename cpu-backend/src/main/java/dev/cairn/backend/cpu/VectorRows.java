package dev.cairn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops over unit-stride lines: softmax (maximum, sum of exponentials, write), its gradient, and
 * layer norm's statistics, write and gradients. Only loaded when {@link VectorSupport#ENABLED}; the plain
 * loops of {@link RowKernels} and {@link LayerNormKernels} give the same values otherwise (the sums differ
 * only in their order of addition). Stateless; safe from any thread.
 */
final class VectorRows {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorRows() {
    }

    static void softmax(float[] a, int ia, float[] d, int id, int n, boolean log) {
        int bound = S.loopBound(n);
        float max;
        if (n >= L) { // four chains of Math.max steps side by side: NaN propagates (its bits do not matter here)
            max = VectorElementwise.extremum(true, a, ia, n);
        } else {
            max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, a[ia + i]);
            }
        }
        FloatVector vsum = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector e = FloatVector.fromArray(S, a, ia + i).sub(max).lanewise(VectorOperators.EXP);
            if (!log) {
                e.intoArray(d, id + i);
            }
            vsum = vsum.add(e);
        }
        double sum = VectorLanes.sum(vsum);
        for (; i < n; i++) {
            float e = (float) Math.exp(a[ia + i] - max);
            if (!log) {
                d[id + i] = e;
            }
            sum += e;
        }
        i = 0;
        if (log) {
            float logSum = (float) Math.log(sum);
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ia + i).sub(max).sub(logSum).intoArray(d, id + i);
            }
            for (; i < n; i++) {
                d[id + i] = a[ia + i] - max - logSum;
            }
        } else {
            float scale = (float) (1.0 / sum);
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, d, id + i).mul(scale).intoArray(d, id + i);
            }
            for (; i < n; i++) {
                d[id + i] *= scale;
            }
        }
    }

    /**
     * Softmax of a line of {@code 0 < n < L} elements in place, as one masked vector: the exponentials of
     * {@link #softmax} (the vector exp) summed by {@link VectorLanes#sum}, for attention over fewer keys than
     * lanes, where the scalar line ran {@code Math.exp} element by element.
     */
    static void softmaxShort(float[] a, int ia, int n) {
        VectorMask<Float> m = S.indexInRange(0, n);
        FloatVector v = FloatVector.fromArray(S, a, ia, m);
        float max = v.reduceLanes(VectorOperators.MAX, m); // NaN propagates, as Math.max
        FloatVector e = v.sub(max).lanewise(VectorOperators.EXP).blend(0f, m.not());
        float scale = (float) (1.0 / VectorLanes.sum(e));
        e.mul(scale).intoArray(a, ia, m);
    }

    static void softmaxBackward(float[] y, int iy, float[] g, int ig, float[] d, int id, int n, boolean log) {
        int bound = S.loopBound(n);
        FloatVector vsum = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, ig + i);
            vsum = log ? vsum.add(gv) : gv.fma(FloatVector.fromArray(S, y, iy + i), vsum);
        }
        double sum = VectorLanes.sum(vsum);
        for (; i < n; i++) {
            sum += log ? g[ig + i] : g[ig + i] * y[iy + i];
        }
        float s = (float) sum;
        i = 0;
        for (; i < bound; i += L) {
            FloatVector yv = FloatVector.fromArray(S, y, iy + i);
            FloatVector gv = FloatVector.fromArray(S, g, ig + i);
            (log ? gv.sub(yv.lanewise(VectorOperators.EXP).mul(s)) : yv.mul(gv.sub(s))).intoArray(d, id + i);
        }
        for (; i < n; i++) {
            d[id + i] = log ? g[ig + i] - (float) Math.exp(y[iy + i]) * s : y[iy + i] * (g[ig + i] - s);
        }
    }

    static void layerNorm(float[] a, int ia, float[] w, int wOff, float[] b, int bOff, float eps, float[] d, int id,
                          int n, float[] mean, float[] rstd, int row) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += L) {
            acc = acc.add(FloatVector.fromArray(S, a, ia + i));
        }
        double s = VectorLanes.sum(acc);
        for (; i < n; i++) {
            s += a[ia + i];
        }
        float mu = (float) (s / n);
        acc = FloatVector.zero(S);
        i = 0;
        for (; i < bound; i += L) {
            FloatVector c = FloatVector.fromArray(S, a, ia + i).sub(mu);
            acc = c.fma(c, acc);
        }
        double v = VectorLanes.sum(acc);
        for (; i < n; i++) {
            float c = a[ia + i] - mu;
            v += c * c;
        }
        float rs = (float) (1.0 / Math.sqrt((float) (v / n) + eps));
        i = 0;
        for (; i < bound; i += L) {
            FloatVector y = FloatVector.fromArray(S, a, ia + i).sub(mu).mul(rs);
            if (w != null) {
                y = y.mul(FloatVector.fromArray(S, w, wOff + i));
            }
            if (b != null) {
                y = y.add(FloatVector.fromArray(S, b, bOff + i));
            }
            y.intoArray(d, id + i);
        }
        for (; i < n; i++) {
            float y = (a[ia + i] - mu) * rs;
            if (w != null) {
                y *= w[wOff + i];
            }
            if (b != null) {
                y += b[bOff + i];
            }
            d[id + i] = y;
        }
        mean[row] = mu;
        rstd[row] = rs;
    }

    static void layerNormBackward(float[] a, int ia, float[] g, int ig, float[] w, int wOff, float mu, float rs,
                                  float[] dx, int id, int n) {
        int bound = S.loopBound(n);
        FloatVector accGw = FloatVector.zero(S);
        FloatVector accGwXhat = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector gw = FloatVector.fromArray(S, g, ig + i);
            if (w != null) {
                gw = gw.mul(FloatVector.fromArray(S, w, wOff + i));
            }
            FloatVector xhat = FloatVector.fromArray(S, a, ia + i).sub(mu).mul(rs);
            accGw = accGw.add(gw);
            accGwXhat = gw.fma(xhat, accGwXhat);
        }
        double sumGw = VectorLanes.sum(accGw);
        double sumGwXhat = VectorLanes.sum(accGwXhat);
        for (; i < n; i++) {
            float gw = w == null ? g[ig + i] : g[ig + i] * w[wOff + i];
            sumGw += gw;
            sumGwXhat += gw * ((a[ia + i] - mu) * rs);
        }
        float mGw = (float) (sumGw / n);
        float mGwXhat = (float) (sumGwXhat / n);
        i = 0;
        for (; i < bound; i += L) {
            FloatVector gw = FloatVector.fromArray(S, g, ig + i);
            if (w != null) {
                gw = gw.mul(FloatVector.fromArray(S, w, wOff + i));
            }
            FloatVector xhat = FloatVector.fromArray(S, a, ia + i).sub(mu).mul(rs);
            gw.sub(mGw).sub(xhat.mul(mGwXhat)).mul(rs).intoArray(dx, id + i);
        }
        for (; i < n; i++) {
            float gw = w == null ? g[ig + i] : g[ig + i] * w[wOff + i];
            float xhat = (a[ia + i] - mu) * rs;
            dx[id + i] = rs * (gw - mGw - xhat * mGwXhat);
        }
    }

    /** Columns {@code [c0, c1)} of {@code dweight = sum_rows(g * xhat)} and {@code dbias = sum_rows(g)}. */
    static void layerNormParamGrads(float[] a, int xOff, int xs, float[] g, int gOff, int gs, float[] mean,
                                    float[] rstd, int rows, int c0, int c1, float[] dweight, float[] dbias) {
        int j = c0;
        for (; j + L <= c1; j += L) {
            FloatVector sw = FloatVector.zero(S);
            FloatVector sb = FloatVector.zero(S);
            for (int r = 0; r < rows; r++) {
                FloatVector gv = FloatVector.fromArray(S, g, gOff + r * gs + j);
                FloatVector xhat = FloatVector.fromArray(S, a, xOff + r * xs + j).sub(mean[r]).mul(rstd[r]);
                sw = gv.fma(xhat, sw);
                sb = sb.add(gv);
            }
            if (dweight != null) {
                sw.intoArray(dweight, j);
            }
            if (dbias != null) {
                sb.intoArray(dbias, j);
            }
        }
        for (; j < c1; j++) {
            double sw = 0;
            double sb = 0;
            for (int r = 0; r < rows; r++) {
                float gv = g[gOff + r * gs + j];
                sw += gv * ((a[xOff + r * xs + j] - mean[r]) * rstd[r]);
                sb += gv;
            }
            if (dweight != null) {
                dweight[j] = (float) sw;
            }
            if (dbias != null) {
                dbias[j] = (float) sb;
            }
        }
    }
}
