package dev.cairn.backend.cpu;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;

/** Unary and binary elementwise kernels over strided (and broadcast) operands into a dense output. */
final class Elementwise {
    private Elementwise() {
    }

    static void unary(UnaryOp op, float s, StridedView src, float[] dst) {
        float[] a = ((CpuStorage) src.storage()).data;
        int n = src.numel();
        if (src.isContiguous()) {
            int off = src.offset();
            if (Lines.parts(n, n) <= 1) {
                unaryContiguous(op, s, a, off, dst, 0, n);
            } else {
                Lines.parallel(n, n, (from, to) -> unaryContiguous(op, s, a, off + from, dst, from, to - from));
            }
            return;
        }
        int[] shape = src.shape();
        int[] strides = src.strides();
        if (op == UnaryOp.IDENTITY && shape.length == 2 && strides[0] == 1 && shape[0] >= TILE && shape[1] >= TILE) {
            transposedCopy(a, src.offset(), shape[0], shape[1], strides[1], dst);
            return;
        }
        RowCursor cur = new RowCursor(src.shape(), src.offset(), src.strides(), 0, null);
        if (Lines.parts(cur.rows(), n) <= 1) {
            unaryRows(op, s, a, cur, 0, cur.rows(), dst);
        } else {
            Lines.parallel(cur.rows(), n, (from, to) -> unaryRows(op, s, a,
                    new RowCursor(src.shape(), src.offset(), src.strides(), 0, null), from, to, dst));
        }
    }

    /**
     * {@link dev.cairn.backend.Backend#clamp} of a contiguous {@code src} in one pass (split across the pool when
     * large), the same bits as CLAMP_MIN then CLAMP_MAX.
     */
    static void clampContiguous(float min, float max, StridedView src, float[] dst) {
        float[] a = ((CpuStorage) src.storage()).data;
        int n = src.numel();
        int off = src.offset();
        if (Lines.parts(n, n) <= 1) {
            clampRun(min, max, a, off, dst, 0, n);
        } else {
            Lines.parallel(n, n, (from, to) -> clampRun(min, max, a, off + from, dst, from, to - from));
        }
    }

    private static void clampRun(float min, float max, float[] a, int off, float[] dst, int dOff, int n) {
        if (VectorSupport.ENABLED) {
            VectorElementwise.clamp(min, max, a, off, dst, dOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            dst[dOff + i] = UnaryOp.CLAMP_MAX.apply(UnaryOp.CLAMP_MIN.apply(a[off + i], min), max);
        }
    }

    /** Rows a tile of {@link #transposedCopy} takes at once: one 64-byte line of the source per column. */
    private static final int TILE = 16;

    /**
     * {@code dst[r][c] = a[off + r + c * stride]} for an {@code rows x cols} view whose rows are adjacent in the
     * source (a transposed matrix made contiguous): TILE rows at a time, so that each source cache line read is
     * used whole (16 floats) before it is left, instead of one float of it per row (the row walk touched a new
     * line and page for every element). Splits the tiles across the CPU pool when large.
     */
    private static void transposedCopy(float[] a, int off, int rows, int cols, int stride, float[] dst) {
        int tiles = (rows + TILE - 1) / TILE;
        Lines.parallel(tiles, (long) rows * cols, (from, to) -> {
            for (int t = from; t < to; t++) {
                int r0 = t * TILE;
                int height = Math.min(TILE, rows - r0);
                for (int c = 0, p = off + r0; c < cols; c++, p += stride) {
                    for (int r = 0, q = r0 * cols + c; r < height; r++, q += cols) {
                        dst[q] = a[p + r];
                    }
                }
            }
        });
    }

    /** Rows {@code [from, to)} of the cursor's walk of {@code a}, into the dense {@code dst}. */
    private static void unaryRows(UnaryOp op, float s, float[] a, RowCursor cur, int from, int to, float[] dst) {
        int len = cur.rowLength();
        int sa = cur.innerStrideA();
        if (from > 0) {
            cur.seek(from);
        }
        int out = from * len;
        for (int r = from; r < to; r++) {
            int ia = cur.offsetA;
            if (sa == 1) {
                unaryContiguous(op, s, a, ia, dst, out, len);
            } else if (op == UnaryOp.IDENTITY) {
                for (int j = 0; j < len; j++, ia += sa) {
                    dst[out + j] = a[ia];
                }
            } else {
                for (int j = 0; j < len; j++, ia += sa) {
                    dst[out + j] = op.apply(a[ia], s);
                }
            }
            out += len;
            cur.next();
        }
    }

    /** {@code dst[i] = src[i]} between two strided views of one shape. */
    static void copy(StridedView src, StridedView dst) {
        float[] a = ((CpuStorage) src.storage()).data;
        float[] d = ((CpuStorage) dst.storage()).data;
        int n = src.numel();
        if (src.isContiguous() && dst.isContiguous()) {
            System.arraycopy(a, src.offset(), d, dst.offset(), n);
            return;
        }
        RowCursor cur = new RowCursor(src.shape(), src.offset(), src.strides(), dst.offset(), dst.strides());
        if (Lines.parts(cur.rows(), n) <= 1) {
            copyRows(a, d, cur, 0, cur.rows());
        } else {
            Lines.parallel(cur.rows(), n, (from, to) -> copyRows(a, d,
                    new RowCursor(src.shape(), src.offset(), src.strides(), dst.offset(), dst.strides()), from, to));
        }
    }

    private static void copyRows(float[] a, float[] d, RowCursor cur, int from, int to) {
        int len = cur.rowLength();
        int sa = cur.innerStrideA();
        int sd = cur.innerStrideB();
        if (from > 0) {
            cur.seek(from);
        }
        for (int r = from; r < to; r++) {
            if (sa == 1 && sd == 1) {
                System.arraycopy(a, cur.offsetA, d, cur.offsetB, len);
            } else {
                for (int j = 0, ia = cur.offsetA, id = cur.offsetB; j < len; j++, ia += sa, id += sd) {
                    d[id] = a[ia];
                }
            }
            cur.next();
        }
    }

    private static void unaryContiguous(UnaryOp op, float s, float[] a, int off, float[] dst, int dOff, int n) {
        if (VectorSupport.ENABLED && n >= 16 && VectorElementwise.unary(op, s, a, off, dst, dOff, n)) {
            return;
        }
        switch (op) {
            case IDENTITY -> System.arraycopy(a, off, dst, dOff, n);
            case NEG -> {
                for (int i = 0; i < n; i++) {
                    dst[dOff + i] = -a[off + i];
                }
            }
            case RELU -> {
                // NaN < 0 is false, so NaN flows through as in PyTorch
                for (int i = 0; i < n; i++) {
                    float x = a[off + i];
                    dst[dOff + i] = x < 0f ? 0f : x;
                }
            }
            case ADD_SCALAR -> {
                for (int i = 0; i < n; i++) {
                    dst[dOff + i] = a[off + i] + s;
                }
            }
            case MUL_SCALAR -> {
                for (int i = 0; i < n; i++) {
                    dst[dOff + i] = a[off + i] * s;
                }
            }
            case DIV_SCALAR -> {
                for (int i = 0; i < n; i++) {
                    dst[dOff + i] = a[off + i] / s;
                }
            }
            case ABS -> {
                for (int i = 0; i < n; i++) {
                    dst[dOff + i] = Math.abs(a[off + i]);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    dst[dOff + i] = op.apply(a[off + i], s);
                }
            }
        }
    }

    static void binary(BinaryOp op, StridedView av, StridedView bv, float[] dst) {
        float[] a = ((CpuStorage) av.storage()).data;
        float[] b = ((CpuStorage) bv.storage()).data;
        int n = av.numel();
        if (av.isContiguous() && bv.isContiguous()) {
            int ao = av.offset();
            int bo = bv.offset();
            if (Lines.parts(n, n) <= 1) {
                binaryRow(op, a, ao, 1, b, bo, 1, dst, 0, n);
            } else {
                Lines.parallel(n, n, (from, to) -> binaryRow(op, a, ao + from, 1, b, bo + from, 1, dst, from, to - from));
            }
            return;
        }
        RowCursor cur = new RowCursor(av.shape(), av.offset(), av.strides(), bv.offset(), bv.strides());
        if (Lines.parts(cur.rows(), n) <= 1) {
            binaryRows(op, a, b, cur, 0, cur.rows(), dst);
        } else {
            Lines.parallel(cur.rows(), n, (from, to) -> binaryRows(op, a, b,
                    new RowCursor(av.shape(), av.offset(), av.strides(), bv.offset(), bv.strides()), from, to, dst));
        }
    }

    /** Rows {@code [from, to)} of the cursor's walk of {@code a} and {@code b}, into the dense {@code dst}. */
    private static void binaryRows(BinaryOp op, float[] a, float[] b, RowCursor cur, int from, int to, float[] dst) {
        int len = cur.rowLength();
        int sa = cur.innerStrideA();
        int sb = cur.innerStrideB();
        if (from > 0) {
            cur.seek(from);
        }
        int out = from * len;
        for (int r = from; r < to; r++) {
            binaryRow(op, a, cur.offsetA, sa, b, cur.offsetB, sb, dst, out, len);
            out += len;
            cur.next();
        }
    }

    private static void binaryRow(BinaryOp op, float[] a, int ia, int sa, float[] b, int ib, int sb,
                                  float[] dst, int out, int n) {
        if (sa == 0 && sb == 1) {
            // the first operand is the broadcast one (a bias, a mean, a gradient expanded along the row):
            // swap the operands where the op allows, so that the dense-with-scalar loops below serve it
            BinaryOp swapped = switch (op) {
                case ADD, MUL, MAXIMUM, MINIMUM, EQ -> op;
                case GT -> BinaryOp.LT;
                case LT -> BinaryOp.GT;
                default -> null;
            };
            if (swapped != null) {
                binaryRow(swapped, b, ib, 1, a, ia, 0, dst, out, n);
                return;
            }
            float as = a[ia];
            switch (op) {
                case SUB -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = as - b[ib + j];
                    }
                    return;
                }
                case DIV -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = as / b[ib + j];
                    }
                    return;
                }
                default -> {
                    // the general loop at the end
                }
            }
        }
        if (VectorSupport.ENABLED && sa == 1 && n >= 16 && VectorElementwise.binary(op, a, ia, b, ib, sb, dst, out, n)) {
            return;
        }
        if (sa == 1 && sb == 1) {
            switch (op) {
                case ADD -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] + b[ib + j];
                    }
                }
                case SUB -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] - b[ib + j];
                    }
                }
                case MUL -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] * b[ib + j];
                    }
                }
                case DIV -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] / b[ib + j];
                    }
                }
                case GT -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] > b[ib + j] ? 1f : 0f;
                    }
                }
                case LT -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] < b[ib + j] ? 1f : 0f;
                    }
                }
                default -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = op.apply(a[ia + j], b[ib + j]);
                    }
                }
            }
            return;
        }
        if (sa == 1 && sb == 0) {
            float bs = b[ib];
            switch (op) {
                case ADD -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] + bs;
                    }
                }
                case MUL -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] * bs;
                    }
                }
                case SUB -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] - bs;
                    }
                }
                case DIV -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] / bs;
                    }
                }
                case MAXIMUM -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = Math.max(a[ia + j], bs); // NaN if either is NaN, as BinaryOp.MAXIMUM
                    }
                }
                case MINIMUM -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = Math.min(a[ia + j], bs);
                    }
                }
                case GT -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] > bs ? 1f : 0f;
                    }
                }
                case LT -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = a[ia + j] < bs ? 1f : 0f;
                    }
                }
                default -> {
                    for (int j = 0; j < n; j++) {
                        dst[out + j] = op.apply(a[ia + j], bs);
                    }
                }
            }
            return;
        }
        for (int j = 0; j < n; j++, ia += sa, ib += sb) {
            dst[out + j] = op.apply(a[ia], b[ib]);
        }
    }
}
