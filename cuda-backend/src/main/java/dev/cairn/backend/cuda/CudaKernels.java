package dev.cairn.backend.cuda;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.Philox;
import dev.cairn.backend.RandomOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.DType;
import dev.cairn.backend.Window;

/**
 * How each operation of the CUDA backend becomes launches of Cairn's own kernels
 * ({@code src/main/cuda/*.cu}): the layout packing, the launch sizes, the argument lists and the
 * loops over what does not fit one launch. Kernels are found by name ({@link KernelNames}: the op and the
 * dtypes), and a missing one is an error naming it. It talks only to a {@link KernelLauncher}, so the tests run
 * exactly this code against the kernels compiled for the host CPU (see {@code src/test/emu}).
 * Stateless; safe from any thread when the launcher is.
 */
final class CudaKernels {
    /** Threads per block of the elementwise and GEMM kernels. */
    static final int BLOCK = 256;

    private CudaKernels() {
    }

    /**
     * The name of a kernel the launcher has; otherwise an {@link UnsupportedOperationException} naming the
     * missing kernel and what needed it (an op on a dtype the kernels do not cover).
     */
    static String kernel(KernelLauncher d, String name, String what) {
        if (!d.hasKernel(name)) {
            throw new UnsupportedOperationException("the CUDA backend has no kernel " + name + " for " + what
                    + " (not in src/main/cuda, or the committed PTX is stale: run cuda-backend/compile-kernels.sh);"
                    + " run this part on the CPU (tensor.to(Device.cpu()))");
        }
        return name;
    }

    private static DType sameDType(String op, StridedView a, Storage dst) {
        DType t = a.storage().dtype();
        if (dst.dtype() != t) {
            throw new IllegalArgumentException(op + ": operand of dtype " + t + " but destination of dtype "
                    + dst.dtype() + " on " + dst.device() + "; convert with copy first");
        }
        return t;
    }

    /** Checks that the {@code role} operand of {@code op} (absent when null) has dtype {@code t}. */
    private static void sameDType(String op, String role, Storage s, DType t) {
        if (s != null && s.dtype() != t) {
            throw new IllegalArgumentException(op + ": " + role + " of dtype " + s.dtype() + " on " + s.device()
                    + " but the input is " + t + "; convert with copy first");
        }
    }

    /** {@code dst[i] = op(src[i], scalar)}; dst is dense with src's shape and dtype. */
    static void unary(KernelLauncher d, UnaryOp op, float scalar, StridedView src, Storage dst) {
        unaryInto(d, op, scalar, src, dst, 0);
    }

    /** {@code unary} writing densely from element {@code dstOffset} of {@code dst}. */
    static void unaryInto(KernelLauncher d, UnaryOp op, float scalar, StridedView src, Storage dst, long dstOffset) {
        Object in = d.pointer(src.storage(), "unary source");
        Object out = d.pointer(dst, "unary destination");
        DType t = sameDType("unary " + op, src, dst);
        Layout l = Layout.of(src.shape(), src.strides(), null);
        long n = l.numel();
        if (n == 0) {
            return;
        }
        String what = "unary " + op + " on " + t;
        if (l.isDense(false)) {
            d.launch(kernel(d, KernelNames.unary(op, t, true), what), d.gridFor(n, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .f(scalar).ptr(in).l(src.offset()).ptr(out).l(dstOffset).i((int) n));
            return;
        }
        String name = kernel(d, KernelNames.unary(op, t, false), what);
        int[] packed = l.packInner();
        long inner = l.innerNumel();
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch(name, d.gridFor(inner, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .f(scalar).ptr(in).l(src.offset() + offs[0]).ints(packed)
                    .ptr(out).l(dstOffset + o * inner).i((int) inner));
        }
    }

    /** {@code dst[dstOffset + i] = src[i]} converted to dst's dtype ({@code convert_<from>_to_<to>}); dst dense. */
    static void convertInto(KernelLauncher d, StridedView src, Storage dst, long dstOffset) {
        DType from = src.storage().dtype();
        DType to = dst.dtype();
        if (from == to) {
            unaryInto(d, UnaryOp.IDENTITY, 0f, src, dst, dstOffset);
            return;
        }
        Object in = d.pointer(src.storage(), "copy source");
        Object out = d.pointer(dst, "copy destination");
        Layout l = Layout.of(src.shape(), src.strides(), null);
        if (l.numel() == 0) {
            return;
        }
        String name = kernel(d, KernelNames.convert(from, to), "copy from " + from + " to " + to);
        int[] packed = l.packInner();
        long inner = l.innerNumel();
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch(name, d.gridFor(inner, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .ptr(in).l(src.offset() + offs[0]).ints(packed).ptr(out).l(dstOffset + o * inner).i((int) inner));
        }
    }

    /**
     * A strided copy into any destination view (a slice of a larger tensor, for cat), converting between
     * dtypes as PyTorch's {@code to(dtype)}: the destination splits into its trailing dense block and the
     * outer indices around it; each block is one strided-source, dense-destination launch.
     */
    static void copy(KernelLauncher d, StridedView src, StridedView dst) {
        int r = dst.rank();
        int[] shape = dst.shape();
        int[] ds = dst.strides();
        int k = r; // dimensions k.. are stored densely in the destination
        int expect = 1;
        while (k > 0 && (shape[k - 1] == 1 || ds[k - 1] == expect)) {
            expect *= shape[k - 1];
            k--;
        }
        int[] innerShape = java.util.Arrays.copyOfRange(shape, k, r);
        int[] innerSrcStrides = java.util.Arrays.copyOfRange(src.strides(), k, r);
        long outer = 1;
        for (int i = 0; i < k; i++) {
            outer *= shape[i];
        }
        int[] idx = new int[k];
        for (long o = 0; o < outer; o++) {
            int so = src.offset();
            int dOff = dst.offset();
            for (int i = 0; i < k; i++) {
                so += idx[i] * src.strides()[i];
                dOff += idx[i] * ds[i];
            }
            convertInto(d, new StridedView(src.storage(), so, innerShape, innerSrcStrides), dst.storage(), dOff);
            for (int i = k - 1; i >= 0; i--) {
                if (++idx[i] < shape[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
    }

    /** Sets {@code dst[offset, offset + length)} to {@code value} converted as the CPU backend does (a fill kernel). */
    static void fill(KernelLauncher d, Storage dst, long offset, int length, float value) {
        if (length == 0) {
            return;
        }
        Object out = d.pointer(dst, "fill destination");
        DType t = dst.dtype();
        KernelArgs args = new KernelArgs().ptr(out).l(offset).i(length);
        switch (t) {
            case FLOAT32 -> args.f(value);
            case INT64 -> args.l((long) value);            // Java's cast: toward zero, NaN 0, saturating
            case INT32 -> args.i((int) (long) value);      // then wrapping, as Elements.Ints.set
            case BOOL -> args.i(value != 0 ? 1 : 0);       // NaN is true, as PyTorch's bool(nan)
        }
        d.launch(kernel(d, KernelNames.fill(t), "fill of " + t), d.gridFor(length, BLOCK), 1, 1, BLOCK, args);
    }

    /** {@code dst[i] = op(a[i], b[i])} over a's shape (b already broadcast to it, stride 0 where repeated). */
    static void binary(KernelLauncher d, BinaryOp op, StridedView a, StridedView b, Storage dst) {
        Object pa = d.pointer(a.storage(), "binary operand a");
        Object pb = d.pointer(b.storage(), "binary operand b");
        Object out = d.pointer(dst, "binary destination");
        DType t = sameDType("binary " + op, a, dst);
        sameDType("binary " + op, b, dst);
        Layout l = Layout.of(a.shape(), a.strides(), b.strides());
        long n = l.numel();
        if (n == 0) {
            return;
        }
        String what = "binary " + op + " on " + t;
        if (l.isDense(true)) {
            d.launch(kernel(d, KernelNames.binary(op, t, true), what), d.gridFor(n, BLOCK), 1, 1, BLOCK,
                    new KernelArgs().ptr(pa).l(a.offset()).ptr(pb).l(b.offset()).ptr(out).l(0).i((int) n));
            return;
        }
        String name = kernel(d, KernelNames.binary(op, t, false), what);
        int[] packed = l.packInner();
        long inner = l.innerNumel();
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch(name, d.gridFor(inner, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .ptr(pa).l(a.offset() + offs[0]).ptr(pb).l(b.offset() + offs[1])
                    .ints(packed).ptr(out).l(o * inner).i((int) inner));
        }
    }

    /** {@code dst[i] = a[i] op b[i]} as bool (dense), a and b of one dtype broadcast to one shape. */
    static void compare(KernelLauncher d, CompareOp op, StridedView a, StridedView b, Storage dst) {
        Object pa = d.pointer(a.storage(), "compare operand a");
        Object pb = d.pointer(b.storage(), "compare operand b");
        Object out = d.pointer(dst, "compare destination");
        DType t = a.storage().dtype();
        if (b.storage().dtype() != t || dst.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("compare " + op + ": operands of dtypes " + t + " and "
                    + b.storage().dtype() + " into " + dst.dtype() + "; expected one dtype and a bool destination");
        }
        Layout l = Layout.of(a.shape(), a.strides(), b.strides());
        if (l.numel() == 0) {
            return;
        }
        String name = kernel(d, KernelNames.compare(op, t), "compare " + op + " on " + t);
        int[] packed = l.packInner();
        long inner = l.innerNumel();
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch(name, d.gridFor(inner, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .ptr(pa).l(a.offset() + offs[0]).ptr(pb).l(b.offset() + offs[1])
                    .ints(packed).ptr(out).l(o * inner).i((int) inner));
        }
    }

    /** {@code dst[i] = cond[i] ? a[i] : b[i]} (dense), all three broadcast to one shape. */
    static void where(KernelLauncher d, StridedView cond, StridedView a, StridedView b, Storage dst) {
        Object pc = d.pointer(cond.storage(), "where condition");
        Object pa = d.pointer(a.storage(), "where operand a");
        Object pb = d.pointer(b.storage(), "where operand b");
        Object out = d.pointer(dst, "where destination");
        DType t = sameDType("where", a, dst);
        sameDType("where", b, dst);
        if (cond.storage().dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: the condition has dtype " + cond.storage().dtype()
                    + "; expected bool");
        }
        Layout l = Layout.of(a.shape(), cond.strides(), a.strides(), b.strides());
        if (l.numel() == 0) {
            return;
        }
        String name = kernel(d, KernelNames.where(t), "where on " + t);
        int[] packed = l.pack3();
        long inner = l.innerNumel();
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch(name, d.gridFor(inner, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .ptr(pc).l(cond.offset() + offs[0]).ptr(pa).l(a.offset() + offs[1]).ptr(pb).l(b.offset() + offs[2])
                    .ints(packed).ptr(out).l(o * inner).i((int) inner));
        }
    }

    /** {@code strides} with the entry of {@code dim} set to 0 (that offset comes from an index instead). */
    private static int[] withoutDim(int[] strides, int dim) {
        int[] s = strides.clone();
        s[dim] = 0;
        return s;
    }

    /** Dense {@code dst} (index's shape) = {@code src[..., index[..., i, ...], ...]} along {@code dim}. */
    static void gather(KernelLauncher d, StridedView src, int dim, StridedView index, Storage dst) {
        gatherOver(d, "gather", src, dim, index.storage(), index.offset(), index.shape(), index.strides(), dst);
    }

    /** Dense {@code dst} = the slices of {@code src} along {@code dim} at the positions of the 1-D {@code index}. */
    static void indexSelect(KernelLauncher d, StridedView src, int dim, StridedView index, Storage dst) {
        int[] outShape = src.shape().clone();
        outShape[dim] = index.numel();
        int[] indexStrides = new int[outShape.length];
        indexStrides[dim] = index.strides()[0];  // the 1-D index, broadcast along every other dimension
        gatherOver(d, "indexSelect", src, dim, index.storage(), index.offset(), outShape, indexStrides, dst);
    }

    private static void gatherOver(KernelLauncher d, String op, StridedView src, int dim, Storage index, int indexOffset,
                                   int[] shape, int[] indexStrides, Storage dst) {
        Object ps = d.pointer(src.storage(), op + " source");
        Object pi = d.pointer(index, op + " index");
        Object out = d.pointer(dst, op + " destination");
        DType t = sameDType(op, src, dst);
        if (index.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": index of dtype " + index.dtype() + "; expected int64");
        }
        Layout l = Layout.of(shape, withoutDim(src.strides(), dim), indexStrides);
        if (l.numel() == 0) {
            return;
        }
        String name = kernel(d, KernelNames.gather(t), op + " on " + t);
        int[] packed = l.packInner();
        long inner = l.innerNumel();
        long dimStride = src.strides()[dim];
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch(name, d.gridFor(inner, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .ptr(ps).l(src.offset() + offs[0]).l(dimStride).ptr(pi).l(indexOffset + offs[1]).ints(packed)
                    .ptr(out).l(o * inner).i((int) inner));
        }
    }

    /**
     * {@code dst[..., index[..., i, ...], ...] += src[..., i, ...]} along {@code dim} over index's shape, in place
     * (atomics; src walked with its own strides over index's shape, as the CPU backend).
     */
    static void scatterAdd(KernelLauncher d, StridedView src, int dim, StridedView index, StridedView dst) {
        Object ps = d.pointer(src.storage(), "scatterAdd source");
        Object pi = d.pointer(index.storage(), "scatterAdd index");
        Object out = d.pointer(dst.storage(), "scatterAdd destination");
        DType t = sameDType("scatterAdd", src, dst.storage());
        if (index.storage().dtype() != DType.INT64) {
            throw new IllegalArgumentException("scatterAdd: index of dtype " + index.storage().dtype()
                    + "; expected int64");
        }
        int[] shape = index.shape();
        int[] srcStrides = src.strides().length == shape.length ? src.strides() : new int[shape.length];
        Layout l = Layout.of(shape, withoutDim(dst.strides(), dim), index.strides(), srcStrides);
        if (l.numel() == 0) {
            return;
        }
        String name = kernel(d, KernelNames.scatterAdd(t), "scatterAdd on " + t);
        int[] packed = l.pack3();
        long inner = l.innerNumel();
        long dimStride = dst.strides()[dim];
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch(name, d.gridFor(inner, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .ptr(ps).l(src.offset() + offs[2]).ptr(pi).l(index.offset() + offs[1]).ints(packed)
                    .ptr(out).l(dst.offset() + offs[0]).l(dimStride).i((int) inner));
        }
    }

    /**
     * Reduces {@code src} along {@code dim} into dense {@code dst} (src's shape without dim), with the kernel
     * of the op and the (source, destination) dtypes.
     */
    static void reduce(KernelLauncher d, ReduceOp op, StridedView src, int dim, Storage dst) {
        Object in = d.pointer(src.storage(), "reduce source");
        Object out = d.pointer(dst, "reduce destination");
        int rank = src.rank();
        int redLen = src.shape()[dim];
        int redStride = src.strides()[dim];
        int[] oShape = new int[rank - 1];
        int[] oStrides = new int[rank - 1];
        for (int i = 0, j = 0; i < rank; i++) {
            if (i != dim) {
                oShape[j] = src.shape()[i];
                oStrides[j] = src.strides()[i];
                j++;
            }
        }
        Layout l = Layout.of(oShape, oStrides, null);
        if (l.numel() == 0) {
            return;
        }
        int[] packed = l.packInner();
        long inner = l.innerNumel();
        boolean adjacentOutputs = l.rank() > 0 && l.s0[l.rank() - 1] == 1;
        // Thread per output for short slices, or when neighbouring outputs are neighbours in memory
        // and the reduced dimension is not (coalesced loads); else a block per output.
        boolean threadPerOutput = redLen <= 16 || (redStride != 1 && adjacentOutputs && inner >= 128);
        int block = threadPerOutput ? BLOCK
                : Math.max(32, Math.min(1024, Integer.highestOneBit(Math.max(1, redLen - 1)) << 1));
        String name = kernel(d, KernelNames.reduce(op, src.storage().dtype(), dst.dtype(), !threadPerOutput),
                "reduce " + op + " of " + src.storage().dtype() + " into " + dst.dtype());
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            KernelArgs args = new KernelArgs().ptr(in).l(src.offset() + offs[0]).ints(packed)
                    .i(redLen).i(redStride).ptr(out).l(o * inner).i((int) inner);
            if (threadPerOutput) {
                d.launch(name, d.gridFor(inner, BLOCK), 1, 1, BLOCK, args);
            } else {
                int grid = (int) Math.min(inner, (long) Math.max(1, d.smCount()) * 256);
                d.launch(name, grid, 1, 1, block, args);
            }
        }
    }

    /** Threads of a block that owns one line of {@code len} elements: a power of two from 32 to 1024. */
    static int lineBlock(int len) {
        return Math.max(32, Math.min(1024, Integer.highestOneBit(Math.max(1, len - 1)) << 1));
    }

    /** The product of the sizes after {@code dim}: the step of a dense output's lines along {@code dim}. */
    private static int inner(int[] shape, int dim) {
        int n = 1;
        for (int i = dim + 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** {@code shape} (or {@code strides}) without {@code dim}: the dimensions that number the lines. */
    private static int[] without(int[] values, int dim) {
        int[] r = new int[values.length - 1];
        for (int i = 0, j = 0; i < values.length; i++) {
            if (i != dim) {
                r[j++] = values[i];
            }
        }
        return r;
    }

    /** Softmax (or log-softmax) along {@code dim}: one block per line, the source read in place. */
    static void softmax(KernelLauncher d, StridedView src, int dim, boolean log, Storage dst) {
        Object in = d.pointer(src.storage(), "softmax source");
        Object out = d.pointer(dst, "softmax destination");
        String op = log ? "logSoftmax" : "softmax";
        DType t = sameDType(op, src, dst);
        int len = src.shape()[dim];
        Layout l = Layout.of(without(src.shape(), dim), without(src.strides(), dim), null);
        if (l.numel() == 0 || len == 0) {
            return;
        }
        String name = kernel(d, KernelNames.softmax(t), op + " on " + t);
        int[] packed = l.packInner();
        long lines = l.innerNumel();
        int grid = (int) Math.min(lines, (long) Math.max(1, d.smCount()) * 32);
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch(name, grid, 1, 1, lineBlock(len), new KernelArgs()
                    .ptr(in).l(src.offset() + offs[0]).ints(packed).i(len).i(src.strides()[dim])
                    .ptr(out).l(0).i(inner(src.shape(), dim)).i((int) (o * lines)).i((int) lines).i(log ? 1 : 0));
        }
    }

    /** Softmax's gradient from its output {@code y} and the output's gradient {@code g}: one block per line. */
    static void softmaxBackward(KernelLauncher d, StridedView y, StridedView g, int dim, boolean log, Storage dst) {
        Object py = d.pointer(y.storage(), "softmax output");
        Object pg = d.pointer(g.storage(), "softmax output gradient");
        Object out = d.pointer(dst, "softmax gradient destination");
        String op = log ? "logSoftmax backward" : "softmax backward";
        DType t = sameDType(op, y, dst);
        sameDType(op, g, dst);
        int len = y.shape()[dim];
        Layout l = Layout.of(without(y.shape(), dim), without(y.strides(), dim), without(g.strides(), dim));
        if (l.numel() == 0 || len == 0) {
            return;
        }
        String name = kernel(d, KernelNames.softmaxBackward(t), op + " on " + t);
        int[] packed = l.packInner();
        long lines = l.innerNumel();
        int grid = (int) Math.min(lines, (long) Math.max(1, d.smCount()) * 32);
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch(name, grid, 1, 1, lineBlock(len), new KernelArgs()
                    .ptr(py).l(y.offset() + offs[0]).ptr(pg).l(g.offset() + offs[1]).ints(packed).i(len)
                    .i(y.strides()[dim]).i(g.strides()[dim]).ptr(out).l(0).i(inner(y.shape(), dim))
                    .i((int) (o * lines)).i((int) lines).i(log ? 1 : 0));
        }
    }

    /**
     * Fused scaled dot-product attention of the rank-4 views {@code q [B, H, L, D]}, {@code k [B, H, S, D]},
     * {@code v [B, H, S, Dv]} and the float {@code mask} ({@code [B, H, L, S]} or null) into the dense
     * {@code dst [B, H, L, Dv]}: one thread per query row.
     */
    static void attention(KernelLauncher d, StridedView q, StridedView k, StridedView v, StridedView mask, float scale,
                          Storage dst) {
        int[] qs = q.shape();
        int rows = qs[0] * qs[1] * qs[2];
        int dv = v.shape()[3];
        if (rows == 0 || dv == 0) {
            return;
        }
        Object pq = d.pointer(q.storage(), "attention query");
        Object pk = d.pointer(k.storage(), "attention key");
        Object pv = d.pointer(v.storage(), "attention value");
        Object out = d.pointer(dst, "attention destination");
        Object pm = mask == null ? out : d.pointer(mask.storage(), "attention mask");
        DType t = sameDType("attention", q, dst);
        sameDType("attention", "key", k.storage(), t);
        sameDType("attention", "value", v.storage(), t);
        sameDType("attention", "mask", mask == null ? null : mask.storage(), t);
        String name = kernel(d, KernelNames.attention(t), "attention on " + t);
        int block = 128;
        int grid = (int) Math.min((rows + block - 1) / block, (long) Math.max(1, d.smCount()) * 32);
        int[] ms = mask == null ? new int[4] : mask.strides();
        KernelArgs args = new KernelArgs();
        strides4(args.ptr(pq).l(q.offset()), q.strides());
        strides4(args.ptr(pk).l(k.offset()), k.strides());
        strides4(args.ptr(pv).l(v.offset()), v.strides());
        strides4(args.ptr(pm).l(mask == null ? 0 : mask.offset()), ms);
        d.launch(name, grid, 1, 1, block, args.i(mask == null ? 0 : 1)
                .i(qs[0]).i(qs[1]).i(qs[2]).i(k.shape()[2]).i(qs[3]).i(dv).f(scale)
                .ptr(out).l(0));
    }

    /** The four strides of a rank-4 operand as four int parameters. */
    private static void strides4(KernelArgs args, int[] strides) {
        for (int s : strides) {
            args.i(s);
        }
    }

    /** Layer norm of the rows of the 2-D {@code x} (unit column stride): one block per row. */
    static void layerNorm(KernelLauncher d, StridedView x, StridedView weight, StridedView bias, float eps,
                          Storage dst, Storage mean, Storage rstd) {
        int rows = x.shape()[0];
        int cols = x.shape()[1];
        if (rows == 0 || cols == 0) {
            return;
        }
        Object px = d.pointer(x.storage(), "layerNorm input");
        Object out = d.pointer(dst, "layerNorm destination");
        Object pw = weight == null ? out : d.pointer(weight.storage(), "layerNorm weight");
        Object pb = bias == null ? out : d.pointer(bias.storage(), "layerNorm bias");
        DType t = sameDType("layerNorm", x, dst);
        sameDType("layerNorm", "weight", weight == null ? null : weight.storage(), t);
        sameDType("layerNorm", "bias", bias == null ? null : bias.storage(), t);
        sameDType("layerNorm", "mean", mean, t);
        sameDType("layerNorm", "rstd", rstd, t);
        String name = kernel(d, KernelNames.layerNorm(t), "layerNorm on " + t);
        int grid = (int) Math.min(rows, (long) Math.max(1, d.smCount()) * 32);
        d.launch(name, grid, 1, 1, lineBlock(cols), new KernelArgs()
                .ptr(px).l(x.offset()).i(x.strides()[0]).i(rows).i(cols)
                .ptr(pw).l(weight == null ? 0 : weight.offset()).i(weight == null ? 0 : 1)
                .ptr(pb).l(bias == null ? 0 : bias.offset()).i(bias == null ? 0 : 1).f(eps)
                .ptr(out).l(0).ptr(d.pointer(mean, "layerNorm mean")).l(0).ptr(d.pointer(rstd, "layerNorm rstd")).l(0));
    }

    /** Layer norm's gradients: dx one block per row, dweight and dbias one thread per column. */
    static void layerNormBackward(KernelLauncher d, StridedView x, StridedView g, Storage mean, Storage rstd,
                                  StridedView weight, Storage dx, Storage dweight, Storage dbias) {
        int rows = x.shape()[0];
        int cols = x.shape()[1];
        if (rows == 0 || cols == 0) {
            return;
        }
        Object px = d.pointer(x.storage(), "layerNorm input");
        Object pg = d.pointer(g.storage(), "layerNorm output gradient");
        Object pm = d.pointer(mean, "layerNorm mean");
        Object pr = d.pointer(rstd, "layerNorm rstd");
        String op = "layerNorm backward";
        DType t = x.storage().dtype();
        sameDType(op, "output gradient", g.storage(), t);
        sameDType(op, "mean", mean, t);
        sameDType(op, "rstd", rstd, t);
        sameDType(op, "weight", weight == null ? null : weight.storage(), t);
        sameDType(op, "input gradient", dx, t);
        sameDType(op, "weight gradient", dweight, t);
        sameDType(op, "bias gradient", dbias, t);
        // both kernels are looked up before the first launch, so a missing one launches nothing
        String inputGrad = dx == null ? null : kernel(d, KernelNames.layerNormBackward(t), op + " (input gradient) on " + t);
        String paramGrads = dweight == null && dbias == null ? null
                : kernel(d, KernelNames.layerNormParamGrads(t), op + " (weight and bias gradients) on " + t);
        if (dx != null) {
            Object pdx = d.pointer(dx, "layerNorm input gradient");
            Object pw = weight == null ? pdx : d.pointer(weight.storage(), "layerNorm weight");
            int grid = (int) Math.min(rows, (long) Math.max(1, d.smCount()) * 32);
            d.launch(inputGrad, grid, 1, 1, lineBlock(cols), new KernelArgs()
                    .ptr(px).l(x.offset()).i(x.strides()[0]).ptr(pg).l(g.offset()).i(g.strides()[0]).i(rows).i(cols)
                    .ptr(pm).l(0).ptr(pr).l(0).ptr(pw).l(weight == null ? 0 : weight.offset())
                    .i(weight == null ? 0 : 1).ptr(pdx).l(0));
        }
        if (dweight != null || dbias != null) {
            Object pdw = dweight == null ? null : d.pointer(dweight, "layerNorm weight gradient");
            Object pdb = dbias == null ? null : d.pointer(dbias, "layerNorm bias gradient");
            d.launch(paramGrads, d.gridFor(cols, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .ptr(px).l(x.offset()).i(x.strides()[0]).ptr(pg).l(g.offset()).i(g.strides()[0]).i(rows).i(cols)
                    .ptr(pm).l(0).ptr(pr).l(0)
                    .ptr(pdw != null ? pdw : pdb).l(0).i(pdw != null ? 1 : 0)
                    .ptr(pdb != null ? pdb : pdw).l(0).i(pdb != null ? 1 : 0));
        }
    }

    /**
     * Batch norm of the {@code [N, C, S]} {@code x} (any strides): one block per channel for the statistics,
     * the running statistics' update and the write.
     */
    static void batchNorm(KernelLauncher d, StridedView x, StridedView weight, StridedView bias,
                          StridedView runningMean, StridedView runningVar, boolean training, float momentum,
                          float eps, Storage dst, Storage saveMean, Storage saveInvstd) {
        int[] s = x.shape();
        if ((long) s[0] * s[1] * s[2] == 0) {
            return;
        }
        String op = "batchNorm";
        Object px = d.pointer(x.storage(), "batchNorm input");
        Object out = d.pointer(dst, "batchNorm destination");
        DType t = sameDType(op, x, dst);
        sameDType(op, "weight", weight == null ? null : weight.storage(), t);
        sameDType(op, "bias", bias == null ? null : bias.storage(), t);
        sameDType(op, "running_mean", runningMean == null ? null : runningMean.storage(), t);
        sameDType(op, "running_var", runningVar == null ? null : runningVar.storage(), t);
        sameDType(op, "mean", saveMean, t);
        sameDType(op, "invstd", saveInvstd, t);
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batchNorm: evaluation mode needs running_mean and running_var, got "
                    + (runningMean == null ? "no running_mean" : "no running_var") + " on " + dst.device());
        }
        String name = kernel(d, KernelNames.batchNorm(t), "batchNorm on " + t);
        int grid = (int) Math.min(s[1], (long) Math.max(1, d.smCount()) * 32);
        KernelArgs args = new KernelArgs().ptr(px).l(x.offset()).i(x.strides()[0]).i(x.strides()[1])
                .i(x.strides()[2]).i(s[0]).i(s[1]).i(s[2]);
        channelOperand(d, args, weight, out, "batchNorm weight");
        channelOperand(d, args, bias, out, "batchNorm bias");
        channelOperand(d, args, runningMean, out, "batchNorm running_mean");
        channelOperand(d, args, runningVar, out, "batchNorm running_var");
        d.launch(name, grid, 1, 1, lineBlock(s[0] * s[2]), args.i(training ? 1 : 0).f(momentum).f(eps)
                .ptr(out).l(0).ptr(d.pointer(saveMean, "batchNorm mean")).l(0)
                .ptr(d.pointer(saveInvstd, "batchNorm invstd")).l(0));
    }

    /** Batch norm's gradients: one block per channel, the sums then the input gradient. */
    static void batchNormBackward(KernelLauncher d, StridedView x, StridedView g, Storage mean, Storage invstd,
                                  StridedView weight, boolean training, Storage dx, Storage dweight, Storage dbias) {
        int[] s = x.shape();
        if ((long) s[0] * s[1] * s[2] == 0 || (dx == null && dweight == null && dbias == null)) {
            return;
        }
        String op = "batchNorm backward";
        Object px = d.pointer(x.storage(), "batchNorm input");
        Object pg = d.pointer(g.storage(), "batchNorm output gradient");
        Object pm = d.pointer(mean, "batchNorm mean");
        Object pr = d.pointer(invstd, "batchNorm invstd");
        DType t = x.storage().dtype();
        sameDType(op, "output gradient", g.storage(), t);
        sameDType(op, "mean", mean, t);
        sameDType(op, "invstd", invstd, t);
        sameDType(op, "weight", weight == null ? null : weight.storage(), t);
        sameDType(op, "input gradient", dx, t);
        sameDType(op, "weight gradient", dweight, t);
        sameDType(op, "bias gradient", dbias, t);
        String name = kernel(d, KernelNames.batchNormBackward(t), op + " on " + t);
        Object pdx = dx == null ? null : d.pointer(dx, "batchNorm input gradient");
        Object pdw = dweight == null ? null : d.pointer(dweight, "batchNorm weight gradient");
        Object pdb = dbias == null ? null : d.pointer(dbias, "batchNorm bias gradient");
        Object any = pdx != null ? pdx : pdw != null ? pdw : pdb;
        int grid = (int) Math.min(s[1], (long) Math.max(1, d.smCount()) * 32);
        KernelArgs args = new KernelArgs().ptr(px).l(x.offset()).i(x.strides()[0]).i(x.strides()[1])
                .i(x.strides()[2]).ptr(pg).l(g.offset()).i(g.strides()[0]).i(g.strides()[1]).i(g.strides()[2])
                .i(s[0]).i(s[1]).i(s[2]).ptr(pm).l(0).ptr(pr).l(0);
        channelOperand(d, args, weight, any, "batchNorm weight");
        d.launch(name, grid, 1, 1, lineBlock(s[0] * s[2]), args.i(training ? 1 : 0)
                .ptr(pdx != null ? pdx : any).l(0).i(pdx != null ? 1 : 0)
                .ptr(pdw != null ? pdw : any).l(0).i(pdw != null ? 1 : 0)
                .ptr(pdb != null ? pdb : any).l(0).i(pdb != null ? 1 : 0));
    }

    /** Appends a per-channel operand's pointer, offset, stride and presence ({@code absent} stands in for null). */
    private static void channelOperand(KernelLauncher d, KernelArgs args, StridedView v, Object absent, String what) {
        if (v == null) {
            args.ptr(absent).l(0).i(0).i(0);
        } else {
            args.ptr(d.pointer(v.storage(), what)).l(v.offset()).i(v.strides()[0]).i(1);
        }
    }

    /**
     * Running sums along {@code dim} (from the end when {@code reverse}) of a float32 or int64 source into a
     * dense destination of its dtype: one thread per line, O(len) each.
     */
    static void cumsum(KernelLauncher d, StridedView src, int dim, boolean reverse, Storage dst) {
        Object in = d.pointer(src.storage(), "cumsum source");
        Object out = d.pointer(dst, "cumsum destination");
        DType t = sameDType("cumsum", src, dst);
        int len = src.shape()[dim];
        Layout l = Layout.of(without(src.shape(), dim), without(src.strides(), dim), null);
        if (l.numel() == 0 || len == 0) {
            return;
        }
        String name = kernel(d, KernelNames.cumsum(t), "cumsum on " + t + " (integer and bool inputs run as int64)");
        int[] packed = l.packInner();
        long lines = l.innerNumel();
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch(name, d.gridFor(lines, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .ptr(in).l(src.offset() + offs[0]).ints(packed).i(len).i(src.strides()[dim])
                    .ptr(out).l(0).i(inner(src.shape(), dim)).i((int) (o * lines)).i((int) lines).i(reverse ? 1 : 0));
        }
    }

    /**
     * Counter-based random numbers into {@code dst[offset, offset + length)} (float32): one thread per
     * {@link Philox} block of four elements, the block {@code counter + i / 4} for element {@code i}.
     */
    static void random(KernelLauncher d, RandomOp op, long seed, long counter, float a, float b, Storage dst,
                       long offset, int length) {
        if (dst.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("random " + op + ": the destination is a " + dst.dtype() + " storage on "
                    + dst.device() + "; random numbers are float32 (convert the result with to(dtype))");
        }
        if (length == 0) {
            return;
        }
        Object out = d.pointer(dst, "random destination");
        d.launch(kernel(d, KernelNames.random(op), "random numbers (" + op + ")"), d.gridFor(Philox.blocks(length), BLOCK),
                1, 1, BLOCK, new KernelArgs().ptr(out).l(offset).i(length).l(seed).l(counter).f(a).f(b));
    }

    /**
     * Cairn's tiled GEMM with the epilogue fused: 128x128 tiles when they fill the SMs, else 64x64;
     * rows beyond what one grid covers go to further launches, batches beyond gridDim.z to the kernel's
     * grid-stride loop.
     */
    static void ownGemm(KernelLauncher d, int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c,
                        Epilogue epilogue) {
        if (batch <= 0 || m <= 0 || n <= 0) {
            return;
        }
        Object pa = d.pointer(a.storage(), "GEMM operand A");
        Object pb = d.pointer(b.storage(), "GEMM operand B");
        Object pc = d.pointer(c.storage(), "GEMM output");
        Object bias = epilogue.bias() == null ? null : d.pointer(epilogue.bias(), "GEMM bias");
        long tiles128 = ceilDiv(m, 128) * ceilDiv(n, 128) * batch;
        boolean big = tiles128 >= Math.max(1, d.smCount());
        int tile = big ? 128 : 64;
        String kernel = big ? "cairn_sgemm_128" : "cairn_sgemm_64";
        int gx = (int) ceilDiv(n, tile);
        int limit = d.gridYZLimit();
        int gz = Math.min(batch, limit);
        long rowsPerLaunch = (long) limit * tile;
        for (long rowStart = 0; rowStart < m; rowStart += rowsPerLaunch) {
            int mm = (int) Math.min(rowsPerLaunch, m - rowStart);
            long aOff = a.offset() + (a.transposed() ? rowStart : rowStart * a.ld());
            long cOff = c.offset() + rowStart * c.ld();
            int gy = (int) ceilDiv(mm, tile);
            d.launch(kernel, gx, gy, gz, BLOCK, new KernelArgs()
                    .i(batch).i(mm).i(n).i(k)
                    .ptr(pa).l(aOff).i(a.ld()).i(a.transposed() ? 1 : 0).l(a.batchStride())
                    .ptr(pb).l(b.offset()).i(b.ld()).i(b.transposed() ? 1 : 0).l(b.batchStride())
                    .ptr(pc).l(cOff).i(c.ld()).l(c.batchStride())
                    .ptr(bias != null ? bias : pc).l(epilogue.biasOffset())
                    .i(bias != null ? 1 : 0).i(epilogue.relu() ? 1 : 0));
        }
    }

    /** The epilogue as a second pass over C (after cuBLAS): {@code C += bias[col]}, then ReLU if asked. */
    static void epilogue(KernelLauncher d, int batch, int m, int n, GemmOperand c, Epilogue epilogue) {
        if (epilogue.isNone() || batch <= 0 || m <= 0 || n <= 0) {
            return;
        }
        Object pc = d.pointer(c.storage(), "GEMM output");
        Object bias = epilogue.bias() == null ? null : d.pointer(epilogue.bias(), "GEMM bias");
        long rows = (long) batch * m;
        int gx = Math.min((n + BLOCK - 1) / BLOCK, 1024);
        int gy = (int) Math.min(rows, d.gridYZLimit());
        d.launch("cairn_bias_relu", gx, gy, 1, BLOCK, new KernelArgs()
                .ptr(pc).l(c.offset()).i(c.ld()).l(c.batchStride()).i(batch).i(m).i(n)
                .ptr(bias != null ? bias : pc).l(epilogue.biasOffset())
                .i(bias != null ? 1 : 0).i(epilogue.relu() ? 1 : 0));
    }

    /** The packed {@code WindowGeom} of windows.cu: the batch size, then the fields of {@code w} in order. */
    static int[] window(int batch, Window w) {
        return new int[] {batch, w.channels(), w.inH(), w.inW(), w.kernelH(), w.kernelW(), w.strideH(), w.strideW(),
            w.padH(), w.padW(), w.dilationH(), w.dilationW(), w.outH(), w.outW()};
    }

    /** The strides of a view of rank 3 or 4 as windows.cu's {@code Strides4} (unused entries 0). */
    private static int[] strides4(StridedView v) {
        return java.util.Arrays.copyOf(v.strides(), 4);
    }

    /** im2col of {@code src} [N, C, H, W] into the dense {@code dst} [N, C*kh*kw, L]. */
    static void unfold(KernelLauncher d, StridedView src, Window w, Storage dst) {
        long total = (long) src.shape()[0] * w.columnRows() * w.positions();
        if (total == 0) {
            return;
        }
        d.launch("cairn_unfold", d.gridFor(total, BLOCK), 1, 1, BLOCK, new KernelArgs()
                .ptr(d.pointer(src.storage(), "unfold source")).l(src.offset()).ints(strides4(src))
                .ints(window(src.shape()[0], w)).ptr(d.pointer(dst, "unfold destination")).l(0).i((int) total));
    }

    /**
     * Direct convolution of {@code src} [N, C, H, W] with the dense {@code weight} [O, C/groups, kh, kw] plus
     * the dense {@code bias} [O] (or none) into the dense {@code dst} [N, O, outH, outW].
     */
    static void conv2d(KernelLauncher d, StridedView src, Window w, int groups, StridedView weight, StridedView bias,
                       Storage dst) {
        int outC = weight.shape()[0];
        long total = (long) src.shape()[0] * outC * w.positions();
        if (total == 0) {
            return;
        }
        Object pw = d.pointer(weight.storage(), "conv2d weight");
        d.launch("cairn_conv2d", d.gridFor(total, BLOCK), 1, 1, BLOCK, new KernelArgs()
                .ptr(d.pointer(src.storage(), "conv2d source")).l(src.offset()).ints(strides4(src))
                .ints(window(src.shape()[0], w)).i(groups).i(outC).ptr(pw).l(weight.offset())
                .ptr(bias != null ? d.pointer(bias.storage(), "conv2d bias") : pw).l(bias != null ? bias.offset() : 0)
                .i(bias != null ? 1 : 0).ptr(d.pointer(dst, "conv2d destination")).l(0).i((int) total));
    }

    /** col2im of {@code src} [N, C*kh*kw, L] into the dense {@code dst} [N, C, H, W]. */
    static void fold(KernelLauncher d, StridedView src, Window w, Storage dst) {
        long total = (long) src.shape()[0] * w.channels() * w.inH() * w.inW();
        if (total == 0) {
            return;
        }
        d.launch("cairn_fold", d.gridFor(total, BLOCK), 1, 1, BLOCK, new KernelArgs()
                .ptr(d.pointer(src.storage(), "fold source")).l(src.offset()).ints(strides4(src))
                .ints(window(src.shape()[0], w)).ptr(d.pointer(dst, "fold destination")).l(0).i((int) total));
    }

    /** Max pooling of {@code src} into the dense {@code dst}, the maxima's plane positions into {@code indices}. */
    static void maxPool2d(KernelLauncher d, StridedView src, Window w, Storage dst, Storage indices) {
        long total = (long) src.shape()[0] * w.channels() * w.positions();
        if (total == 0) {
            return;
        }
        d.launch("cairn_max_pool2d", d.gridFor(total, BLOCK), 1, 1, BLOCK, new KernelArgs()
                .ptr(d.pointer(src.storage(), "maxPool2d source")).l(src.offset()).ints(strides4(src))
                .ints(window(src.shape()[0], w)).ptr(d.pointer(dst, "maxPool2d destination"))
                .ptr(d.pointer(indices, "maxPool2d indices")).l(0).i((int) total));
    }

    /** The max-pooling gradient: {@code grad} summed at the {@code indices} positions into the dense {@code dst}. */
    static void maxPool2dBackward(KernelLauncher d, StridedView grad, StridedView indices, Window w, Storage dst) {
        long total = (long) grad.shape()[0] * w.channels() * w.inH() * w.inW();
        if (total == 0) {
            return;
        }
        d.launch("cairn_max_pool2d_backward", d.gridFor(total, BLOCK), 1, 1, BLOCK, new KernelArgs()
                .ptr(d.pointer(grad.storage(), "maxPool2d gradient")).l(grad.offset()).ints(strides4(grad))
                .ptr(d.pointer(indices.storage(), "maxPool2d indices")).l(indices.offset()).ints(strides4(indices))
                .ints(window(grad.shape()[0], w)).ptr(d.pointer(dst, "maxPool2d input gradient")).l(0).i((int) total));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
