package dev.cairn.tensor;

import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.autograd.GradMode;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.UnaryOp;

/**
 * Reduction primitives (sum, prod, max/min, argmax/argmin) over one dimension or all elements, and the
 * running sum (cumsum, a scan), with their gradients.
 */
final class Reductions {
    private Reductions() {
    }

    /** Reduces one dimension with the backend; returns a tensor without that dimension (not recorded). */
    static Tensor reduceKernel(Tensor x, String op, ReduceOp kind, int d) {
        return reduceBody(x.body(), op, kind, d);
    }

    /** {@link #reduceKernel} on a body (no tensor needed for the input, e.g. a flat view made here). */
    private static Tensor reduceBody(TensorBody b, String op, ReduceOp kind, int d) {
        boolean positions = kind == ReduceOp.ARGMAX || kind == ReduceOp.ARGMIN;
        if (b.shape.length == 0) {
            TensorBody ob = positions ? b.newDense(DType.INT64, new int[0]) : b.newDense(new int[0]);
            if (positions) {
                Kernels.fill(ob, 0f);
            } else {
                Kernels.unary(UnaryOp.IDENTITY, 0f, b.stridedView(), b, ob);
            }
            return new Tensor(ob);
        }
        if (b.shape[d] == 0 && kind != ReduceOp.SUM && kind != ReduceOp.PROD) {
            throw new ShapeException(op + ": cannot reduce over dimension " + d + " of size 0 (shape "
                    + Shapes.format(b.shape) + ") since the operation has no identity");
        }
        int[] s = b.shape.length == 1 ? Shapes.SCALAR : new int[b.shape.length - 1];
        for (int i = 0, j = 0; i < b.shape.length; i++) {
            if (i != d) {
                s[j++] = b.shape[i];
            }
        }
        TensorBody ob = positions ? b.newDense(DType.INT64, s) : b.newDense(s);
        Kernels.reduce(kind, b, d, ob);
        return new Tensor(ob);
    }

    /** All-element reduction as a 0-dim tensor (not recorded). */
    static Tensor reduceAll(Tensor x, String op, ReduceOp kind) {
        TensorBody b = x.body();
        if (b.numel == 0 && kind != ReduceOp.SUM && kind != ReduceOp.PROD) {
            throw new ShapeException(op + "(): cannot reduce an empty tensor of shape " + Shapes.format(b.shape));
        }
        if (b.shape.length == 1) {
            return reduceKernel(x, op, kind, 0);
        }
        if (b.contiguous) { // a flat view of the same memory, closed right after the kernel
            TensorBody flat = b.view(b.offset, new int[] {b.numel}, new int[] {1});
            try {
                return reduceBody(flat, op, kind, 0);
            } finally {
                flat.close();
            }
        }
        try (var g = GradMode.noGrad()) {
            return reduceKernel(x.copy().view(b.numel), op, kind, 0);
        }
    }

    private static Tensor keepDims(Tensor reduced, int d, boolean keepdim) {
        return keepdim ? reduced.unsqueeze(d) : reduced;
    }

    /** Integer and bool tensors reduce as int64, as PyTorch's sum does. */
    private static Tensor asSummable(Tensor x) {
        DType d = x.body().dtype;
        return d == DType.FLOAT32 || d == DType.INT64 ? x : Creation.toDType(x, DType.INT64);
    }

    static Tensor sum(Tensor x) {
        x = asSummable(x);
        Tensor out = reduceAll(x, "sum", ReduceOp.SUM);
        if (!x.requiresGrad() || !GradMode.isEnabled()) {
            return out; // nothing to record: no gradient closure made on the inference path
        }
        int[] original = x.rawBody().shape;
        return Graph.record(out, "SumBackward", g -> new Tensor[] {g.expand(original)}, x);
    }

    static Tensor sum(Tensor x, int dim, boolean keepdim) {
        x = asSummable(x);
        int[] original = x.body().shape;
        int d = Shapes.wrapDim("sum", dim, original.length);
        Tensor out = reduceKernel(x, "sum", ReduceOp.SUM, d);
        Tensor rec = Graph.record(out, "SumBackward", g -> new Tensor[] {
            (original.length == 0 ? g : g.unsqueeze(d)).expand(original)}, x);
        return original.length == 0 ? rec : keepDims(rec, d, keepdim);
    }

    static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        int r = x.body().shape.length;
        if (dims.length == 0) { // as PyTorch's sum(dim=[]): every dimension
            int[] all = new int[r];
            for (int i = 0; i < r; i++) {
                all[i] = i;
            }
            return r == 0 ? sum(x) : sum(x, all, keepdim);
        }
        boolean[] chosen = chosenDims("sum", dims, r);
        Tensor t = x;
        for (int d = r - 1; d >= 0; d--) {
            if (chosen[d]) {
                t = t.sum(d, keepdim);
            }
        }
        return t;
    }

    /** The product of all elements (1 for an empty tensor); integer and bool tensors multiply as int64. */
    static Tensor prod(Tensor x) {
        Tensor in = asSummable(x);
        Tensor out = reduceAll(in, "prod", ReduceOp.PROD);
        return Graph.record(out, "ProdBackward", new Tensor[] {in, out}, g -> new Tensor[] {prodGrad(g, in, out, -1)}, in);
    }

    /** The product along {@code dim}, as {@code torch.prod(x, dim, keepdim)}. */
    static Tensor prod(Tensor x, int dim, boolean keepdim) {
        Tensor in = asSummable(x);
        int[] original = in.body().shape;
        int d = Shapes.wrapDim("prod", dim, original.length);
        Tensor out = reduceKernel(in, "prod", ReduceOp.PROD, d);
        if (original.length == 0) {
            return Graph.record(out, "ProdBackward", g -> new Tensor[] {g}, in);
        }
        Tensor rec = Graph.record(out, "ProdBackward", new Tensor[] {in, out},
                g -> new Tensor[] {prodGrad(g.unsqueeze(d), in, out.unsqueeze(d), d)}, in);
        return keepDims(rec, d, keepdim);
    }

    /**
     * PyTorch's prod gradient for each slice ({@code d < 0}: the whole tensor), with {@code g} and {@code out}
     * broadcastable against {@code x}: without a zero in the slice {@code g * (out / x)}; with exactly one zero,
     * the product of the other elements at the zero and 0 elsewhere; with several zeros, 0.
     */
    private static Tensor prodGrad(Tensor g, Tensor x, Tensor out, int d) {
        Tensor isZero = x.eq(0f);
        Tensor zeroMask = Pointwise.mask(UnaryOp.EQ_SCALAR, x, 0f);
        Tensor zeros = d < 0 ? zeroMask.sum() : zeroMask.sum(d, true);
        Tensor nonZero = x.add(zeroMask); // zeros replaced by ones
        Tensor others = d < 0 ? nonZero.prod() : nonZero.prod(d, true);
        Tensor atSingleZero = Tensor.where(isZero.logicalAnd(zeros.eq(1f)), others, Tensor.zeros(x.device()));
        return g.mul(Tensor.where(zeros.eq(0f), out.div(x), atSingleZero));
    }

    /**
     * Running sums along {@code dim}, as {@code torch.cumsum}: one O(n) scan kernel; integer and bool inputs
     * give int64. The gradient is the reversed running sum of the output's gradient.
     */
    static Tensor cumsum(Tensor x, int dim) {
        Tensor in = x.body().dtype == DType.FLOAT32 ? x : Creation.toDType(x, DType.INT64);
        TensorBody b = in.body();
        int d = Shapes.wrapDim("cumsum", dim, Math.max(b.shape.length, 1));
        if (b.shape.length == 0) {
            return in == x ? x.copy() : in;
        }
        TensorBody ob = b.newDenseLike();
        Kernels.cumsum(b, d, false, ob);
        return Graph.record(new Tensor(ob), "CumsumBackward", g -> {
            TensorBody gb = Creation.toDType(g, DType.FLOAT32).body();
            TensorBody dx = gb.newDenseLike();
            Kernels.cumsum(gb, d, true, dx);
            return new Tensor[] {new Tensor(dx)};
        }, in);
    }

    /** Which of {@code rank} dimensions {@code dims} names, each at most once. */
    static boolean[] chosenDims(String op, int[] dims, int rank) {
        boolean[] chosen = new boolean[Math.max(rank, 1)];
        for (int dim : dims) {
            int d = Shapes.wrapDim(op, dim, rank);
            if (chosen[d]) {
                throw new ShapeException(op + ": dimension " + d + " appears more than once in " + Shapes.format(dims));
            }
            chosen[d] = true;
        }
        return chosen;
    }

    /** max()/min() over all elements; the gradient is shared evenly among ties, as in PyTorch. */
    static Tensor extremeAll(Tensor x, boolean max) {
        String op = max ? "max" : "min";
        Tensor out = reduceAll(x, op, max ? ReduceOp.MAX : ReduceOp.MIN);
        return Graph.record(out, max ? "MaxBackward" : "MinBackward", new Tensor[] {x, out}, g -> {
            Tensor mask = Pointwise.mask(dev.cairn.backend.BinaryOp.EQ, x, out);
            return new Tensor[] {mask.mul(g.div(mask.sum()))};
        }, x);
    }

    /** max/min along a dimension; the gradient goes to the (first) index that was chosen, as in PyTorch. */
    static Tensor extremeDim(Tensor x, boolean max, int dim, boolean keepdim) {
        String op = max ? "max" : "min";
        TensorBody b = x.body();
        int[] original = b.shape;
        int d = Shapes.wrapDim(op, dim, original.length);
        Tensor out = reduceKernel(x, op, max ? ReduceOp.MAX : ReduceOp.MIN, d);
        String name = max ? "MaxBackward" : "MinBackward";
        if (original.length == 0) {
            return Graph.record(out, name, g -> new Tensor[] {g}, x);
        }
        // the chosen indices are saved now, as PyTorch does, not recomputed from later values
        Tensor saved = GradMode.isEnabled() && x.requiresGrad()
                ? TensorScope.forget(reduceKernel(x, op, max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN, d)) : null;
        Tensor rec = Graph.record(out, name, g -> {
            // the gradient scattered to the chosen positions, on the device (no index range built on the host)
            Tensor idx = Creation.toDType(saved, DType.INT64).unsqueeze(d);
            return new Tensor[] {Tensor.zeros(g.device(), original).scatterAdd(d, idx, g.unsqueeze(d))};
        }, x);
        return keepDims(rec, d, keepdim);
    }

    static Tensor argAll(Tensor x, boolean max) {
        return reduceAll(asSummable(x), max ? "argmax" : "argmin", max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN);
    }

    static Tensor argDim(Tensor x, boolean max, int dim, boolean keepdim) {
        String op = max ? "argmax" : "argmin";
        int r = x.body().shape.length;
        int d = Shapes.wrapDim(op, dim, r);
        Tensor out = reduceKernel(asSummable(x), op, max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN, d);
        return r == 0 ? out : keepDims(out, d, keepdim);
    }

    /** amax/amin along a dimension: the values only, the gradient shared evenly among ties (as PyTorch's amax). */
    static Tensor extremeValues(Tensor x, boolean max, int dim, boolean keepdim) {
        String op = max ? "amax" : "amin";
        int[] original = x.body().shape;
        int d = Shapes.wrapDim(op, dim, original.length);
        Tensor out = reduceKernel(x, op, max ? ReduceOp.MAX : ReduceOp.MIN, d);
        if (original.length == 0) {
            return Graph.record(out, max ? "AmaxBackward" : "AminBackward", g -> new Tensor[] {g}, x);
        }
        Tensor rec = Graph.record(out, max ? "AmaxBackward" : "AminBackward", new Tensor[] {x, out}, g -> {
            Tensor mask = Pointwise.mask(dev.cairn.backend.BinaryOp.EQ, x, out.unsqueeze(d));
            return new Tensor[] {mask.mul(g.unsqueeze(d)).div(mask.sum(d, true))};
        }, x);
        return keepDims(rec, d, keepdim);
    }
}
