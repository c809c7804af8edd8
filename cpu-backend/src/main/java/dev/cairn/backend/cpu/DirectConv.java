package dev.cairn.backend.cpu;

import dev.cairn.backend.StridedView;
import dev.cairn.backend.Window;
import java.util.Arrays;

/**
 * Direct 2-D convolution forward on the CPU (see {@link dev.cairn.backend.Backend#conv2d}), for inference
 * on small images, where an im2col matrix per image and one tiny GEMM each cost more than the arithmetic.
 *
 * <p>Per image, each input channel's rows are copied once into zero-padded <em>phase planes</em>: with
 * vertical stride {@code s}, phase {@code pi} holds padded rows {@code pi, pi+s, ...}, so that kernel
 * offset {@code (i, j)} reads, for every output position, one contiguous span of one plane. Output rows
 * are computed at every column of a plane's width {@code wq} into a scratch buffer (a horizontal stride
 * computes columns it then skips: cheaper than gathering strided columns) and stored without the extra
 * columns, plus the bias. The sums run over input channels
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
        Geometry g = new Geometry(w, groups, outChannels, VectorSupport.ENABLED ? VectorDirectConv.L : 1,
                src.strides());
        long work = (long) n * outChannels * g.cg * g.tapAt.length * w.positions();
        int parts = work < PARALLEL_THRESHOLD ? 1 : Math.min(n, CpuThreads.cores());
        if (VectorSupport.ENABLED && VectorDirectConv.pointwiseFits(w, groups, outChannels, src.strides(), n)) {
            pointwise(src, w, weight, wOff, outChannels, bias, bOff, dst, dOff, parts);
            return;
        }
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
            Arrays.fill(scratch[0], 0, g.planesLen, 0f);
            for (int img = lo; img < hi; img++) {
                int base = src.offset() + img * src.strides()[0];
                if (g.channelRuns) {
                    fillRuns(x, base, src.strides()[1], w, g, scratch[0]);
                } else {
                    fillPhases(x, base, src.strides(), w, g, scratch[0]);
                }
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

    /** A 1x1 convolution over few positions ({@link VectorDirectConv#pointwise}): no phase planes, no scratch. */
    private static void pointwise(StridedView src, Window w, float[] weight, int wOff, int outChannels, float[] bias,
                                  int bOff, float[] dst, int dOff, int parts) {
        float[] x = ((CpuStorage) src.storage()).data;
        int n = src.shape()[0];
        int channels = w.channels();
        int positions = w.positions();
        float[] wt = VectorDirectConv.pointwiseWeight(weight, wOff, outChannels, channels);
        int[] scatter = VectorDirectConv.pointwiseScatter(positions, outChannels);
        int[] st = src.strides();
        CpuThreads.parallel(parts, (part, ps) -> {
            for (int img = (int) ((long) n * part / ps), hi = (int) ((long) n * (part + 1) / ps); img < hi; img++) {
                VectorDirectConv.pointwise(x, src.offset() + img * st[0], st[1], channels, positions, wt, outChannels,
                        bias, bOff, scatter, dst, dOff + img * outChannels * positions);
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
        /** Horizontal stride: output column ow is computed column ow * sw. */
        final int sw;
        /** Rows and columns of a phase plane; output rows are computed wq wide. */
        final int hq;
        final int wq;
        /** Floats per phase plane, and per input channel (its strideH phase planes). */
        final int plane;
        final int chanStride;
        /** Where each kernel offset (i*kw + j) starts reading, relative to its channel's first phase plane. */
        final int[] tapAt;
        /** Per phase pi: the plane rows [r0, r1) that hold input rows (the others are padding). */
        final int[] r0;
        final int[] r1;
        /** The plane columns [q0, q1) that hold input columns. */
        final int q0;
        final int q1;
        /** Output positions computed per channel, {@code (outH-1)*wq + (outW-1)*sw + 1}, and that in whole vectors. */
        final int span;
        final int spanPad;
        final int planesLen;
        final int outLen;

        /** Whether each channel is one run in the image and its plane ({@link #fillRuns}). */
        final boolean channelRuns;

        Geometry(Window w, int groups, int outChannels, int lanes, int[] srcStrides) {
            this.groups = groups;
            this.outChannels = outChannels;
            cg = w.channels() / groups;
            og = outChannels / groups;
            sw = w.strideW();
            int sh = w.strideH();
            hq = w.outH() + (w.kernelH() - 1) * w.dilationH() / sh;
            wq = (w.outW() - 1) * sw + (w.kernelW() - 1) * w.dilationW() + 1;
            plane = hq * wq;
            chanStride = sh * plane;
            tapAt = new int[w.kernelH() * w.kernelW()];
            for (int i = 0; i < w.kernelH(); i++) {
                int di = i * w.dilationH();
                for (int j = 0; j < w.kernelW(); j++) {
                    tapAt[i * w.kernelW() + j] = di % sh * plane + di / sh * wq + j * w.dilationW();
                }
            }
            // row r of phase pi is padded row r*sh + pi, input row r*sh + pi - padH
            r0 = new int[sh];
            r1 = new int[sh];
            for (int pi = 0; pi < sh; pi++) {
                r0[pi] = Math.min(hq, Math.max(0, -Math.floorDiv(pi - w.padH(), sh)));
                r1[pi] = Math.max(r0[pi], Math.min(hq, Math.floorDiv(w.inH() - 1 + w.padH() - pi, sh) + 1));
            }
            // column q is input column q - padW
            q0 = Math.min(wq, w.padW());
            q1 = Math.max(q0, Math.min(wq, w.inW() + w.padW()));
            channelRuns = sh == 1 && q0 == 0 && q1 == wq && wq == w.inW() && srcStrides[3] == 1
                    && srcStrides[2] == w.inW();
            span = (w.outH() - 1) * wq + (w.outW() - 1) * sw + 1;
            spanPad = (span + lanes - 1) / lanes * lanes;
            // a span's last vector reads up to lanes floats past the end of a channel's last plane: zero
            // slack after the last channel
            planesLen = w.channels() * chanStride + spanPad + wq + lanes;
            outLen = outChannels * spanPad;
        }
    }

    /**
     * Copies one image's rows into their places in the phase planes [C][strideH][hq][wq]. The padding and
     * the slack are never written: {@link #conv2d} zeroes the buffer once per call, and every image of a
     * call puts its elements at the same places.
     */
    /**
     * {@link #fillPhases} where each channel is one run in both the image and its plane (no horizontal padding,
     * unit strides, dense rows as wide as the plane): one copy per channel.
     */
    private static void fillRuns(float[] x, int base, int cStride, Window w, Geometry g, float[] planes) {
        int len = (g.r1[0] - g.r0[0]) * g.wq;
        int from = base + (g.r0[0] - w.padH()) * g.wq;
        int to = g.r0[0] * g.wq;
        if (len <= 16) { // a call to the copy stub costs more than a short loop
            for (int c = 0; c < w.channels(); c++, from += cStride, to += g.chanStride) {
                for (int q = 0; q < len; q++) {
                    planes[to + q] = x[from + q];
                }
            }
            return;
        }
        for (int c = 0; c < w.channels(); c++, from += cStride, to += g.chanStride) {
            System.arraycopy(x, from, planes, to, len);
        }
    }

    static void fillPhases(float[] x, int base, int[] st, Window w, Geometry g, float[] planes) {
        int sh = w.strideH();
        int len = g.q1 - g.q0;
        if (VectorSupport.ENABLED && st[3] == 1 && len <= VectorDirectConv.L) {
            VectorDirectConv.fillShortRows(x, base, st, w, g, planes);
            return;
        }
        for (int c = 0; c < w.channels(); c++) {
            int cBase = base + c * st[1] + (g.q0 - w.padW()) * st[3];
            for (int pi = 0; pi < sh; pi++) {
                int p = c * g.chanStride + pi * g.plane + g.q0;
                for (int r = g.r0[pi]; r < g.r1[pi]; r++) {
                    int from = cBase + (r * sh + pi - w.padH()) * st[2];
                    int row = p + r * g.wq;
                    if (st[3] == 1 && len > 16) {
                        System.arraycopy(x, from, planes, row, len);
                    } else {
                        for (int q = 0; q < len; q++, from += st[3]) {
                            planes[row + q] = x[from];
                        }
                    }
                }
            }
        }
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

    /** dst [O, outH, outW] from {@code d0} = output columns 0, sw, 2*sw, ... of the computed rows, plus the bias. */
    static void store(float[] out, float[] bias, int bOff, Window w, Geometry g, float[] dst, int d0) {
        int outW = w.outW();
        int d = d0;
        for (int o = 0; o < g.outChannels; o++) {
            float b = bias == null ? 0f : bias[bOff + o];
            for (int oh = 0; oh < w.outH(); oh++) {
                int s = o * g.spanPad + oh * g.wq;
                for (int q = 0; q < outW; q++) {
                    dst[d + q] = out[s + q * g.sw] + b;
                }
                d += outW;
            }
        }
    }
}
