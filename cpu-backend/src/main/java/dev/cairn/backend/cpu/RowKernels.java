package dev.cairn.backend.cpu;

import dev.cairn.backend.StridedView;

/**
 * The CPU's line kernels over float32 operands: softmax and log-softmax with their gradient, and the running
 * sum (cumsum, a scan). Each walks every line of the operand along one dimension in place (strided views are
 * read without a copy), split across the CPU pool by lines; unit-stride lines use {@link VectorRows} when the
 * Vector API is on. Stateless; safe from any thread.
 */
final class RowKernels {
    private RowKernels() {
    }

    /** Softmax (or log-softmax) of each line of {@code src} along {@code dim} into the dense {@code dst}. */
    static void softmax(StridedView src, int dim, boolean log, float[] dst) {
        float[] a = ((CpuStorage) src.storage()).data;
        Lines in = Lines.of(src, dim);
        Lines out = Lines.dense(src.shape(), dim);
        boolean vector = VectorSupport.ENABLED && in.step == 1 && out.step == 1 && in.length >= 16;
        in.parallel((from, to) -> {
            for (int r = from; r < to; r++) {
                if (vector) {
                    VectorRows.softmax(a, in.start(r), dst, out.start(r), in.length, log);
                } else {
                    softmaxLine(a, in.start(r), in.step, dst, out.start(r), out.step, in.length, log);
                }
            }
        });
    }

    /** One line: the maximum (NaN propagates), the sum of {@code e^(x - max)}, then the write. */
    static void softmaxLine(float[] a, int ia, int sa, float[] d, int id, int sd, int n, boolean log) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0, p = ia; i < n; i++, p += sa) {
            max = Math.max(max, a[p]);
        }
        double sum = 0;
        for (int i = 0, p = ia, q = id; i < n; i++, p += sa, q += sd) {
            float e = (float) Math.exp(a[p] - max);
            if (!log) {
                d[q] = e;
            }
            sum += e;
        }
        if (log) {
            float logSum = (float) Math.log(sum);
            for (int i = 0, p = ia, q = id; i < n; i++, p += sa, q += sd) {
                d[q] = a[p] - max - logSum;
            }
        } else {
            float scale = (float) (1.0 / sum);
            for (int i = 0, q = id; i < n; i++, q += sd) {
                d[q] *= scale;
            }
        }
    }

    /** {@code dst = y * (g - sum(g * y))}, or with {@code log} {@code g - e^y * sum(g)}, line by line. */
    static void softmaxBackward(StridedView yv, StridedView gv, int dim, boolean log, float[] dst) {
        float[] y = ((CpuStorage) yv.storage()).data;
        float[] g = ((CpuStorage) gv.storage()).data;
        Lines ly = Lines.of(yv, dim);
        Lines lg = Lines.of(gv, dim);
        Lines out = Lines.dense(yv.shape(), dim);
        boolean vector = VectorSupport.ENABLED && ly.step == 1 && lg.step == 1 && out.step == 1 && ly.length >= 16;
        ly.parallel((from, to) -> {
            for (int r = from; r < to; r++) {
                if (vector) {
                    VectorRows.softmaxBackward(y, ly.start(r), g, lg.start(r), dst, out.start(r), ly.length, log);
                } else {
                    softmaxBackwardLine(y, ly.start(r), ly.step, g, lg.start(r), lg.step, dst, out.start(r), out.step,
                            ly.length, log);
                }
            }
        });
    }

    private static void softmaxBackwardLine(float[] y, int iy, int sy, float[] g, int ig, int sg, float[] d, int id,
                                            int sd, int n, boolean log) {
        double sum = 0;
        for (int i = 0, p = iy, q = ig; i < n; i++, p += sy, q += sg) {
            sum += log ? g[q] : g[q] * y[p];
        }
        float s = (float) sum;
        for (int i = 0, p = iy, q = ig, o = id; i < n; i++, p += sy, q += sg, o += sd) {
            d[o] = log ? g[q] - (float) Math.exp(y[p]) * s : y[p] * (g[q] - s);
        }
    }

    /** Running sums of each float32 line along {@code dim} (from the end when {@code reverse}), in double. */
    static void cumsum(StridedView src, int dim, boolean reverse, float[] dst) {
        float[] a = ((CpuStorage) src.storage()).data;
        Lines in = Lines.of(src, dim);
        Lines out = Lines.dense(src.shape(), dim);
        int n = in.length;
        in.parallel((from, to) -> {
            for (int r = from; r < to; r++) {
                int p = in.start(r);
                int q = out.start(r);
                int sa = in.step;
                int sd = out.step;
                if (reverse) {
                    p += (n - 1) * sa;
                    q += (n - 1) * sd;
                    sa = -sa;
                    sd = -sd;
                }
                double acc = 0;
                for (int i = 0; i < n; i++, p += sa, q += sd) {
                    acc += a[p];
                    dst[q] = (float) acc;
                }
            }
        });
    }

    /** Running sums of each int64 line along {@code dim} (from the end when {@code reverse}), wrapping. */
    static void cumsum(StridedView src, int dim, boolean reverse, long[] dst) {
        long[] a = (long[]) ((CpuTypedStorage) src.storage()).data;
        Lines in = Lines.of(src, dim);
        Lines out = Lines.dense(src.shape(), dim);
        int n = in.length;
        in.parallel((from, to) -> {
            for (int r = from; r < to; r++) {
                int p = in.start(r);
                int q = out.start(r);
                int sa = in.step;
                int sd = out.step;
                if (reverse) {
                    p += (n - 1) * sa;
                    q += (n - 1) * sd;
                    sa = -sa;
                    sd = -sd;
                }
                long acc = 0;
                for (int i = 0; i < n; i++, p += sa, q += sd) {
                    acc += a[p];
                    dst[q] = acc;
                }
            }
        });
    }
}
