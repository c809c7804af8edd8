package dev.cairn.backend.cpu;

import dev.cairn.backend.StridedView;

/**
 * The CPU's layer-norm kernels over the rows of a {@code [rows, cols]} float32 operand with unit column
 * stride: statistics (two passes, mean then the biased variance of the centred values, so large offsets do
 * not cancel), the normalised write with the affine weight and bias, and PyTorch's gradients. Rows are split
 * across the CPU pool; the weight and bias gradients are column sums split by columns. Unit-stride rows use
 * {@link VectorRows} when the Vector API is on. Stateless; safe from any thread.
 */
final class LayerNormKernels {
    private LayerNormKernels() {
    }

    static void forward(StridedView x, StridedView weight, StridedView bias, float eps, float[] dst, float[] mean,
                        float[] rstd) {
        float[] a = ((CpuStorage) x.storage()).data;
        float[] w = weight == null ? null : ((CpuStorage) weight.storage()).data;
        float[] b = bias == null ? null : ((CpuStorage) bias.storage()).data;
        int wOff = weight == null ? 0 : weight.offset();
        int bOff = bias == null ? 0 : bias.offset();
        int wStep = weight == null ? 0 : weight.strides()[0];
        int bStep = bias == null ? 0 : bias.strides()[0];
        int cols = x.shape()[1];
        int rowStride = x.strides()[0];
        boolean vector = VectorSupport.ENABLED && cols >= 16 && (w == null || wStep == 1) && (b == null || bStep == 1);
        Lines rows = Lines.of(x, 1);
        rows.parallel((from, to) -> {
            for (int r = from; r < to; r++) {
                int ia = x.offset() + r * rowStride;
                int id = r * cols;
                if (vector) {
                    VectorRows.layerNorm(a, ia, w, wOff, b, bOff, eps, dst, id, cols, mean, rstd, r);
                    continue;
                }
                double s = 0;
                for (int j = 0; j < cols; j++) {
                    s += a[ia + j];
                }
                float mu = (float) (s / cols);
                double v = 0;
                for (int j = 0; j < cols; j++) {
                    float c = a[ia + j] - mu;
                    v += c * c;
                }
                float rs = (float) (1.0 / Math.sqrt((float) (v / cols) + eps));
                for (int j = 0; j < cols; j++) {
                    float y = (a[ia + j] - mu) * rs;
                    if (w != null) {
                        y *= w[wOff + j * wStep];
                    }
                    if (b != null) {
                        y += b[bOff + j * bStep];
                    }
                    dst[id + j] = y;
                }
                mean[r] = mu;
                rstd[r] = rs;
            }
        });
    }

    /**
     * {@code dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat))} with {@code gw = g * weight} and
     * {@code xhat = (x - mean) * rstd}; {@code dweight = sum_rows(g * xhat)}, {@code dbias = sum_rows(g)}.
     */
    static void backward(StridedView x, StridedView g, float[] mean, float[] rstd, StridedView weight, float[] dx,
                         float[] dweight, float[] dbias) {
        float[] a = ((CpuStorage) x.storage()).data;
        float[] gr = ((CpuStorage) g.storage()).data;
        float[] w = weight == null ? null : ((CpuStorage) weight.storage()).data;
        int wOff = weight == null ? 0 : weight.offset();
        int wStep = weight == null ? 0 : weight.strides()[0];
        int rowsN = x.shape()[0];
        int cols = x.shape()[1];
        int xs = x.strides()[0];
        int gs = g.strides()[0];
        if (dx != null) {
            boolean vector = VectorSupport.ENABLED && cols >= 16 && (w == null || wStep == 1);
            Lines.of(x, 1).parallel((from, to) -> {
                for (int r = from; r < to; r++) {
                    int ia = x.offset() + r * xs;
                    int ig = g.offset() + r * gs;
                    if (vector) {
                        VectorRows.layerNormBackward(a, ia, gr, ig, w, wOff, mean[r], rstd[r], dx, r * cols, cols);
                        continue;
                    }
                    float mu = mean[r];
                    float rs = rstd[r];
                    double sumGw = 0;
                    double sumGwXhat = 0;
                    for (int j = 0; j < cols; j++) {
                        float gw = w == null ? gr[ig + j] : gr[ig + j] * w[wOff + j * wStep];
                        sumGw += gw;
                        sumGwXhat += gw * ((a[ia + j] - mu) * rs);
                    }
                    float mGw = (float) (sumGw / cols);
                    float mGwXhat = (float) (sumGwXhat / cols);
                    for (int j = 0; j < cols; j++) {
                        float gw = w == null ? gr[ig + j] : gr[ig + j] * w[wOff + j * wStep];
                        float xhat = (a[ia + j] - mu) * rs;
                        dx[r * cols + j] = rs * (gw - mGw - xhat * mGwXhat);
                    }
                }
            });
        }
        if (dweight == null && dbias == null) {
            return;
        }
        // column sums, split by column blocks so that each thread owns its outputs
        int block = 64;
        int blocks = (cols + block - 1) / block;
        long work = (long) rowsN * cols;
        int parts = (int) Math.min(Math.min(CpuThreads.cores(), blocks), Math.max(1, work / Lines.PARALLEL_ELEMENTS));
        CpuThreads.parallel(Math.max(1, parts), (part, ps) -> {
            int c0 = Math.min(cols, (int) ((long) blocks * part / ps) * block);
            int c1 = Math.min(cols, (int) ((long) blocks * (part + 1) / ps) * block);
            if (VectorSupport.ENABLED && c1 - c0 >= 16) {
                VectorRows.layerNormParamGrads(a, x.offset(), xs, gr, g.offset(), gs, mean, rstd, rowsN, c0, c1,
                        dweight, dbias);
                return;
            }
            for (int j = c0; j < c1; j++) {
                double sw = 0;
                double sb = 0;
                for (int r = 0; r < rowsN; r++) {
                    float gv = gr[g.offset() + r * gs + j];
                    sw += gv * ((a[x.offset() + r * xs + j] - mean[r]) * rstd[r]);
                    sb += gv;
                }
                if (dweight != null) {
                    dweight[j] = (float) sw;
                }
                if (dbias != null) {
                    dbias[j] = (float) sb;
                }
            }
        });
    }
}
