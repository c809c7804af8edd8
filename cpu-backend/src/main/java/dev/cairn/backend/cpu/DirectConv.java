package dev.cairn.backend.cpu;

import dev.cairn.backend.StridedView;
import dev.cairn.backend.Window;
import java.util.Arrays;

/**
 * Direct 2-D convolution forward on the CPU (see {@link dev.cairn.backend.Backend#conv2d}), for inference
 * on small images, where an im2col matrix per image and one tiny GEMM each cost more than the arithmetic.
 *
 * <p>Per image, each input channel is copied once into zero-padded <em>phase planes</em>: with stride
 * {@code s}, phase {@code (pi, pj)} holds padded rows {@code pi, pi+s, ...} and columns
 * {@code pj, pj+s, ...}, so that kernel offset {@code (i, j)} reads, for every output position, one
 * contiguous span of one plane. Output rows are computed {@code wq} (a phase plane's width) wide into a
 * scratch buffer and stored without their extra columns, plus the bias. The sums run over input channels
 * and kernel offsets in order, one fused multiply-add each ({@link VectorDirectConv} with the Vector API,
 * {@link #plain} without, with the same bits). Images are split across the backend's threads. Stateless
 * apart from per-thread scratch buffers; thread-safe.
 */
final class DirectConv {
    /** Below this many multiply-adds a call stays on the calling thread. */
    private static final long PARALLEL_THRESHOLD = 1L << 16;

    /** Per-thread scratch: [0] phase planes of one image, [1] its output rows at the phase width. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private DirectConv() {
    }

    /**
     * {@code dst} [N, O, outH, outW] (dense, from offset {@code dOff}) = the convolution of {@code src} with
     * the dense weight [O, C/groups, kh, kw] at {@code wOff} plus {@code bias} (dense [O] at {@code bOff}, or null).
     */
    static void conv2d(StridedView src, Window w, int groups, float[] weight, int wOff, int outChannels,
                       float[] bias, int bOff, float[] dst, int dOff) {
        float[] x = ((CpuStorage) src.storage()).data;
        int n = src.shape()[0];
        Geometry g = new Geometry(w, groups, outChannels, VectorSupport.ENABLED ? VectorDirectConv.L : 1);
        long work = (long) n * outChannels * g.cg * g.tapAt.length * w.positions();
        int parts = work < PARALLEL_THRESHOLD ? 1 : Math.min(n, CpuThreads.cores());
        CpuThreads.parallel(parts, (part, ps) -> {
            int lo = (int) ((long) n * part / ps);
            int hi = (int) ((long) n * (part + 1) / ps);
            float[][] scratch = SCRATCH.get();
            if (scratch[0].length < g.planesLen) {
                scratch[0] = new float[g.planesLen];
            }
            if (scratch[1].length < g.outLen) {
                scratch[1] = new float[g.outLen];
            }
            for (int img = lo; img < hi; img++) {
                fillPhases(x, src.offset() + img * src.strides()[0], src.strides(), w, g, scratch[0]);
                int d0 = dOff + img * outChannels * w.positions();
                if (VectorSupport.ENABLED) {
                    VectorDirectConv.image(scratch[0], weight, wOff, g, scratch[1]);
                    VectorDirectConv.store(scratch[1], bias, bOff, w, g, dst, d0);
                } else {
                    plain(scratch[0], weight, wOff, g, scratch[1]);
                    store(scratch[1], bias, bOff, w, g, dst, d0);
                }
            }
        });
    }

    /** The sizes derived from a window, computed once per call; immutable. */
    static final class Geometry {
        final int groups;
        final int outChannels;
        /** Input channels per group. */
        final int cg;
        /** Output channels per group. */
        final int og;
        /** Rows and columns of a phase plane (and the width the output rows are computed at). */
        final int hq;
        final int wq;
        /** Floats per phase plane, and per input channel (its stride x stride phase planes). */
        final int plane;
        final int chanStride;
        /** Where each kernel offset (i*kw + j) starts reading, relative to its channel's first phase plane. */
        final int[] tapAt;
        /** Output positions computed per channel, {@code (outH - 1) * wq + outW}, and that rounded up to whole vectors. */
        final int span;
        final int spanPad;
        final int planesLen;
        final int outLen;

        Geometry(Window w, int groups, int outChannels, int lanes) {
            this.groups = groups;
            this.outChannels = outChannels;
            cg = w.channels() / groups;
            og = outChannels / groups;
            hq = w.outH() + (w.kernelH() - 1) * w.dilationH() / w.strideH();
            wq = w.outW() + (w.kernelW() - 1) * w.dilationW() / w.strideW();
            plane = hq * wq;
            chanStride = w.strideH() * w.strideW() * plane;
            tapAt = new int[w.kernelH() * w.kernelW()];
            for (int i = 0; i < w.kernelH(); i++) {
                int di = i * w.dilationH();
                for (int j = 0; j < w.kernelW(); j++) {
                    int dj = j * w.dilationW();
                    int phase = (di % w.strideH()) * w.strideW() + dj % w.strideW();
                    tapAt[i * w.kernelW() + j] = phase * plane + di / w.strideH() * wq + dj / w.strideW();
                }
            }
            span = (w.outH() - 1) * wq + w.outW();
            spanPad = (span + lanes - 1) / lanes * lanes;
            // a span's last vector reads up to spanPad - span + wq floats past the end of a channel's last
            // plane: zero slack after the last channel
            planesLen = w.channels() * chanStride + spanPad + wq + lanes;
            outLen = outChannels * spanPad;
        }
    }

    /** Copies one image into its zero-padded phase planes [C][strideH * strideW][hq][wq], then zero slack. */
    private static void fillPhases(float[] x, int base, int[] st, Window w, Geometry g, float[] planes) {
        int sh = w.strideH();
        int sw = w.strideW();
        for (int c = 0; c < w.channels(); c++) {
            int cBase = base + c * st[1];
            for (int pi = 0; pi < sh; pi++) {
                for (int pj = 0; pj < sw; pj++) {
                    int p = c * g.chanStride + (pi * sw + pj) * g.plane;
                    // columns q with 0 <= q*sw + pj - padW < inW read the input, the others are padding
                    int q0 = Math.min(g.wq, Math.max(0, -Math.floorDiv(pj - w.padW(), sw)));
                    int q1 = Math.max(q0, Math.min(g.wq, Math.floorDiv(w.inW() - 1 + w.padW() - pj, sw) + 1));
                    for (int r = 0; r < g.hq; r++) {
                        int ih = r * sh + pi - w.padH();
                        int row = p + r * g.wq;
                        if (ih < 0 || ih >= w.inH()) {
                            Arrays.fill(planes, row, row + g.wq, 0f);
                            continue;
                        }
                        for (int q = 0; q < q0; q++) {
                            planes[row + q] = 0f;
                        }
                        int from = cBase + ih * st[2] + (q0 * sw + pj - w.padW()) * st[3];
                        int step = sw * st[3];
                        for (int q = q0; q < q1; q++, from += step) {
                            planes[row + q] = x[from];
                        }
                        for (int q = q1; q < g.wq; q++) {
                            planes[row + q] = 0f;
                        }
                    }
                }
            }
        }
        Arrays.fill(planes, w.channels() * g.chanStride, g.planesLen, 0f);
    }

    /** out[o * spanPad + t] for t in [0, span): the sums of {@link VectorDirectConv}, one position at a time. */
    private static void plain(float[] in, float[] wt, int wOff, Geometry g, float[] out) {
        int taps = g.tapAt.length;
        int wPerOut = g.cg * taps;
        for (int o = 0; o < g.outChannels; o++) {
            int in0 = o / g.og * g.cg * g.chanStride;
            int w0 = wOff + o * wPerOut;
            for (int t = 0; t < g.span; t++) {
                float acc = 0f;
                for (int c = 0; c < g.cg; c++) {
                    int base = in0 + c * g.chanStride + t;
                    int wc = w0 + c * taps;
                    for (int k = 0; k < taps; k++) {
                        acc = Math.fma(wt[wc + k], in[base + g.tapAt[k]], acc);
                    }
                }
                out[o * g.spanPad + t] = acc;
            }
        }
    }

    /** dst [O, outH, outW] from {@code d0} = the computed rows (wq wide) without their extra columns, plus the bias. */
    private static void store(float[] out, float[] bias, int bOff, Window w, Geometry g, float[] dst, int d0) {
        int outW = w.outW();
        int d = d0;
        for (int o = 0; o < g.outChannels; o++) {
            float b = bias == null ? 0f : bias[bOff + o];
            for (int oh = 0; oh < w.outH(); oh++) {
                int s = o * g.spanPad + oh * g.wq;
                for (int q = 0; q < outW; q++) {
                    dst[d + q] = out[s + q] + b;
                }
                d += outW;
            }
        }
    }
}
