package dev.cairn.backend.cpu;

import dev.cairn.backend.StridedView;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops of {@link BatchNormKernels}: over one unit-stride spatial run of a channel (its sum, the
 * sum of squared deviations, the affine write, the gradient sums and the input gradient), and across blocks
 * of {@link #L} channels of a {@code [N, C]} input with unit channel stride (one value per sample and channel,
 * so the lanes are channels). Only loaded when {@link VectorSupport#ENABLED}; the plain loops of
 * {@link BatchNormKernels} give the same values otherwise (the sums differ in their order of addition and here
 * run in float within a run or a block). Stateless; safe from any thread.
 */
final class VectorBatchNorm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private VectorBatchNorm() {
    }

    static float runSum(float[] a, int ia, int n) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += L) {
            acc = acc.add(FloatVector.fromArray(S, a, ia + i));
        }
        float s = VectorLanes.sum(acc);
        for (; i < n; i++) {
            s += a[ia + i];
        }
        return s;
    }

    static float runSquaredDeviations(float[] a, int ia, int n, float mu) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, a, ia + i).sub(mu);
            acc = d.fma(d, acc);
        }
        float s = VectorLanes.sum(acc);
        for (; i < n; i++) {
            float d = a[ia + i] - mu;
            s += d * d;
        }
        return s;
    }

    /** {@code d[id + i] = (a[ia + i] - mu) * scale + shift}. */
    static void runAffine(float[] a, int ia, int n, float mu, float scale, float shift, float[] d, int id) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).sub(mu).mul(scale).add(shift).intoArray(d, id + i);
        }
        for (; i < n; i++) {
            d[id + i] = (a[ia + i] - mu) * scale + shift;
        }
    }

    /** {@code acc[0] = sum(g)}, {@code acc[1] = sum(g * (x - mu))} over one run. */
    static void runGradientSums(float[] g, int ig, float[] a, int ia, int n, float mu, double[] acc) {
        int bound = S.loopBound(n);
        FloatVector sg = FloatVector.zero(S);
        FloatVector sgx = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, ig + i);
            sg = sg.add(gv);
            sgx = gv.fma(FloatVector.fromArray(S, a, ia + i).sub(mu), sgx);
        }
        double s0 = VectorLanes.sum(sg);
        double s1 = VectorLanes.sum(sgx);
        for (; i < n; i++) {
            float gv = g[ig + i];
            s0 += gv;
            s1 += gv * (a[ia + i] - mu);
        }
        acc[0] = s0;
        acc[1] = s1;
    }

    /** {@code dx = (g - gMean - (x - mu) * k) * scale} over one run. */
    static void runInputGradient(float[] g, int ig, float[] a, int ia, int n, float mu, float gMean, float k,
                                 float scale, float[] dx, int id) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, ig + i);
            FloatVector xc = FloatVector.fromArray(S, a, ia + i).sub(mu);
            gv.sub(gMean).sub(xc.mul(k)).mul(scale).intoArray(dx, id + i);
        }
        for (; i < n; i++) {
            dx[id + i] = (g[ig + i] - gMean - (a[ia + i] - mu) * k) * scale;
        }
    }

    /** The forward pass of the channels {@code [c0, c1)} ({@code c1 - c0} a multiple of L) of a {@code [N, C, 1]} x. */
    static void forwardAcross(StridedView x, BatchNormKernels.Params p, boolean training, float momentum, float eps,
                              float[] dst, float[] mean, float[] invstd, int c0, int c1) {
        float[] a = ((CpuStorage) x.storage()).data;
        int n = x.shape()[0];
        int channels = x.shape()[1];
        int sn = x.strides()[0];
        int off = x.offset();
        float[] lanes = new float[L];
        float[] lanes2 = new float[L];
        for (int c = c0; c < c1; c += L) {
            FloatVector mu;
            FloatVector inv;
            if (training) {
                // summed in float relative to the first sample, so that an offset common to the batch cancels
                FloatVector x0 = FloatVector.fromArray(S, a, off + c);
                FloatVector s = FloatVector.zero(S);
                for (int i = 1; i < n; i++) {
                    s = s.add(FloatVector.fromArray(S, a, off + i * sn + c).sub(x0));
                }
                mu = x0.add(s.div((float) n));
                FloatVector q = FloatVector.zero(S);
                for (int i = 0; i < n; i++) {
                    FloatVector d = FloatVector.fromArray(S, a, off + i * sn + c).sub(mu);
                    q = d.fma(d, q);
                }
                inv = FloatVector.broadcast(S, 1f).div(q.div((float) n).add(eps).lanewise(VectorOperators.SQRT));
                mu.intoArray(lanes, 0);
                q.intoArray(lanes2, 0);
                for (int j = 0; j < L; j++) {
                    p.updateRunning(c + j, momentum, lanes[j], lanes2[j] / (n - 1.0));
                }
            } else {
                for (int j = 0; j < L; j++) {
                    lanes[j] = p.runningMean(c + j);
                    lanes2[j] = (float) (1.0 / Math.sqrt((double) p.runningVar(c + j) + eps));
                }
                mu = FloatVector.fromArray(S, lanes, 0);
                inv = FloatVector.fromArray(S, lanes2, 0);
            }
            mu.intoArray(mean, c);
            inv.intoArray(invstd, c);
            FloatVector scale = p.w == null ? inv : inv.mul(FloatVector.fromArray(S, p.w, p.wOff + c));
            FloatVector shift = p.b == null ? FloatVector.zero(S) : FloatVector.fromArray(S, p.b, p.bOff + c);
            for (int i = 0; i < n; i++) {
                FloatVector.fromArray(S, a, off + i * sn + c).sub(mu).mul(scale).add(shift)
                        .intoArray(dst, i * channels + c);
            }
        }
    }

    /** The gradients of the channels {@code [c0, c1)} ({@code c1 - c0} a multiple of L) of a {@code [N, C, 1]} x. */
    static void backwardAcross(StridedView x, StridedView g, float[] mean, float[] invstd, BatchNormKernels.Params p,
                               boolean training, float[] dx, float[] dweight, float[] dbias, int c0, int c1) {
        float[] a = ((CpuStorage) x.storage()).data;
        float[] gr = ((CpuStorage) g.storage()).data;
        int n = x.shape()[0];
        int channels = x.shape()[1];
        int xn = x.strides()[0];
        int gn = g.strides()[0];
        int xo = x.offset();
        int go = g.offset();
        boolean sums = dweight != null || dbias != null || (training && dx != null);
        for (int c = c0; c < c1; c += L) {
            FloatVector mu = FloatVector.fromArray(S, mean, c);
            FloatVector inv = FloatVector.fromArray(S, invstd, c);
            FloatVector sg = FloatVector.zero(S);
            FloatVector sgx = FloatVector.zero(S);
            if (sums) {
                for (int i = 0; i < n; i++) {
                    FloatVector gv = FloatVector.fromArray(S, gr, go + i * gn + c);
                    sg = sg.add(gv);
                    sgx = gv.fma(FloatVector.fromArray(S, a, xo + i * xn + c).sub(mu), sgx);
                }
            }
            if (dweight != null) {
                sgx.mul(inv).intoArray(dweight, c);
            }
            if (dbias != null) {
                sg.intoArray(dbias, c);
            }
            if (dx == null) {
                continue;
            }
            FloatVector scale = p.w == null ? inv : inv.mul(FloatVector.fromArray(S, p.w, p.wOff + c));
            if (!training) {
                for (int i = 0; i < n; i++) {
                    FloatVector.fromArray(S, gr, go + i * gn + c).mul(scale).intoArray(dx, i * channels + c);
                }
                continue;
            }
            FloatVector gMean = sg.div((float) n);
            FloatVector k = sgx.div((float) n).mul(inv).mul(inv);
            for (int i = 0; i < n; i++) {
                FloatVector gv = FloatVector.fromArray(S, gr, go + i * gn + c);
                FloatVector xc = FloatVector.fromArray(S, a, xo + i * xn + c).sub(mu);
                gv.sub(gMean).sub(xc.mul(k)).mul(scale).intoArray(dx, i * channels + c);
            }
        }
    }
}
