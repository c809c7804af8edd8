package dev.cairn.backend.cpu;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;

/**
 * Kernels for integer and bool tensors, conversions between dtypes, and the indexing ops (where,
 * indexSelect, gather, scatterAdd): plain loops over {@link Elements}, walking strided views by flat
 * index. Correct first; none of these is on a model's float hot path.
 */
final class TypedKernels {
    private TypedKernels() {
    }

    /** The storage offset of the element at row-major position {@code flat} of {@code v}. */
    static int offsetOf(StridedView v, int flat) {
        int[] shape = v.shape();
        int[] strides = v.strides();
        int off = v.offset();
        for (int d = shape.length - 1; d >= 0; d--) {
            int n = shape[d];
            if (n == 0) {
                return off;
            }
            off += (flat % n) * strides[d];
            flat /= n;
        }
        return off;
    }

    /** Copies with conversion: integers and bools move as longs, floats as doubles. */
    static void copy(StridedView src, StridedView dst) {
        Elements s = Elements.of(src.storage());
        Elements d = Elements.of(dst.storage());
        int n = dst.numel();
        boolean exact = s.integral();
        for (int i = 0; i < n; i++) {
            int si = offsetOf(src, i);
            int di = offsetOf(dst, i);
            if (exact) {
                d.setLong(di, s.getLong(si));
            } else {
                d.set(di, s.get(si));
            }
        }
    }

    static void fill(Storage dst, int offset, int length, float value) {
        Elements d = Elements.of(dst);
        for (int i = offset; i < offset + length; i++) {
            d.set(i, value);
        }
    }

    static void compare(CompareOp op, StridedView a, StridedView b, Storage dst) {
        boolean[] out = (boolean[]) ((CpuTypedStorage) dst).data;
        if (a.storage() instanceof CpuStorage x && b.storage() instanceof CpuStorage y) {
            float[] u = x.data;
            float[] v = y.data;
            // the comparison chosen once per row: a loop the JIT can keep tight (and vectorize where it can)
            rows(a, b, (ia, sa, ib, sb, o, len) -> {
                if (sa == 1 && VectorSupport.ENABLED && len >= 16
                        && VectorElementwise.compare(op, u, ia, v, ib, sb, out, o, len)) {
                    return;
                }
                switch (op) {
                    case EQ -> { for (int j = 0; j < len; j++, ia += sa, ib += sb) { out[o + j] = u[ia] == v[ib]; } }
                    case NE -> { for (int j = 0; j < len; j++, ia += sa, ib += sb) { out[o + j] = u[ia] != v[ib]; } }
                    case LT -> { for (int j = 0; j < len; j++, ia += sa, ib += sb) { out[o + j] = u[ia] < v[ib]; } }
                    case LE -> { for (int j = 0; j < len; j++, ia += sa, ib += sb) { out[o + j] = u[ia] <= v[ib]; } }
                    case GT -> { for (int j = 0; j < len; j++, ia += sa, ib += sb) { out[o + j] = u[ia] > v[ib]; } }
                    case GE -> { for (int j = 0; j < len; j++, ia += sa, ib += sb) { out[o + j] = u[ia] >= v[ib]; } }
                }
            });
            return;
        }
        Elements x = Elements.of(a.storage());
        Elements y = Elements.of(b.storage());
        boolean exact = x.integral();
        rows(a, b, (ia, sa, ib, sb, o, len) -> {
            for (int j = 0; j < len; j++, ia += sa, ib += sb) {
                out[o + j] = exact ? op.test(x.getLong(ia), y.getLong(ib)) : op.test(x.get(ia), y.get(ib));
            }
        });
    }

    /** One row of a two-operand walk: its first offsets and inner strides in a and b, where it starts in the output. */
    private interface Row {
        void run(int ia, int sa, int ib, int sb, int out, int len);
    }

    /**
     * Walks {@code a} and {@code b} (one shape) row by row into a dense output, split across the CPU pool when
     * large: the offsets advance by the inner strides instead of being recomputed from a flat index per element.
     */
    private static void rows(StridedView a, StridedView b, Row body) {
        int n = a.numel();
        if (n == 0) {
            return;
        }
        RowCursor first = new RowCursor(a.shape(), a.offset(), a.strides(), b.offset(), b.strides());
        Lines.parallel(first.rows(), n,
                (from, to) -> {
                    // the part from row 0 runs once, on the calling thread: it walks the cursor made above
                    RowCursor c = from == 0 ? first
                            : new RowCursor(a.shape(), a.offset(), a.strides(), b.offset(), b.strides());
                    int len = c.rowLength();
                    int sa = c.innerStrideA();
                    int sb = c.innerStrideB();
                    if (from > 0) {
                        c.seek(from);
                    }
                    for (int r = from, out = from * len; r < to; r++, out += len) {
                        body.run(c.offsetA, sa, c.offsetB, sb, out, len);
                        c.next();
                    }
                });
    }

    static void where(StridedView cond, StridedView a, StridedView b, Storage dst) {
        if (dst instanceof CpuStorage d && a.storage() instanceof CpuStorage x && b.storage() instanceof CpuStorage y
                && cond.storage() instanceof CpuTypedStorage c && c.data instanceof boolean[] mask) {
            whereFloat(cond, mask, a, x.data, b, y.data, d.data);
            return;
        }
        Elements c = Elements.of(cond.storage());
        Elements x = Elements.of(a.storage());
        Elements y = Elements.of(b.storage());
        Elements d = Elements.of(dst);
        boolean exact = d.integral();
        int n = a.numel();
        for (int i = 0; i < n; i++) {
            boolean pick = c.getLong(offsetOf(cond, i)) != 0;
            StridedView from = pick ? a : b;
            Elements e = pick ? x : y;
            int at = offsetOf(from, i);
            if (exact) {
                d.setLong(i, e.getLong(at));
            } else {
                d.set(i, e.get(at));
            }
        }
    }

    /**
     * {@code where} on float32 values with a bool condition (masked fill, attention masks): one walk of the
     * three operands row by row, split across the CPU pool when large, instead of a flat-index lookup per
     * element and operand.
     */
    private static void whereFloat(StridedView cond, boolean[] mask, StridedView a, float[] x, StridedView b,
                                   float[] y, float[] dst) {
        int n = a.numel();
        RowCursor cur = new RowCursor(a.shape(), a.offset(), a.strides(), b.offset(), b.strides(), cond.offset(),
                cond.strides());
        Lines.parallel(cur.rows(), n, (from, to) -> {
            RowCursor c = from == 0 ? cur : new RowCursor(a.shape(), a.offset(), a.strides(), b.offset(), b.strides(),
                    cond.offset(), cond.strides());
            int len = c.rowLength();
            int sa = c.innerStrideA();
            int sb = c.innerStrideB();
            int sc = c.innerStrideC();
            if (from > 0) {
                c.seek(from);
            }
            int out = from * len;
            boolean vector = sc == 1 && VectorSupport.ENABLED && len >= 16;
            for (int r = from; r < to; r++) {
                if (vector && VectorElementwise.where(mask, c.offsetC, x, c.offsetA, sa, y, c.offsetB, sb, dst, out, len)) {
                    out += len;
                    c.next();
                    continue;
                }
                for (int j = 0, ia = c.offsetA, ib = c.offsetB, ic = c.offsetC; j < len; j++, ia += sa, ib += sb, ic += sc) {
                    dst[out + j] = mask[ic] ? x[ia] : y[ib];
                }
                out += len;
                c.next();
            }
        });
    }

    /** Unary ops on integer storages: the ops whose integer result PyTorch keeps integer. */
    static void unaryIntegral(UnaryOp op, float scalar, StridedView src, Storage dst) {
        Elements s = Elements.of(src.storage());
        Elements d = Elements.of(dst);
        long k = (long) scalar;
        int n = src.numel();
        for (int i = 0; i < n; i++) {
            long v = s.getLong(offsetOf(src, i));
            d.setLong(i, switch (op) {
                case IDENTITY -> v;
                case NEG -> -v;
                case ABS -> Math.abs(v);
                case ADD_SCALAR -> v + k;
                case MUL_SCALAR -> v * k;
                default -> throw new UnsupportedOperationException("unary " + op + " on integer tensors");
            });
        }
    }

    static void binaryIntegral(BinaryOp op, StridedView a, StridedView b, Storage dst) {
        if (dst instanceof CpuTypedStorage d && d.data instanceof boolean[] out
                && a.storage() instanceof CpuTypedStorage ta && ta.data instanceof boolean[] u
                && b.storage() instanceof CpuTypedStorage tb && tb.data instanceof boolean[] v
                && (op == BinaryOp.MUL || op == BinaryOp.ADD)) {
            // bool and (MUL) and or (ADD): logicalAnd, logicalOr and masks combined
            boolean and = op == BinaryOp.MUL;
            rows(a, b, (ia, sa, ib, sb, o, len) -> {
                if (sa == 1 && sb == 1 && VectorSupport.ENABLED) {
                    VectorElementwise.andOr(and, u, ia, v, ib, out, o, len);
                } else if (and) {
                    for (int j = 0; j < len; j++, ia += sa, ib += sb) {
                        out[o + j] = u[ia] & v[ib];
                    }
                } else {
                    for (int j = 0; j < len; j++, ia += sa, ib += sb) {
                        out[o + j] = u[ia] | v[ib];
                    }
                }
            });
            return;
        }
        Elements x = Elements.of(a.storage());
        Elements y = Elements.of(b.storage());
        Elements d = Elements.of(dst);
        rows(a, b, (ia, sa, ib, sb, o, len) -> {
            for (int j = 0; j < len; j++, ia += sa, ib += sb) {
                long u = x.getLong(ia);
                long v = y.getLong(ib);
                d.setLong(o + j, switch (op) {
                    case ADD -> u + v;
                    case SUB -> u - v;
                    case MUL -> u * v;
                    case MAXIMUM -> Math.max(u, v);
                    case MINIMUM -> Math.min(u, v);
                    default -> throw new UnsupportedOperationException("binary " + op + " on integer tensors");
                });
            }
        });
    }

    /**
     * {@code gather} of floats by an int64 index: the index and the source walked row by row together (the
     * source with the index's shape, its step along {@code dim} left to the index values), each value checked
     * as it is read, instead of both offsets recomputed from a flat index per element.
     */
    private static void gatherFloats(StridedView src, int dim, StridedView index, float[] from, long[] positions,
                                     float[] to) {
        int[] shape = index.shape();
        int[] srcStrides = src.strides().clone();
        int along = srcStrides[dim];
        int size = src.shape()[dim];
        srcStrides[dim] = 0;
        RowCursor c = new RowCursor(shape, index.offset(), index.strides(), src.offset(), srcStrides);
        int len = c.rowLength();
        int si = c.innerStrideA();
        int ss = c.innerStrideB();
        for (int r = 0, out = 0; r < c.rows(); r++, out += len) {
            for (int j = 0, ia = c.offsetA, ib = c.offsetB; j < len; j++, ia += si, ib += ss) {
                long v = positions[ia];
                if (v < 0 || v >= size) {
                    throw new dev.cairn.CairnException("gather: index " + v + " is out of bounds for dimension " + dim
                            + " with size " + size + " (input shape " + java.util.Arrays.toString(src.shape()) + ")");
                }
                to[out + j] = from[ib + (int) v * along];
            }
            c.next();
        }
    }

    /** SUM, MAX, MIN, ARGMAX and ARGMIN of an integer or bool storage along {@code dim} (positions as int64). */
    static void reduceIntegral(ReduceOp op, StridedView src, int dim, Storage dst) {
        Elements s = Elements.of(src.storage());
        Elements d = Elements.of(dst);
        int[] shape = src.shape();
        int len = shape[dim];
        int stride = src.strides()[dim];
        int outer = 1;
        for (int i = 0; i < shape.length; i++) {
            if (i != dim) {
                outer *= shape[i];
            }
        }
        int[] reducedShape = new int[shape.length - 1];
        int[] reducedStrides = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != dim) {
                reducedShape[j] = shape[i];
                reducedStrides[j++] = src.strides()[i];
            }
        }
        StridedView rows = new StridedView(src.storage(), src.offset(), reducedShape, reducedStrides);
        for (int o = 0; o < outer; o++) {
            int base = offsetOf(rows, o);
            long acc = op == ReduceOp.SUM ? 0 : op == ReduceOp.PROD ? 1 : s.getLong(base);
            int best = 0;
            for (int j = 0; j < len; j++) {
                long v = s.getLong(base + j * stride);
                switch (op) {
                    case SUM -> acc += v;
                    case PROD -> acc *= v; // wraps on overflow, as PyTorch's int64 prod
                    case MAX -> acc = Math.max(acc, v);
                    case MIN -> acc = Math.min(acc, v);
                    case ARGMAX -> {
                        if (v > s.getLong(base + best * stride)) {
                            best = j;
                        }
                    }
                    case ARGMIN -> {
                        if (v < s.getLong(base + best * stride)) {
                            best = j;
                        }
                    }
                }
            }
            if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
                d.set(o, best);
            } else {
                d.setLong(o, acc);
            }
        }
    }

    /**
     * {@code indexSelect} on floats whose dimensions after {@code dim} are dense (flip, a slice of channels, a
     * gather of positions): the index checked once, then for each position of the dimensions before {@code dim} a
     * run of picks, each a block copy (one element when {@code dim} is the last; a backwards walk of single
     * elements, a flip, copied in reversed vectors), the positions before {@code dim} split across the CPU pool
     * when large. False (nothing done) when the inner dimensions are strided.
     */
    private static boolean indexSelectRuns(StridedView src, int dim, StridedView index, float[] from, float[] to) {
        int[] shape = src.shape();
        int[] strides = src.strides();
        int inner = 1;
        for (int k = shape.length - 1; k > dim; k--) {
            if (shape[k] != 1 && strides[k] != inner) {
                return false;
            }
            inner *= shape[k];
        }
        Elements ix = Elements.of(index.storage());
        int m = index.numel();
        int[] at = new int[m];
        for (int j = 0; j < m; j++) {
            at[j] = checkedIndex("indexSelect", ix, index, j, dim, shape) * strides[dim];
        }
        int outer = 1;
        for (int k = 0; k < dim; k++) {
            outer *= shape[k];
        }
        // picks of single elements that walk a unit-stride dimension backwards (a flip of the last dimension):
        // copied as vectors with their lanes reversed
        boolean backwards = inner == 1 && VectorSupport.ENABLED && backwardsByOne(at, m);
        int blockLen = inner;
        Lines.parallel(outer, (long) outer * m * inner, (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                int base = src.offset();
                for (int k = dim - 1, rem = o; k >= 0; k--) {
                    base += (rem % shape[k]) * strides[k];
                    rem /= shape[k];
                }
                int out = o * m * blockLen;
                if (backwards) {
                    VectorLanes.reverseCopy(from, base + at[m - 1], to, out, m);
                } else if (blockLen == 1) {
                    for (int j = 0; j < m; j++) {
                        to[out + j] = from[base + at[j]];
                    }
                } else {
                    for (int j = 0; j < m; j++) {
                        System.arraycopy(from, base + at[j], to, out + j * blockLen, blockLen);
                    }
                }
            }
        });
        return true;
    }

    /** Whether the offsets {@code at[0 .. m)} (at least two) step back by exactly one element each. */
    private static boolean backwardsByOne(int[] at, int m) {
        for (int j = 1; j < m; j++) {
            if (at[j] != at[0] - j) {
                return false;
            }
        }
        return m > 1;
    }

    static void indexSelect(StridedView src, int dim, StridedView index, Storage dst) {
        if (dim == 0 && src.storage() instanceof CpuStorage from && dst instanceof CpuStorage to && denseRows(src)) {
            // float rows picked whole (an embedding lookup): one array copy per index
            int width = 1;
            for (int k = 1; k < src.shape().length; k++) {
                width *= src.shape()[k];
            }
            Elements ix = Elements.of(index.storage());
            int rowStride = src.strides()[0];
            for (int i = 0, n = index.numel(); i < n; i++) {
                int row = checkedIndex("indexSelect", ix, index, i, 0, src.shape());
                System.arraycopy(from.data, src.offset() + row * rowStride, to.data, i * width, width);
            }
            return;
        }
        if (src.storage() instanceof CpuStorage from && dst instanceof CpuStorage to && indexSelectRuns(src, dim, index,
                from.data, to.data)) {
            return;
        }
        Elements s = Elements.of(src.storage());
        Elements ix = Elements.of(index.storage());
        Elements d = Elements.of(dst);
        int[] outShape = src.shape().clone();
        outShape[dim] = index.numel();
        int n = 1;
        for (int size : outShape) {
            n *= size;
        }
        int[] srcStrides = src.strides();
        boolean exact = s.integral();
        for (int i = 0; i < n; i++) {
            // decompose i over outShape; the coordinate along dim goes through the index
            int rem = i;
            int off = src.offset();
            for (int k = outShape.length - 1; k >= 0; k--) {
                int c = rem % outShape[k];
                rem /= outShape[k];
                if (k == dim) {
                    c = checkedIndex("indexSelect", ix, index, c, dim, src.shape());
                }
                off += c * srcStrides[k];
            }
            if (exact) {
                d.setLong(i, s.getLong(off));
            } else {
                d.set(i, s.get(off));
            }
        }
    }

    /** Whether each slice {@code src[i]} of a view of rank 1 or more is dense and row-major. */
    private static boolean denseRows(StridedView v) {
        int[] shape = v.shape();
        int[] strides = v.strides();
        int expect = 1;
        for (int k = shape.length - 1; k >= 1; k--) {
            if (shape[k] != 1 && strides[k] != expect) {
                return false;
            }
            expect *= shape[k];
        }
        return shape.length >= 1;
    }

    static void gather(StridedView src, int dim, StridedView index, Storage dst) {
        if (src.storage() instanceof CpuStorage from && dst instanceof CpuStorage to
                && index.storage() instanceof CpuTypedStorage ix && ix.data instanceof long[] positions) {
            gatherFloats(src, dim, index, from.data, positions, to.data);
            return;
        }
        Elements s = Elements.of(src.storage());
        Elements ix = Elements.of(index.storage());
        Elements d = Elements.of(dst);
        int[] shape = index.shape();
        int n = index.numel();
        boolean exact = s.integral();
        for (int i = 0; i < n; i++) {
            int rem = i;
            int off = src.offset();
            for (int k = shape.length - 1; k >= 0; k--) {
                int c = rem % shape[k];
                rem /= shape[k];
                if (k == dim) {
                    c = checkedIndex("gather", ix, index, i, dim, src.shape());
                }
                off += c * src.strides()[k];
            }
            if (exact) {
                d.setLong(i, s.getLong(off));
            } else {
                d.set(i, s.get(off));
            }
        }
    }

    static void scatterAdd(StridedView src, int dim, StridedView index, StridedView dst) {
        Elements s = Elements.of(src.storage());
        Elements ix = Elements.of(index.storage());
        Elements d = Elements.of(dst.storage());
        int[] shape = index.shape();
        int n = index.numel();
        for (int i = 0; i < n; i++) {
            int rem = i;
            int off = dst.offset();
            for (int k = shape.length - 1; k >= 0; k--) {
                int c = rem % shape[k];
                rem /= shape[k];
                if (k == dim) {
                    c = checkedIndex("scatterAdd", ix, index, i, dim, dst.shape());
                }
                off += c * dst.strides()[k];
            }
            int si = offsetOf(new StridedView(src.storage(), src.offset(), shape, sliceStrides(src, shape)), i);
            if (d.integral()) {
                d.setLong(off, d.getLong(off) + s.getLong(si));
            } else {
                d.set(off, d.get(off) + s.get(si));
            }
        }
    }

    /**
     * The index at row-major position {@code flat} of {@code index}, checked to lie in {@code [0, shape[dim])}
     * as {@code Backend} asks of its index kernels (core checks CPU tensors' indices before the kernel runs;
     * this check keeps the kernel safe for any caller).
     */
    private static int checkedIndex(String op, Elements ix, StridedView index, int flat, int dim, int[] shape) {
        long v = ix.getLong(offsetOf(index, flat));
        if (v < 0 || v >= shape[dim]) {
            throw new dev.cairn.CairnException(op + ": index " + v + " is out of bounds for dimension " + dim
                    + " with size " + shape[dim] + " (input shape " + java.util.Arrays.toString(shape) + ")");
        }
        return (int) v;
    }

    /** {@code src}'s strides, for walking it over index's (possibly smaller) shape. */
    private static int[] sliceStrides(StridedView src, int[] shape) {
        return src.strides().length == shape.length ? src.strides() : new int[shape.length];
    }
}
