package dev.cairn.backend.cuda;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.backend.Window;

/**
 * How each operation of the CUDA backend becomes launches of Cairn's own kernels
 * ({@code src/main/cuda/*.cu}): the layout packing, the launch sizes, the argument lists and the
 * loops over what does not fit one launch. It talks only to a {@link KernelLauncher}, so the tests run
 * exactly this code against the kernels compiled for the host CPU (see {@code src/test/emu}).
 * Stateless; safe from any thread when the launcher is.
 */
final class CudaKernels {
    /** Threads per block of the elementwise and GEMM kernels. */
    static final int BLOCK = 256;

    private CudaKernels() {
    }

    /** {@code dst[i] = op(src[i], scalar)}; dst is dense with src's shape. */
    static void unary(KernelLauncher d, UnaryOp op, float scalar, StridedView src, Storage dst) {
        unaryInto(d, op, scalar, src, dst, 0);
    }

    /** {@code unary} writing densely from element {@code dstOffset} of {@code dst}. */
    static void unaryInto(KernelLauncher d, UnaryOp op, float scalar, StridedView src, Storage dst, long dstOffset) {
        Object in = d.pointer(src.storage(), "unary source");
        Object out = d.pointer(dst, "unary destination");
        Layout l = Layout.of(src.shape(), src.strides(), null);
        long n = l.numel();
        if (n == 0) {
            return;
        }
        if (l.isDense(false)) {
            d.launch("cairn_unary_dense", d.gridFor(n, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .i(op.ordinal()).f(scalar).ptr(in).l(src.offset()).ptr(out).l(dstOffset).i((int) n));
            return;
        }
        int[] packed = l.packInner();
        long inner = l.innerNumel();
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch("cairn_unary_strided", d.gridFor(inner, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .i(op.ordinal()).f(scalar).ptr(in).l(src.offset() + offs[0]).ints(packed)
                    .ptr(out).l(dstOffset + o * inner).i((int) inner));
        }
    }

    /**
     * A strided copy into any destination view (a slice of a larger tensor, for cat): the destination splits
     * into its trailing dense block and the outer indices around it; each block is one strided-source,
     * dense-destination launch.
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
            unaryInto(d, UnaryOp.IDENTITY, 0f, new StridedView(src.storage(), so, innerShape, innerSrcStrides),
                    dst.storage(), dOff);
            for (int i = k - 1; i >= 0; i--) {
                if (++idx[i] < shape[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
    }

    /** {@code dst[i] = op(a[i], b[i])} over a's shape (b already broadcast to it, stride 0 where repeated). */
    static void binary(KernelLauncher d, BinaryOp op, StridedView a, StridedView b, Storage dst) {
        Object pa = d.pointer(a.storage(), "binary operand a");
        Object pb = d.pointer(b.storage(), "binary operand b");
        Object out = d.pointer(dst, "binary destination");
        Layout l = Layout.of(a.shape(), a.strides(), b.strides());
        long n = l.numel();
        if (n == 0) {
            return;
        }
        if (l.isDense(true)) {
            d.launch("cairn_binary_dense", d.gridFor(n, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .i(op.ordinal()).ptr(pa).l(a.offset()).ptr(pb).l(b.offset())
                    .ptr(out).l(0).i((int) n));
            return;
        }
        int[] packed = l.packInner();
        long inner = l.innerNumel();
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            d.launch("cairn_binary_strided", d.gridFor(inner, BLOCK), 1, 1, BLOCK, new KernelArgs()
                    .i(op.ordinal()).ptr(pa).l(a.offset() + offs[0]).ptr(pb).l(b.offset() + offs[1])
                    .ints(packed).ptr(out).l(o * inner).i((int) inner));
        }
    }

    /** Reduces {@code src} along {@code dim} into dense {@code dst} (src's shape without dim). */
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
        for (long o = 0, outer = l.outerCount(); o < outer; o++) {
            long[] offs = l.outerOffsets(o);
            KernelArgs args = new KernelArgs().i(op.ordinal()).ptr(in).l(src.offset() + offs[0]).ints(packed)
                    .i(redLen).i(redStride).ptr(out).l(o * inner).i((int) inner);
            if (threadPerOutput) {
                d.launch("cairn_reduce_thread", d.gridFor(inner, BLOCK), 1, 1, BLOCK, args);
            } else {
                int grid = (int) Math.min(inner, (long) Math.max(1, d.smCount()) * 256);
                d.launch("cairn_reduce_block", grid, 1, 1, block, args);
            }
        }
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
