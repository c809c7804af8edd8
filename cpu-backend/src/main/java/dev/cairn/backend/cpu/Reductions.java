package dev.cairn.backend.cpu;

import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.StridedView;

/** Reductions along one dimension of a float32 strided operand. Sums accumulate in double. */
final class Reductions {
    private Reductions() {
    }

    /** One reduced line: the elements {@code a[start + i * step]} for {@code i < len}, written to output {@code out}. */
    private interface Line {
        void reduce(int out, float[] a, int start, int step, int len);
    }

    /** SUM, MAX, MIN (float32 results) along {@code dim}. */
    static void reduce(ReduceOp op, StridedView src, int dim, float[] dst) {
        walk(src, dim, (out, a, start, step, len) -> dst[out] = reduceLine(op, a, start, step, len));
    }

    /** ARGMAX or ARGMIN along {@code dim} as int64 positions: the first on ties, the first NaN where there is one. */
    static void argReduce(ReduceOp op, StridedView src, int dim, long[] dst) {
        boolean max = switch (op) {
            case ARGMAX -> true;
            case ARGMIN -> false;
            default -> throw new IllegalArgumentException(op + " does not give int64 positions");
        };
        walk(src, dim, (out, a, start, step, len) -> dst[out] = argLine(max, a, start, step, len));
    }

    private static void walk(StridedView src, int dim, Line line) {
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
            line.reduce(out++, a, cur.offsetA, step, len);
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
            default -> throw new IllegalArgumentException(op + " does not give float32 values");
        }
    }

    private static int argLine(boolean max, float[] a, int start, int step, int len) {
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
}
