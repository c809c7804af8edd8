package dev.cairn.backend.cpu;

import dev.cairn.backend.StridedView;
import dev.cairn.backend.Window;
import java.util.Arrays;

/**
 * The sliding-window kernels of the CPU backend: im2col ({@link #unfold}), its adjoint col2im
 * ({@link #fold}) and max pooling with its gradient. Each works one {@code [n, c]} image plane at a
 * time, so planes are split across the backend's threads with no shared writes; the innermost loops
 * run over the valid column range of a window row, worked out once per kernel offset, so padding costs
 * no per-element test. Stateless; thread-safe.
 */
final class WindowKernels {
    /** Below this many elements touched a kernel stays on the calling thread. */
    private static final long PARALLEL_THRESHOLD = 1L << 15;

    /** Rows at least this long are copied and cleared with the JDK's intrinsics, shorter ones by plain loops. */
    private static final int LONG_ROW = 64;

    private WindowKernels() {
    }

    private static void zero(float[] dst, int from, int to) {
        if (to - from >= LONG_ROW) {
            Arrays.fill(dst, from, to, 0f);
        } else {
            for (int p = from; p < to; p++) {
                dst[p] = 0f;
            }
        }
    }

    /** Work on planes {@code [lo, hi)}. */
    @FunctionalInterface
    private interface Planes {
        void run(int lo, int hi);
    }

    private static void overPlanes(int planes, long work, Planes body) {
        int parts = work < PARALLEL_THRESHOLD ? 1 : Math.min(planes, CpuThreads.cores());
        if (parts <= 1) {
            body.run(0, planes);
            return;
        }
        CpuThreads.parallel(parts, (part, ps) -> body.run((int) ((long) planes * part / ps),
                (int) ((long) planes * (part + 1) / ps)));
    }

    /** First output column whose kernel column {@code j} lands at or right of input column 0. */
    private static int firstCol(int j, Window w) {
        int need = w.padW() - j * w.dilationW(); // ow * strideW >= need
        return need <= 0 ? 0 : Math.min(w.outW(), (need + w.strideW() - 1) / w.strideW());
    }

    /** One past the last output column whose kernel column {@code j} lands left of input column {@code inW}. */
    private static int endCol(int j, Window w) {
        int room = w.inW() - 1 + w.padW() - j * w.dilationW(); // ow * strideW <= room
        return room < 0 ? 0 : Math.min(w.outW(), room / w.strideW() + 1);
    }

    static void unfold(StridedView src, Window w, float[] dst) {
        float[] a = ((CpuStorage) src.storage()).data;
        int[] st = src.strides();
        int c = w.channels();
        int kk = w.kernelH() * w.kernelW();
        int l = w.positions();
        int planes = src.shape()[0] * c;
        // narrow outputs: rows too short to pay for the per-row bookkeeping below; one table of source
        // positions (or -1 for padding), made once and read for every plane, instead
        boolean vector = VectorSupport.ENABLED && w.outW() < NARROW_ROW && VectorUnfold.fits(w, st[3]);
        int[] map = !vector && w.outW() < NARROW_ROW ? sourceMap(st[2], st[3], w) : null;
        overPlanes(planes, (long) planes * kk * l, (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int base = src.offset() + (p / c) * st[0] + (p % c) * st[1];
                if (vector) {
                    VectorUnfold.plane(a, base, st[2], w, dst, p * kk * l);
                } else if (map != null) {
                    unfoldByMap(a, base, map, dst, p * kk * l);
                } else {
                    unfoldPlane(a, base, st[2], st[3], w, dst, p * kk * l);
                }
            }
        });
    }

    /** Output rows shorter than this are unfolded through a table of source positions. */
    private static final int NARROW_ROW = 16;

    /**
     * For each element of one plane's im2col block ({@code kernelH * kernelW} rows of {@code outH * outW}),
     * its position in the image plane relative to the plane's start (row stride {@code sh}, column stride
     * {@code sw}), or -1 where the window lies over padding.
     */
    private static int[] sourceMap(int sh, int sw, Window w) {
        int[] map = new int[w.kernelH() * w.kernelW() * w.positions()];
        int t = 0;
        for (int i = 0; i < w.kernelH(); i++) {
            for (int j = 0; j < w.kernelW(); j++) {
                for (int oh = 0; oh < w.outH(); oh++) {
                    int ih = oh * w.strideH() - w.padH() + i * w.dilationH();
                    for (int ow = 0; ow < w.outW(); ow++) {
                        int iw = ow * w.strideW() - w.padW() + j * w.dilationW();
                        map[t++] = ih < 0 || ih >= w.inH() || iw < 0 || iw >= w.inW() ? -1 : ih * sh + iw * sw;
                    }
                }
            }
        }
        return map;
    }

    private static void unfoldByMap(float[] a, int base, int[] map, float[] dst, int out) {
        for (int t = 0; t < map.length; t++) {
            int q = map[t];
            dst[out + t] = q < 0 ? 0f : a[base + q];
        }
    }

    private static void unfoldPlane(float[] a, int base, int sh, int sw, Window w, float[] dst, int out) {
        int outW = w.outW();
        int strideW = w.strideW();
        for (int i = 0; i < w.kernelH(); i++) {
            for (int j = 0; j < w.kernelW(); j++) {
                int lo = firstCol(j, w);
                int hi = Math.max(lo, endCol(j, w));
                int col0 = j * w.dilationW() - w.padW();
                for (int oh = 0; oh < w.outH(); oh++, out += outW) {
                    int ih = oh * w.strideH() - w.padH() + i * w.dilationH();
                    if (ih < 0 || ih >= w.inH()) {
                        zero(dst, out, out + outW);
                        continue;
                    }
                    zero(dst, out, out + lo);
                    int row = base + ih * sh;
                    if (strideW == 1 && sw == 1 && hi - lo >= LONG_ROW) {
                        System.arraycopy(a, row + lo + col0, dst, out + lo, hi - lo);
                    } else if (strideW == 1 && sw == 1) {
                        // a short unit-stride row: a loop the JIT vectorizes (the general one below has a
                        // variable step, which it does not)
                        for (int ow = lo, q = row + col0; ow < hi; ow++) {
                            dst[out + ow] = a[q + ow];
                        }
                    } else {
                        for (int ow = lo, q = row + (lo * strideW + col0) * sw, step = strideW * sw; ow < hi;
                             ow++, q += step) {
                            dst[out + ow] = a[q];
                        }
                    }
                    zero(dst, out + hi, out + outW);
                }
            }
        }
    }

    static void fold(StridedView src, Window w, float[] dst) {
        float[] a = ((CpuStorage) src.storage()).data;
        int[] st = src.strides();
        int c = w.channels();
        int kk = w.kernelH() * w.kernelW();
        int planeSize = w.inH() * w.inW();
        int planes = src.shape()[0] * c;
        // narrow outputs: the table of unfold, here of destination positions in the dense plane; the
        // contributions are added in the same order as foldPlane adds them, so the sums are the same bits
        boolean vector = VectorSupport.ENABLED && VectorFold.fits(w, st[2]);
        int[] map = !vector && w.outW() < NARROW_ROW ? sourceMap(w.inW(), 1, w) : null;
        overPlanes(planes, (long) planes * kk * w.positions(), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int base = src.offset() + (p / c) * st[0] + (p % c) * kk * st[1];
                if (vector) {
                    VectorFold.plane(a, base, st[1], w, dst, p * planeSize);
                } else if (map != null) {
                    foldByMap(a, base, st[1], st[2], w.positions(), map, dst, p * planeSize, planeSize);
                } else {
                    foldPlane(a, base, st[1], st[2], w, dst, p * planeSize);
                }
            }
        });
    }

    private static void foldByMap(float[] a, int base, int rowStride, int colStride, int positions, int[] map,
                                  float[] dst, int out, int planeSize) {
        Arrays.fill(dst, out, out + planeSize, 0f);
        for (int r = 0, t = 0; t < map.length; r++) {
            int src = base + r * rowStride;
            for (int col = 0; col < positions; col++, t++) {
                int q = map[t];
                if (q >= 0) {
                    dst[out + q] += a[src + col * colStride];
                }
            }
        }
    }

    private static void foldPlane(float[] a, int base, int rowStride, int colStride, Window w, float[] dst, int out) {
        int inW = w.inW();
        int outW = w.outW();
        int strideW = w.strideW();
        Arrays.fill(dst, out, out + w.inH() * inW, 0f);
        for (int i = 0; i < w.kernelH(); i++) {
            for (int j = 0; j < w.kernelW(); j++) {
                int lo = firstCol(j, w);
                int hi = endCol(j, w);
                int col0 = j * w.dilationW() - w.padW();
                int row = base + (i * w.kernelW() + j) * rowStride;
                for (int oh = 0; oh < w.outH(); oh++) {
                    int ih = oh * w.strideH() - w.padH() + i * w.dilationH();
                    if (ih < 0 || ih >= w.inH() || lo >= hi) {
                        continue;
                    }
                    int target = out + ih * inW + col0;
                    int from = row + oh * outW * colStride;
                    if (colStride == 1 && strideW == 1) {
                        for (int ow = lo; ow < hi; ow++) { // unit steps on both sides: vectorized by the JIT
                            dst[target + ow] += a[from + ow];
                        }
                    } else if (colStride == 1) {
                        for (int ow = lo; ow < hi; ow++) {
                            dst[target + ow * strideW] += a[from + ow];
                        }
                    } else {
                        for (int ow = lo; ow < hi; ow++) {
                            dst[target + ow * strideW] += a[from + ow * colStride];
                        }
                    }
                }
            }
        }
    }

    static void maxPool2d(StridedView src, Window w, float[] dst, float[] indices) {
        float[] a = ((CpuStorage) src.storage()).data;
        int[] st = src.strides();
        int c = w.channels();
        int l = w.positions();
        int planes = src.shape()[0] * c;
        // the common 2x2 pooling of CNNs (stride 2, no padding or dilation, unit column stride) has its own loop
        boolean pairs = w.kernelH() == 2 && w.kernelW() == 2 && w.strideH() == 2 && w.strideW() == 2
                && w.padH() == 0 && w.padW() == 0 && w.dilationH() == 1 && w.dilationW() == 1 && st[3] == 1
                && 2 * w.outH() <= w.inH() && 2 * w.outW() <= w.inW();
        // indices are stored as floats: exact while a plane has at most 2^24 elements
        boolean vector = VectorSupport.ENABLED && (long) w.inH() * w.inW() <= 1 << 24;
        overPlanes(planes, (long) planes * l * w.kernelH() * w.kernelW(), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int base = src.offset() + (p / c) * st[0] + (p % c) * st[1];
                if (pairs && vector) {
                    VectorMaxPool.pairsPlane(a, base, st[2], w, dst, indices, p * l);
                } else if (pairs) {
                    maxPoolPairs(a, base, st[2], w, dst, indices, p * l);
                } else {
                    maxPoolPlane(a, base, st[2], st[3], w, dst, indices, p * l);
                }
            }
        });
    }

    /**
     * {@link #maxPoolPlane} for 2x2 windows at stride 2 without padding, each window read as two pairs of
     * adjacent elements with no bounds arithmetic; the same rule (first maximum in row-major window order wins,
     * a NaN replaces the running maximum) by selects.
     */
    private static void maxPoolPairs(float[] a, int base, int sh, Window w, float[] dst, float[] indices, int out) {
        int inW = w.inW();
        int outW = w.outW();
        for (int oh = 0; oh < w.outH(); oh++) {
            int ih = 2 * oh;
            int r0 = base + ih * sh;
            int r1 = r0 + sh;
            for (int ow = 0, iw = 0; ow < outW; ow++, iw += 2, out++) {
                float max = a[r0 + iw];
                int best = ih * inW + iw;
                // the window's first element is the start: NaN there stays unless a later NaN replaces it,
                // as the general loop (which starts from -inf and takes any NaN it meets)
                float v = a[r0 + iw + 1];
                boolean take = v > max | v != v;
                max = take ? v : max;
                best = take ? ih * inW + iw + 1 : best;
                v = a[r1 + iw];
                take = v > max | v != v;
                max = take ? v : max;
                best = take ? (ih + 1) * inW + iw : best;
                v = a[r1 + iw + 1];
                take = v > max | v != v;
                max = take ? v : max;
                best = take ? (ih + 1) * inW + iw + 1 : best;
                dst[out] = max;
                indices[out] = best;
            }
        }
    }

    /** PyTorch's CPU max pooling: first maximum wins, a NaN always replaces the running maximum. */
    private static void maxPoolPlane(float[] a, int base, int sh, int sw, Window w, float[] dst, float[] indices,
                                     int out) {
        int inH = w.inH();
        int inW = w.inW();
        int dh = w.dilationH();
        int dw = w.dilationW();
        for (int oh = 0; oh < w.outH(); oh++) {
            int h0 = oh * w.strideH() - w.padH();
            int h1 = Math.min(h0 + (w.kernelH() - 1) * dh + 1, inH);
            while (h0 < 0) {
                h0 += dh;
            }
            for (int ow = 0; ow < w.outW(); ow++, out++) {
                int w0 = ow * w.strideW() - w.padW();
                int w1 = Math.min(w0 + (w.kernelW() - 1) * dw + 1, inW);
                while (w0 < 0) {
                    w0 += dw;
                }
                int best = h0 * inW + w0;
                float max = Float.NEGATIVE_INFINITY;
                for (int ih = h0; ih < h1; ih += dh) {
                    int row = base + ih * sh;
                    for (int iw = w0; iw < w1; iw += dw) {
                        float v = a[row + iw * sw];
                        // written as selects, but C2 still compiles them into branches, which mispredict about
                        // half the time (18 ns per window of LeNet's pooling); the common 2x2 windows take
                        // VectorMaxPool's branch-free loop when the Vector API is on
                        boolean take = v > max | v != v;
                        max = take ? v : max;
                        best = take ? ih * inW + iw : best;
                    }
                }
                dst[out] = max;
                indices[out] = best;
            }
        }
    }

    static void maxPool2dBackward(StridedView grad, StridedView indices, Window w, float[] dst) {
        float[] g = ((CpuStorage) grad.storage()).data;
        float[] idx = ((CpuStorage) indices.storage()).data;
        int[] gs = grad.strides();
        int[] is = indices.strides();
        int c = w.channels();
        int planeSize = w.inH() * w.inW();
        int planes = grad.shape()[0] * c;
        overPlanes(planes, (long) planes * (planeSize + w.positions()), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int out = p * planeSize;
                Arrays.fill(dst, out, out + planeSize, 0f);
                int gBase = grad.offset() + (p / c) * gs[0] + (p % c) * gs[1];
                int iBase = indices.offset() + (p / c) * is[0] + (p % c) * is[1];
                for (int oh = 0; oh < w.outH(); oh++) {
                    int gRow = gBase + oh * gs[2];
                    int iRow = iBase + oh * is[2];
                    for (int ow = 0; ow < w.outW(); ow++) {
                        dst[out + (int) idx[iRow + ow * is[3]]] += g[gRow + ow * gs[3]];
                    }
                }
            }
        });
    }
}
