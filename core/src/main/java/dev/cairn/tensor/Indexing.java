package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.DType;
import java.lang.ref.Reference;

/**
 * Indexing primitives with int64 indices and bool masks: where, indexSelect (the embedding lookup),
 * gather and scatterAdd, each with its gradient. A bad index is an error naming the op, the index and the
 * size, never a wrong read: on the CPU core checks the indices before any kernel runs; on other devices
 * the kernel checks them where they are (reading them back would cost a host round trip per lookup), as
 * PyTorch's CUDA kernels assert on the device, and the error may then surface at a later synchronisation.
 */
final class Indexing {
    private Indexing() {
    }

    /** {@code cond ? a : b} elementwise with broadcasting; {@code a} and {@code b} promote to a common dtype. */
    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        TensorBody cb = cond.body();
        if (cb.dtype != DType.BOOL) {
            throw new CairnException("where: the condition must be a bool tensor, got " + cb.dtype
                    + "; make one with a comparison (x.gt(0f)) or to(DType.BOOL)");
        }
        Kernels.operand("where", cond, a);
        Kernels.operand("where", cond, b);
        DType dtype = DType.promote(a.body().dtype, b.body().dtype);
        TensorBody ab = Creation.toDType(a, dtype).body();
        TensorBody bb = Creation.toDType(b, dtype).body();
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cb.shape, ab.shape), bb.shape);
        TensorBody ob = ab.newDense(dtype, shape);
        if (ob.numel > 0) {
            ob.backend.where(cb.viewAs(shape), ab.viewAs(shape), bb.viewAs(shape), ob.storage());
        }
        Reference.reachabilityFence(cb);
        Reference.reachabilityFence(ab);
        Reference.reachabilityFence(bb);
        int[] sa = ab.shape;
        int[] sb = bb.shape;
        return Graph.record(new Tensor(ob), "WhereBackward", new Tensor[] {cond}, g -> {
            Tensor zero = Tensor.zeros(g.device());
            return new Tensor[] {null,
                a.requiresGrad() ? Graph.sumTo(where(cond, g, zero), sa) : null,
                b.requiresGrad() ? Graph.sumTo(where(cond, zero, g), sb) : null};
        }, cond, a, b);
    }

    /**
     * Checks that {@code index} is int64 and, on the CPU, that each value lies in {@code [0, size)}. On other
     * devices the values stay where they are: the backend's kernel checks them (see {@code Backend#gather}).
     */
    private static void checkIndices(String op, Tensor index, int size, int dim, int[] shape) {
        TensorBody ib = index.body();
        if (ib.dtype != DType.INT64) {
            throw new CairnException(op + ": expected an int64 index tensor, got " + ib.dtype
                    + "; convert with to(DType.INT64)");
        }
        if (!ib.device.isCpu()) {
            return;
        }
        long[] values = (long[]) Creation.toHostArray(index, DType.INT64);
        for (long v : values) {
            if (v < 0 || v >= size) {
                throw new CairnException(op + ": index " + v + " is out of bounds for dimension " + dim
                        + " with size " + size + " (input shape " + Shapes.format(shape) + ")");
            }
        }
    }

    /** The slices of {@code x} along {@code dim} at the positions of the 1-D int64 {@code index}. */
    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        TensorBody xb = x.body();
        TensorBody ib = Kernels.operand("indexSelect", x, index);
        if (ib.shape.length > 1) {
            throw new ShapeException("indexSelect: the index must be 0-D or 1-D, got shape " + Shapes.format(ib.shape));
        }
        int r = xb.shape.length;
        int d = Shapes.wrapDim("indexSelect", dim, Math.max(r, 1));
        int size = r == 0 ? 1 : xb.shape[d];
        checkIndices("indexSelect", index, size, d, xb.shape);
        int[] outShape = r == 0 ? new int[0] : xb.shape.clone();
        if (r > 0) {
            outShape[d] = ib.numel;
        }
        TensorBody ob = xb.newDense(outShape);
        if (ob.numel > 0) {
            int[] srcShape = r == 0 ? new int[] {1} : xb.shape;
            int[] srcStrides = r == 0 ? new int[] {1} : xb.strides;
            ob.backend.indexSelect(new dev.cairn.backend.StridedView(xb.storage(), xb.offset, srcShape, srcStrides), d,
                    new dev.cairn.backend.StridedView(ib.storage(), ib.offset, new int[] {ib.numel},
                            ib.shape.length == 0 ? new int[] {1} : ib.strides), ob.storage());
        }
        Reference.reachabilityFence(xb);
        Reference.reachabilityFence(ib);
        int[] inShape = xb.shape;
        return Graph.record(new Tensor(ob), "IndexSelectBackward", new Tensor[] {index}, g -> {
            if (inShape.length == 0) {
                return new Tensor[] {g.sum(), null};
            }
            // index_add: each selected slice's gradient adds into the slice it came from
            int[] along = new int[inShape.length];
            java.util.Arrays.fill(along, 1);
            along[d] = g.shape()[d];
            Tensor idx = index.reshape(along).expand(g.shape());
            return new Tensor[] {Tensor.zeros(g.device(), inShape).scatterAdd(d, idx, g), null};
        }, x, index);
    }

    /** {@code out[..., i, ...] = x[..., index[..., i, ...], ...]} along {@code dim}, as {@code torch.gather}. */
    static Tensor gather(Tensor x, int dim, Tensor index) {
        TensorBody xb = x.body();
        TensorBody ib = Kernels.operand("gather", x, index);
        int d = checkGatherShapes("gather", xb.shape, dim, ib.shape);
        checkIndices("gather", index, xb.shape[d], d, xb.shape);
        TensorBody ob = xb.newDense(ib.shape.clone());
        if (ob.numel > 0) {
            ob.backend.gather(xb.stridedView(), d, ib.stridedView(), ob.storage());
        }
        Reference.reachabilityFence(xb);
        Reference.reachabilityFence(ib);
        int[] inShape = xb.shape;
        return Graph.record(new Tensor(ob), "GatherBackward", new Tensor[] {index}, g -> new Tensor[] {
            Tensor.zeros(g.device(), inShape).scatterAdd(d, index, g), null}, x, index);
    }

    /** A copy of {@code x} with {@code src}'s values added at {@code index} along {@code dim}. */
    static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        TensorBody xb = x.body();
        TensorBody ib = Kernels.operand("scatterAdd", x, index);
        TensorBody sb = Kernels.operand("scatterAdd", x, src);
        int d = checkGatherShapes("scatterAdd", xb.shape, dim, ib.shape);
        for (int k = 0; k < ib.shape.length; k++) {
            if (ib.shape[k] > sb.shape[k]) {
                throw new ShapeException("scatterAdd: index shape " + Shapes.format(ib.shape) + " is larger than the "
                        + "source's shape " + Shapes.format(sb.shape) + " in dimension " + k);
            }
        }
        if (sb.dtype != xb.dtype) {
            throw new CairnException("scatterAdd: the source's dtype " + sb.dtype + " differs from the tensor's "
                    + xb.dtype);
        }
        checkIndices("scatterAdd", index, xb.shape[d], d, xb.shape);
        TensorBody ob = xb.newDenseLike();
        Kernels.copy(xb, ob);
        if (ib.numel > 0) {
            ob.backend.scatterAdd(sb.stridedView(), d, ib.stridedView(), ob.stridedView());
        }
        Reference.reachabilityFence(sb);
        Reference.reachabilityFence(ib);
        Reference.reachabilityFence(ob);
        return Graph.record(new Tensor(ob), "ScatterAddBackward", new Tensor[] {index}, g -> new Tensor[] {
            g, null, src.requiresGrad() ? g.gather(d, index) : null}, x, index, src);
    }

    /** Checks gather/scatter shapes (same rank; index no larger than the input off {@code dim}); returns the dim. */
    private static int checkGatherShapes(String op, int[] shape, int dim, int[] indexShape) {
        if (indexShape.length != shape.length) {
            throw new ShapeException(op + ": index " + Shapes.format(indexShape) + " and input "
                    + Shapes.format(shape) + " must have the same number of dimensions");
        }
        int d = Shapes.wrapDim(op, dim, Math.max(shape.length, 1));
        for (int k = 0; k < shape.length; k++) {
            if (k != d && indexShape[k] > shape[k]) {
                throw new ShapeException(op + ": index " + Shapes.format(indexShape) + " is larger than input "
                        + Shapes.format(shape) + " in dimension " + k);
            }
        }
        return d;
    }
}
