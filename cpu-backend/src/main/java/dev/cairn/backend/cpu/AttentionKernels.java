package dev.cairn.backend.cpu;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;

/**
 * The CPU's fused scaled dot-product attention ({@code Backend.attention}): for each matrix {@code (b, h)} the
 * key is packed transposed ({@code [D, S]}) and the value packed dense, then each query row computes its
 * {@code S} scores into a scratch line, adds the mask, takes the softmax in place (the line kernels of
 * {@link RowKernels} / {@link VectorRows}) and sums the value rows weighted by it straight into the output; the
 * {@code [L, S]} weights of a matrix never exist at once. Work is split across the CPU pool by blocks of query
 * rows. Uses {@link VectorAttention} when the Vector API is on. Stateless; safe from any thread.
 */
final class AttentionKernels {
    /** Query rows per work item: enough to amortise packing the key and value of its matrix. */
    private static final int ROWS = 32;
    /** Multiply-adds below which the whole call runs on the calling thread. */
    private static final long SERIAL_WORK = 1 << 17;

    private AttentionKernels() {
    }

    static void forward(StridedView q, StridedView k, StridedView v, StridedView mask, float scale, float[] dst) {
        int[] qs = q.shape();
        int heads = qs[1];
        int l = qs[2];
        int d = qs[3];
        int s = k.shape()[2];
        int dv = v.shape()[3];
        int matrices = qs[0] * heads;
        if (matrices == 0 || l == 0 || dv == 0) {
            return;
        }
        if (s == 0) { // softmax over no keys weighs nothing: the product with an empty value is zero
            java.util.Arrays.fill(dst, 0, matrices * l * dv, 0f);
            return;
        }
        float[] qa = ((CpuStorage) q.storage()).data;
        float[] ka = ((CpuStorage) k.storage()).data;
        float[] va = ((CpuStorage) v.storage()).data;
        float[] ma = mask == null ? null : ((CpuStorage) mask.storage()).data;
        boolean vector = VectorSupport.ENABLED;
        int blocks = (l + ROWS - 1) / ROWS;
        int items = matrices * blocks;
        long work = (long) matrices * l * s * (d + dv);
        int parts = work < SERIAL_WORK ? 1 : Math.min(CpuThreads.cores(), items);
        CpuThreads.parallel(parts, (part, n) -> {
            int from = (int) ((long) items * part / n);
            int to = (int) ((long) items * (part + 1) / n);
            float[] kt = new float[d * s];
            float[] vp = new float[s * dv];
            float[] scores = new float[VectorAttention.ROWS * s];
            float[] qrow = new float[VectorAttention.ROWS * d];
            int[] lanes = vector ? VectorAttention.keyRows(k.strides()[2]) : null;
            int packed = -1;
            for (int item = from; item < to; item++) {
                int m = item / blocks;
                int b = m / heads;
                int h = m % heads;
                if (m != packed) {
                    if (vector) {
                        VectorAttention.transposeKey(ka, base(k, b, h), k.strides()[2], k.strides()[3], s, d, kt, lanes);
                    } else {
                        packKeyTransposed(ka, base(k, b, h), k.strides()[2], k.strides()[3], s, d, kt, 0);
                    }
                    packValue(va, base(v, b, h), v.strides()[2], v.strides()[3], s, dv, vp);
                    packed = m;
                }
                int qb = base(q, b, h);
                int mb = mask == null ? 0 : base(mask, b, h);
                int first = (item % blocks) * ROWS;
                int last = Math.min(l, first + ROWS);
                int i = first;
                if (vector) {
                    // four query rows at a time: each key and value vector loaded once for the four
                    for (; i + VectorAttention.ROWS <= last; i += VectorAttention.ROWS) {
                        for (int r = 0; r < VectorAttention.ROWS; r++) {
                            scaledRow(qa, qb + (i + r) * q.strides()[2], q.strides()[3], d, scale, qrow, r * d);
                        }
                        VectorAttention.scores4(qrow, kt, d, s, scores, s);
                        for (int r = 0; r < VectorAttention.ROWS; r++) {
                            normalize(scores, r * s, s, ma, mask, mb, i + r, vector);
                        }
                        VectorAttention.weighRows4(scores, s, vp, s, dv, dst, (m * l + i) * dv);
                    }
                }
                for (; i < last; i++) {
                    scaledRow(qa, qb + i * q.strides()[2], q.strides()[3], d, scale, qrow, 0);
                    int out = (m * l + i) * dv;
                    if (vector) {
                        VectorAttention.scores(qrow, kt, d, s, scores);
                    } else {
                        scores(qrow, kt, d, s, scores);
                    }
                    normalize(scores, 0, s, ma, mask, mb, i, vector);
                    if (vector) {
                        VectorAttention.weighRows(scores, vp, s, dv, dst, out);
                    } else {
                        weighRows(scores, vp, s, dv, dst, out);
                    }
                }
            }
        });
    }

    /** {@code qrow[at + c] = q[c] * scale} for the {@code d} elements of a query row. */
    private static void scaledRow(float[] qa, int p, int step, int d, float scale, float[] qrow, int at) {
        if (step == 1 && d >= VectorGemm.L && VectorSupport.ENABLED
                && VectorElementwise.unary(UnaryOp.MUL_SCALAR, scale, qa, p, qrow, at, d)) {
            return;
        }
        for (int c = 0; c < d; c++, p += step) {
            qrow[at + c] = qa[p] * scale;
        }
    }

    /** Query row {@code i}'s {@code s} scores at {@code off}: the mask added, then the softmax in place. */
    private static void normalize(float[] scores, int off, int s, float[] ma, StridedView mask, int mb, int i,
                                  boolean vector) {
        if (ma != null) {
            int sj = mask.strides()[3];
            int p = mb + i * mask.strides()[2];
            // a mask row along the keys (the usual [B, 1, 1, S] or [L, S] mask) is added as vectors
            if (!(vector && sj == 1 && VectorElementwise.binary(BinaryOp.ADD, scores, off, ma, p, 1, scores, off, s))) {
                for (int j = 0; j < s; j++, p += sj) {
                    scores[off + j] += ma[p];
                }
            }
        }
        if (vector && s >= 16) {
            VectorRows.softmax(scores, off, scores, off, s, false);
        } else if (vector && s < VectorGemm.L) {
            VectorRows.softmaxShort(scores, off, s);
        } else {
            RowKernels.softmaxLine(scores, off, 1, scores, off, 1, s, false);
        }
    }

    /** The storage offset of matrix {@code (b, h)} of a rank-4 view. */
    private static int base(StridedView t, int b, int h) {
        return t.offset() + b * t.strides()[0] + h * t.strides()[1];
    }

    /** {@code kt[c * s + j] = k[j, c]} for the keys from {@code from}. */
    static void packKeyTransposed(float[] k, int base, int rowStride, int colStride, int s, int d, float[] kt,
                                  int from) {
        for (int j = from; j < s; j++) {
            for (int c = 0, p = base + j * rowStride; c < d; c++, p += colStride) {
                kt[c * s + j] = k[p];
            }
        }
    }

    /** The value dense by rows: {@code vp[j * dv + c]}. */
    private static void packValue(float[] v, int base, int rowStride, int colStride, int s, int dv, float[] vp) {
        for (int j = 0; j < s; j++) {
            int p = base + j * rowStride;
            if (colStride == 1) {
                System.arraycopy(v, p, vp, j * dv, dv);
            } else {
                for (int c = 0; c < dv; c++, p += colStride) {
                    vp[j * dv + c] = v[p];
                }
            }
        }
    }

    /** {@code scores[j] = sum_c qrow[c] * kt[c * s + j]}, in the order of {@code c}. */
    private static void scores(float[] qrow, float[] kt, int d, int s, float[] scores) {
        java.util.Arrays.fill(scores, 0, s, 0f);
        for (int c = 0; c < d; c++) {
            float x = qrow[c];
            for (int j = 0, p = c * s; j < s; j++, p++) {
                scores[j] += x * kt[p];
            }
        }
    }

    /** {@code dst[out + c] = sum_j p[j] * vp[j * dv + c]}, in the order of {@code j}. */
    private static void weighRows(float[] p, float[] vp, int s, int dv, float[] dst, int out) {
        java.util.Arrays.fill(dst, out, out + dv, 0f);
        for (int j = 0; j < s; j++) {
            float w = p[j];
            for (int c = 0, r = j * dv; c < dv; c++, r++) {
                dst[out + c] += w * vp[r];
            }
        }
    }
}
