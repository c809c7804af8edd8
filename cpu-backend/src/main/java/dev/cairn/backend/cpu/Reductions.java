package dev.cairn.backend.cpu;

import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.StridedView;

/** Reductions along one dimension of a strided operand. Sums accumulate in double. */
final class Reductions {
    private Reductions() {
    }

    static void reduce(ReduceOp op, StridedView src, int dim, float[] dst) {
        float[] a = ((CpuStorage) src.storage()).data;
        int[] shape = src.shape();
        int[] strides = src.strides();
        int r = shape.length;
        int len = shape[dim];
        int step = strides[dim];
        // the remaining dimensions, walked in row-major order with a trailing unit dimension
        int[] outShape = new int[r];
        int[] outStrides = new int[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i != dim) {
                outShape[j] = shape[i];
                outStrides[j++] = strides[i];
            }
        }
        outShape[r - 1] = 1;
        outStrides[r - 1] = 0;
        RowCursor cur = new RowCursor(outShape, src.offset(), outStrides, 0, null);
        int out = 0;
        for (int row = 0; row < cur.rows(); row++) {
            dst[out++] = reduceLine(op, a, cur.offsetA, step, len);
            cur.next();
        }
    }

    private static float reduceLine(ReduceOp op, float[] a, int start, int step, int len) {
        switch (op) {
            case SUM -> {
                double s = 0;
                for (int i = 0, p = start; i < len; i++, p += step) {
                    s += a[p];
                }
                return (float) s;
            }
            case PROD -> {
                double s = 1;
                for (int i = 0, p = start; i < len; i++, p += step) {
                    s *= a[p];
                }
                return (float) s;
            }
            case MAX, MIN -> {
                boolean max = op == ReduceOp.MAX;
                float best = a[start];
                for (int i = 0, p = start; i < len; i++, p += step) {
                    float v = a[p];
                    if (v != v) {
                        return v;
                    }
                    if (max ? v > best : v < best) {
                        best = v;
                    }
                }
                return best;
            }
            case ARGMAX, ARGMIN -> {
                boolean max = op == ReduceOp.ARGMAX;
                float best = a[start];
                int at = 0;
                if (best != best) {
                    return 0;
                }
                for (int i = 1, p = start + step; i < len; i++, p += step) {
                    float v = a[p];
                    if (v != v) {
                        return i;
                    }
                    if (max ? v > best : v < best) {
                        best = v;
                        at = i;
                    }
                }
                return at;
            }
            default -> throw new IllegalArgumentException("unknown reduction " + op);
        }
    }
}
