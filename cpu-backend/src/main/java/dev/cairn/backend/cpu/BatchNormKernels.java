package dev.cairn.backend.cpu;

import dev.cairn.backend.StridedView;

/**
 * The CPU's batch-norm kernels over a float32 {@code [N, C, S]} operand of any strides (channel dimension 1,
 * {@code S} the merged spatial sizes): per channel the statistics (two passes, the mean then the biased
 * variance of the centred values, so large offsets do not cancel; sums in double across the runs), the
 * running-statistics update, the write {@code (x - mean) * scale + bias} with {@code scale = invstd * weight}
 * (centred first, so that an offset large against the spread does not cost precision) and PyTorch's
 * gradients. Channels are split across the CPU pool, each channel owned by one thread. Where the Vector API
 * is on, unit-stride spatial runs go to {@link VectorBatchNorm}'s run loops, and {@code [N, C]} inputs with
 * unit channel stride (S = 1, BatchNorm1d after a linear layer) to its loops across blocks of channels; the
 * plain loops here give the same values otherwise (the sums differ only in their order of addition).
 * Stateless; safe from any thread.
 */
final class BatchNormKernels {
    private BatchNormKernels() {
    }

    /** The channels {@code [c0, c1)} of a kernel's part. */
    @FunctionalInterface
    private interface Channels {
        void run(int c0, int c1);
    }

    /**
     * Runs {@code body} over the channels split across the CPU pool (in blocks of {@code align} channels),
     * in parallel when the work ({@code elements}) pays for the hand-off.
     */
    private static void parallel(int channels, int align, long elements, Channels body) {
        int blocks = (channels + align - 1) / align;
        int parts = (int) Math.min(Math.min(CpuThreads.cores(), blocks),
                Math.max(1, elements / Lines.PARALLEL_ELEMENTS));
        CpuThreads.parallel(Math.max(1, parts), (part, ps) -> {
            int c0 = Math.min(channels, (int) ((long) blocks * part / ps) * align);
            int c1 = Math.min(channels, (int) ((long) blocks * (part + 1) / ps) * align);
            if (c0 < c1) {
                body.run(c0, c1);
            }
        });
    }

    /** Whether the loops across channels apply: one value per channel and sample, channels at unit stride. */
    private static boolean acrossChannels(StridedView v) {
        return VectorSupport.ENABLED && v.shape()[2] == 1 && v.strides()[1] == 1 && v.shape()[1] >= VectorBatchNorm.L;
    }

    static void forward(StridedView x, StridedView weight, StridedView bias, StridedView runningMean,
                        StridedView runningVar, boolean training, float momentum, float eps, float[] dst,
                        float[] mean, float[] invstd) {
        Params p = new Params(weight, bias, runningMean, runningVar);
        int n = x.shape()[0];
        int channels = x.shape()[1];
        int spatial = x.shape()[2];
        long m = (long) n * spatial;
        if (acrossChannels(x) && p.unitStrides()) {
            int l = VectorBatchNorm.L;
            parallel(channels, l, m * channels, (c0, c1) -> {
                int tail = c0 + (c1 - c0) / l * l;
                VectorBatchNorm.forwardAcross(x, p, training, momentum, eps, dst, mean, invstd, c0, tail);
                forwardChannels(x, p, training, momentum, eps, dst, mean, invstd, tail, c1);
            });
            return;
        }
        parallel(channels, 1, m * channels, (c0, c1) ->
                forwardChannels(x, p, training, momentum, eps, dst, mean, invstd, c0, c1));
    }

    private static void forwardChannels(StridedView x, Params p, boolean training, float momentum, float eps,
                                        float[] dst, float[] mean, float[] invstd, int c0, int c1) {
        float[] a = ((CpuStorage) x.storage()).data;
        int n = x.shape()[0];
        int channels = x.shape()[1];
        int spatial = x.shape()[2];
        int sn = x.strides()[0];
        int ss = x.strides()[2];
        long m = (long) n * spatial;
        boolean vector = VectorSupport.ENABLED && ss == 1 && spatial >= VectorBatchNorm.L;
        for (int c = c0; c < c1; c++) {
            int base = x.offset() + c * x.strides()[1];
            float mu;
            float inv;
            if (training) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    int o = base + i * sn;
                    if (vector) {
                        sum += VectorBatchNorm.runSum(a, o, spatial);
                    } else {
                        for (int j = 0; j < spatial; j++) {
                            sum += a[o + j * ss];
                        }
                    }
                }
                mu = (float) (sum / m);
                double sq = 0;
                for (int i = 0; i < n; i++) {
                    int o = base + i * sn;
                    if (vector) {
                        sq += VectorBatchNorm.runSquaredDeviations(a, o, spatial, mu);
                    } else {
                        for (int j = 0; j < spatial; j++) {
                            float d = a[o + j * ss] - mu;
                            sq += d * d;
                        }
                    }
                }
                inv = (float) (1.0 / Math.sqrt(sq / m + eps));
                p.updateRunning(c, momentum, mu, sq / (m - 1));
            } else {
                mu = p.runningMean(c);
                inv = (float) (1.0 / Math.sqrt((double) p.runningVar(c) + eps));
            }
            mean[c] = mu;
            invstd[c] = inv;
            float scale = inv * p.weight(c);
            float shift = p.bias(c);
            for (int i = 0; i < n; i++) {
                int o = base + i * sn;
                int d = (i * channels + c) * spatial;
                if (vector) {
                    VectorBatchNorm.runAffine(a, o, spatial, mu, scale, shift, dst, d);
                } else {
                    for (int j = 0; j < spatial; j++) {
                        dst[d + j] = (a[o + j * ss] - mu) * scale + shift;
                    }
                }
            }
        }
    }

    static void backward(StridedView x, StridedView g, float[] mean, float[] invstd, StridedView weight,
                         boolean training, float[] dx, float[] dweight, float[] dbias) {
        Params p = new Params(weight, null, null, null);
        int channels = x.shape()[1];
        long m = (long) x.shape()[0] * x.shape()[2];
        if (acrossChannels(x) && acrossChannels(g) && p.unitStrides()) {
            int l = VectorBatchNorm.L;
            parallel(channels, l, m * channels, (c0, c1) -> {
                int tail = c0 + (c1 - c0) / l * l;
                VectorBatchNorm.backwardAcross(x, g, mean, invstd, p, training, dx, dweight, dbias, c0, tail);
                backwardChannels(x, g, mean, invstd, p, training, dx, dweight, dbias, tail, c1);
            });
            return;
        }
        parallel(channels, 1, m * channels, (c0, c1) ->
                backwardChannels(x, g, mean, invstd, p, training, dx, dweight, dbias, c0, c1));
    }

    private static void backwardChannels(StridedView x, StridedView g, float[] mean, float[] invstd, Params p,
                                         boolean training, float[] dx, float[] dweight, float[] dbias, int c0, int c1) {
        float[] a = ((CpuStorage) x.storage()).data;
        float[] gr = ((CpuStorage) g.storage()).data;
        int n = x.shape()[0];
        int channels = x.shape()[1];
        int spatial = x.shape()[2];
        int xn = x.strides()[0];
        int xsp = x.strides()[2];
        int gn = g.strides()[0];
        int gsp = g.strides()[2];
        long m = (long) n * spatial;
        boolean vector = VectorSupport.ENABLED && xsp == 1 && gsp == 1 && spatial >= VectorBatchNorm.L;
        boolean sums = dweight != null || dbias != null || (training && dx != null);
        double[] acc = new double[2];
        for (int c = c0; c < c1; c++) {
            int xb = x.offset() + c * x.strides()[1];
            int gb = g.offset() + c * g.strides()[1];
            float mu = mean[c];
            float inv = invstd[c];
            double sumG = 0;
            double sumGx = 0;
            if (sums) {
                for (int i = 0; i < n; i++) {
                    int xo = xb + i * xn;
                    int go = gb + i * gn;
                    if (vector) {
                        VectorBatchNorm.runGradientSums(gr, go, a, xo, spatial, mu, acc);
                        sumG += acc[0];
                        sumGx += acc[1];
                    } else {
                        for (int j = 0; j < spatial; j++) {
                            float gv = gr[go + j * gsp];
                            sumG += gv;
                            sumGx += gv * (a[xo + j * xsp] - mu);
                        }
                    }
                }
            }
            if (dweight != null) {
                dweight[c] = (float) (sumGx * inv);
            }
            if (dbias != null) {
                dbias[c] = (float) sumG;
            }
            if (dx == null) {
                continue;
            }
            float scale = inv * p.weight(c);
            float gMean = training ? (float) (sumG / m) : 0f;
            float k = training ? (float) (sumGx / m * inv * inv) : 0f;
            for (int i = 0; i < n; i++) {
                int xo = xb + i * xn;
                int go = gb + i * gn;
                int d = (i * channels + c) * spatial;
                if (!training) {
                    // the statistics were constants: a per-channel scale (no term in x, so inf in x stays out)
                    if (vector) {
                        VectorBatchNorm.runAffine(gr, go, spatial, 0f, scale, 0f, dx, d);
                    } else {
                        for (int j = 0; j < spatial; j++) {
                            dx[d + j] = gr[go + j * gsp] * scale;
                        }
                    }
                } else if (vector) {
                    VectorBatchNorm.runInputGradient(gr, go, a, xo, spatial, mu, gMean, k, scale, dx, d);
                } else {
                    for (int j = 0; j < spatial; j++) {
                        dx[d + j] = (gr[go + j * gsp] - gMean - (a[xo + j * xsp] - mu) * k) * scale;
                    }
                }
            }
        }
    }

    /**
     * The per-channel operands ({@code [C]} views, each may be null): their arrays, offsets and strides, and
     * the running statistics' update. Immutable apart from the running statistics it writes.
     */
    static final class Params {
        final float[] w;
        final int wOff;
        final int wStep;
        final float[] b;
        final int bOff;
        final int bStep;
        private final float[] rm;
        private final int rmOff;
        private final int rmStep;
        private final float[] rv;
        private final int rvOff;
        private final int rvStep;

        Params(StridedView weight, StridedView bias, StridedView runningMean, StridedView runningVar) {
            w = data(weight);
            wOff = weight == null ? 0 : weight.offset();
            wStep = weight == null ? 0 : weight.strides()[0];
            b = data(bias);
            bOff = bias == null ? 0 : bias.offset();
            bStep = bias == null ? 0 : bias.strides()[0];
            rm = data(runningMean);
            rmOff = runningMean == null ? 0 : runningMean.offset();
            rmStep = runningMean == null ? 0 : runningMean.strides()[0];
            rv = data(runningVar);
            rvOff = runningVar == null ? 0 : runningVar.offset();
            rvStep = runningVar == null ? 0 : runningVar.strides()[0];
        }

        private static float[] data(StridedView v) {
            return v == null ? null : ((CpuStorage) v.storage()).data;
        }

        /** Whether weight and bias (where present) are read at unit stride, as the vector loops need. */
        boolean unitStrides() {
            return (w == null || wStep == 1) && (b == null || bStep == 1);
        }

        float weight(int c) {
            return w == null ? 1f : w[wOff + c * wStep];
        }

        float bias(int c) {
            return b == null ? 0f : b[bOff + c * bStep];
        }

        float runningMean(int c) {
            return rm[rmOff + c * rmStep];
        }

        float runningVar(int c) {
            return rv[rvOff + c * rvStep];
        }

        /** {@code r = (1 - momentum) * r + momentum * stat} for each running statistic present. */
        void updateRunning(int c, float momentum, float batchMean, double unbiasedVar) {
            if (rm != null) {
                int i = rmOff + c * rmStep;
                rm[i] = (float) ((1.0 - momentum) * rm[i] + (double) momentum * batchMean);
            }
            if (rv != null) {
                int i = rvOff + c * rvStep;
                rv[i] = (float) ((1.0 - momentum) * rv[i] + (double) momentum * unbiasedVar);
            }
        }
    }
}
