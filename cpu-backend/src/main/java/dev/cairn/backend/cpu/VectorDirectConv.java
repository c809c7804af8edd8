package dev.cairn.backend.cpu;

import dev.cairn.backend.Window;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import java.util.stream.IntStream;

/**
 * The Vector API kernels of {@link DirectConv}: up to 4 output channels x 2 vectors of output positions
 * stay in registers across every input channel and kernel offset of a group; each input vector is loaded
 * once for the 4 channels. Loaded only when {@link VectorSupport#ENABLED}. Stateless; thread-safe.
 */
final class VectorDirectConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private VectorDirectConv() {
    }

    /** out[o * spanPad + t] for t in [0, spanPad): one image's convolution at the phase width (no bias). */
    static void image(float[] planes, float[] wt, int wOff, DirectConv.Geometry g, float[] out) {
        int[] tapAt = g.tapAt;
        int wPerOut = g.cg * tapAt.length;
        int sp = g.spanPad;
        for (int grp = 0; grp < g.groups; grp++) {
            int in0 = grp * g.cg * g.chanStride;
            int o = grp * g.og;
            int oEnd = o + g.og;
            for (; o + 4 <= oEnd; o += 4) {
                int w0 = wOff + o * wPerOut;
                int t = 0;
                for (; t + 2 * L <= sp; t += 2 * L) {
                    four2(planes, in0 + t, g.chanStride, tapAt, wt, w0, wPerOut, g.cg, out, o * sp + t, sp);
                }
                for (; t < sp; t += L) {
                    four1(planes, in0 + t, g.chanStride, tapAt, wt, w0, wPerOut, g.cg, out, o * sp + t, sp);
                }
            }
            // the last one to three channels: still several independent sums per kernel, as a single
            // accumulator would wait on each fused multiply-add's latency (LeNet's 6 channels left 2)
            if (o + 2 <= oEnd) {
                int w0 = wOff + o * wPerOut;
                int t = 0;
                for (; t + 2 * L <= sp; t += 2 * L) {
                    two2(planes, in0 + t, g.chanStride, tapAt, wt, w0, wPerOut, g.cg, out, o * sp + t, sp);
                }
                for (; t < sp; t += L) {
                    one1(planes, in0 + t, g.chanStride, tapAt, wt, w0, g.cg, out, o * sp + t);
                    one1(planes, in0 + t, g.chanStride, tapAt, wt, w0 + wPerOut, g.cg, out, (o + 1) * sp + t);
                }
                o += 2;
            }
            for (; o < oEnd; o++) {
                int w0 = wOff + o * wPerOut;
                int t = 0;
                for (; t + 4 * L <= sp; t += 4 * L) {
                    one4(planes, in0 + t, g.chanStride, tapAt, wt, w0, g.cg, out, o * sp + t);
                }
                for (; t < sp; t += L) {
                    one1(planes, in0 + t, g.chanStride, tapAt, wt, w0, g.cg, out, o * sp + t);
                }
            }
        }
    }

    /** Four output channels x two vectors of positions; {@code in0} is the first channel's plane plus t. */
    private static void four2(float[] in, int in0, int chanStride, int[] tapAt, float[] wt, int w0, int wPerOut,
                              int cg, float[] out, int o0, int ostride) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), b0 = FloatVector.zero(S), b1 = FloatVector.zero(S);
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), d0 = FloatVector.zero(S), d1 = FloatVector.zero(S);
        int taps = tapAt.length;
        for (int c = 0; c < cg; c++) {
            int base = in0 + c * chanStride;
            int wc = w0 + c * taps;
            for (int k = 0; k < taps; k++) {
                int at = base + tapAt[k];
                FloatVector x0 = FloatVector.fromArray(S, in, at);
                FloatVector x1 = FloatVector.fromArray(S, in, at + L);
                FloatVector v = FloatVector.broadcast(S, wt[wc + k]);
                a0 = v.fma(x0, a0);
                a1 = v.fma(x1, a1);
                v = FloatVector.broadcast(S, wt[wc + wPerOut + k]);
                b0 = v.fma(x0, b0);
                b1 = v.fma(x1, b1);
                v = FloatVector.broadcast(S, wt[wc + 2 * wPerOut + k]);
                c0 = v.fma(x0, c0);
                c1 = v.fma(x1, c1);
                v = FloatVector.broadcast(S, wt[wc + 3 * wPerOut + k]);
                d0 = v.fma(x0, d0);
                d1 = v.fma(x1, d1);
            }
        }
        a0.intoArray(out, o0);
        a1.intoArray(out, o0 + L);
        b0.intoArray(out, o0 + ostride);
        b1.intoArray(out, o0 + ostride + L);
        c0.intoArray(out, o0 + 2 * ostride);
        c1.intoArray(out, o0 + 2 * ostride + L);
        d0.intoArray(out, o0 + 3 * ostride);
        d1.intoArray(out, o0 + 3 * ostride + L);
    }

    /** Four output channels x one vector of positions. */
    private static void four1(float[] in, int in0, int chanStride, int[] tapAt, float[] wt, int w0, int wPerOut,
                              int cg, float[] out, int o0, int ostride) {
        FloatVector a = FloatVector.zero(S), b = FloatVector.zero(S), c = FloatVector.zero(S), d = FloatVector.zero(S);
        int taps = tapAt.length;
        for (int ch = 0; ch < cg; ch++) {
            int base = in0 + ch * chanStride;
            int wc = w0 + ch * taps;
            for (int k = 0; k < taps; k++) {
                FloatVector x = FloatVector.fromArray(S, in, base + tapAt[k]);
                a = FloatVector.broadcast(S, wt[wc + k]).fma(x, a);
                b = FloatVector.broadcast(S, wt[wc + wPerOut + k]).fma(x, b);
                c = FloatVector.broadcast(S, wt[wc + 2 * wPerOut + k]).fma(x, c);
                d = FloatVector.broadcast(S, wt[wc + 3 * wPerOut + k]).fma(x, d);
            }
        }
        a.intoArray(out, o0);
        b.intoArray(out, o0 + ostride);
        c.intoArray(out, o0 + 2 * ostride);
        d.intoArray(out, o0 + 3 * ostride);
    }

    /** Two output channels x two vectors of positions. */
    private static void two2(float[] in, int in0, int chanStride, int[] tapAt, float[] wt, int w0, int wPerOut,
                             int cg, float[] out, int o0, int ostride) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), b0 = FloatVector.zero(S), b1 = FloatVector.zero(S);
        int taps = tapAt.length;
        for (int c = 0; c < cg; c++) {
            int base = in0 + c * chanStride;
            int wc = w0 + c * taps;
            for (int k = 0; k < taps; k++) {
                int at = base + tapAt[k];
                FloatVector x0 = FloatVector.fromArray(S, in, at);
                FloatVector x1 = FloatVector.fromArray(S, in, at + L);
                FloatVector v = FloatVector.broadcast(S, wt[wc + k]);
                a0 = v.fma(x0, a0);
                a1 = v.fma(x1, a1);
                v = FloatVector.broadcast(S, wt[wc + wPerOut + k]);
                b0 = v.fma(x0, b0);
                b1 = v.fma(x1, b1);
            }
        }
        a0.intoArray(out, o0);
        a1.intoArray(out, o0 + L);
        b0.intoArray(out, o0 + ostride);
        b1.intoArray(out, o0 + ostride + L);
    }

    /** One output channel x four vectors of positions. */
    private static void one4(float[] in, int in0, int chanStride, int[] tapAt, float[] wt, int w0, int cg,
                             float[] out, int o0) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        int taps = tapAt.length;
        for (int ch = 0; ch < cg; ch++) {
            int base = in0 + ch * chanStride;
            int wc = w0 + ch * taps;
            for (int k = 0; k < taps; k++) {
                int at = base + tapAt[k];
                FloatVector v = FloatVector.broadcast(S, wt[wc + k]);
                a0 = v.fma(FloatVector.fromArray(S, in, at), a0);
                a1 = v.fma(FloatVector.fromArray(S, in, at + L), a1);
                a2 = v.fma(FloatVector.fromArray(S, in, at + 2 * L), a2);
                a3 = v.fma(FloatVector.fromArray(S, in, at + 3 * L), a3);
            }
        }
        a0.intoArray(out, o0);
        a1.intoArray(out, o0 + L);
        a2.intoArray(out, o0 + 2 * L);
        a3.intoArray(out, o0 + 3 * L);
    }

    /** One output channel x one vector of positions. */
    private static void one1(float[] in, int in0, int chanStride, int[] tapAt, float[] wt, int w0, int cg,
                             float[] out, int o0) {
        FloatVector a = FloatVector.zero(S);
        int taps = tapAt.length;
        for (int ch = 0; ch < cg; ch++) {
            int base = in0 + ch * chanStride;
            int wc = w0 + ch * taps;
            for (int k = 0; k < taps; k++) {
                a = FloatVector.broadcast(S, wt[wc + k]).fma(FloatVector.fromArray(S, in, base + tapAt[k]), a);
            }
        }
        a.intoArray(out, o0);
    }

    /**
     * Whether {@link #pointwise} computes this convolution: a 1x1 kernel at stride 1 without padding or groups
     * over dense channels, with fewer output positions than a vector holds (vectors along the positions
     * would be mostly empty; along the output channels they are full), for a batch of at least
     * {@link #POINTWISE_MIN_BATCH} images (the weight is transposed per call: for one image that costs about as
     * much as the convolution, at convnet's batch-1 shapes 0.3 us).
     */
    static boolean pointwiseFits(Window w, int groups, int outChannels, int[] srcStrides, int batch) {
        return batch >= POINTWISE_MIN_BATCH && groups == 1 && w.kernelH() == 1 && w.kernelW() == 1 && w.strideH() == 1 && w.strideW() == 1
                && w.padH() == 0 && w.padW() == 0 && w.positions() < L && outChannels >= L / 2
                && srcStrides[3] == 1 && srcStrides[2] == w.inW();
    }

    /** Images per call from which {@link #pointwise} is chosen. */
    static final int POINTWISE_MIN_BATCH = 8;

    /** The weight [O, C] at {@code wOff} transposed to [C, O], so that a vector of output channels is one load. */
    static float[] pointwiseWeight(float[] weight, int wOff, int outChannels, int channels) {
        float[] wt = new float[outChannels * channels];
        for (int o = 0; o < outChannels; o++) {
            for (int c = 0; c < channels; c++) {
                wt[c * outChannels + o] = weight[wOff + o * channels + c];
            }
        }
        return wt;
    }

    /**
     * Where output channel {@code o0 + i} of a position goes, relative to channel {@code o0}: lane {@code i} holds
     * {@code i * positions}, in {@code [0, L)} for a whole vector of channels and from {@code L} on for the last,
     * partial one, whose lanes past the channels hold 0 (masked off, but a scatter checks every lane's index).
     */
    static int[] pointwiseScatter(int positions, int outChannels) {
        int tail = outChannels % L;
        return IntStream.range(0, 2 * L).map(i -> i < L ? i * positions : i - L < tail ? (i - L) * positions : 0)
                .toArray();
    }

    /**
     * One image of a {@link #pointwiseFits} convolution: {@code dst[d0 + o * P + p] = sum_c wt[c, o] * x[base + c *
     * cStride + p] (+ bias[o])}, vectors along the output channels, the sum over channels in order from zero and
     * the bias added last (the bits of {@link DirectConv#plain} and {@link DirectConv#store}).
     */
    static void pointwise(float[] x, int base, int cStride, int channels, int positions, float[] wt, int outChannels,
                          float[] bias, int bOff, int[] scatter, float[] dst, int d0) {
        for (int o0 = 0; o0 < outChannels; o0 += L) {
            VectorMask<Float> m = S.indexInRange(o0, outChannels);
            int map = o0 + L <= outChannels ? 0 : L;
            FloatVector b = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, bOff + o0, m);
            int p = 0;
            for (; p + 2 <= positions; p += 2) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = FloatVector.zero(S);
                for (int c = 0, xc = base + p, wc = o0; c < channels; c++, xc += cStride, wc += outChannels) {
                    FloatVector wv = FloatVector.fromArray(S, wt, wc, m);
                    a0 = wv.fma(FloatVector.broadcast(S, x[xc]), a0);
                    a1 = wv.fma(FloatVector.broadcast(S, x[xc + 1]), a1);
                }
                a0.add(b).intoArray(dst, d0 + o0 * positions + p, scatter, map, m);
                a1.add(b).intoArray(dst, d0 + o0 * positions + p + 1, scatter, map, m);
            }
            if (p < positions) {
                FloatVector a0 = FloatVector.zero(S);
                for (int c = 0, xc = base + p, wc = o0; c < channels; c++, xc += cStride, wc += outChannels) {
                    a0 = FloatVector.fromArray(S, wt, wc, m).fma(FloatVector.broadcast(S, x[xc]), a0);
                }
                a0.add(b).intoArray(dst, d0 + o0 * positions + p, scatter, map, m);
            }
        }
    }

    /** {@link DirectConv#fillPhases} for dense rows of at most one vector: one masked copy per row. */
    static void fillShortRows(float[] x, int base, int[] st, Window w, DirectConv.Geometry g, float[] planes) {
        int sh = w.strideH();
        VectorMask<Float> m = S.indexInRange(0, g.q1 - g.q0);
        for (int c = 0; c < w.channels(); c++) {
            int cBase = base + c * st[1] + g.q0 - w.padW();
            for (int pi = 0; pi < sh; pi++) {
                int p = c * g.chanStride + pi * g.plane + g.q0;
                for (int r = g.r0[pi]; r < g.r1[pi]; r++) {
                    FloatVector.fromArray(S, x, cBase + (r * sh + pi - w.padH()) * st[2], m).intoArray(planes, p + r * g.wq, m);
                }
            }
        }
    }

    /** dst [O, outH, outW] from {@code d0} = the computed rows without their extra columns, plus the bias. */
    static void store(float[] out, float[] bias, int bOff, Window w, DirectConv.Geometry g, float[] dst, int d0) {
        if (g.sw != 1) {
            DirectConv.store(out, bias, bOff, w, g, dst, d0);
            return;
        }
        int outW = w.outW();
        int d = d0;
        for (int o = 0; o < g.outChannels; o++) {
            float bs = bias == null ? 0f : bias[bOff + o];
            FloatVector b = FloatVector.broadcast(S, bs);
            if (g.wq == outW) { // rows without extra columns: the plane is one run
                int s = o * g.spanPad;
                int len = w.positions();
                int q = 0;
                for (; q < S.loopBound(len); q += L) {
                    FloatVector.fromArray(S, out, s + q).add(b).intoArray(dst, d + q);
                }
                for (; q < len; q++) {
                    dst[d + q] = out[s + q] + bs;
                }
                d += len;
                continue;
            }
            int full = S.loopBound(outW);
            for (int oh = 0; oh < w.outH(); oh++) {
                int s = o * g.spanPad + oh * g.wq;
                int q = 0;
                for (; q < full; q += L) {
                    FloatVector.fromArray(S, out, s + q).add(b).intoArray(dst, d + q);
                }
                if (q < outW) {
                    VectorMask<Float> m = S.indexInRange(q, outW);
                    FloatVector.fromArray(S, out, s + q, m).add(b).intoArray(dst, d + q, m);
                }
                d += outW;
            }
        }
    }
}
