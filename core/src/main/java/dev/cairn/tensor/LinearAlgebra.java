package dev.cairn.tensor;

import dev.cairn.autograd.GradMode;
import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.Storage;
import java.util.Arrays;

/** Linear-algebra primitives: the batched GEMM behind mm, bmm and matmul, and the fused linear layer. */
final class LinearAlgebra {
    private LinearAlgebra() {
    }

    /**
     * The operand description of matrix {@code [rows, cols]} with strides {@code rs, cs} for a
     * GEMM, or null when neither dimension is unit-stride (then the caller makes it contiguous).
     */
    private static GemmOperand gemmOperand(Storage storage, int offset, int rows, int cols, int rs, int cs,
                                           int batchStride) {
        if (cols == 1 || cs == 1) {
            int ld = rows == 1 ? Math.max(cols, 1) : rs;
            if (ld >= Math.max(cols, 1) || rows == 1) {
                return new GemmOperand(storage, offset, ld, false, batchStride);
            }
        }
        if (rows == 1 || rs == 1) {
            int ld = cols == 1 ? Math.max(rows, 1) : cs;
            if (ld >= Math.max(rows, 1) || cols == 1) {
                return new GemmOperand(storage, offset, ld, true, batchStride);
            }
        }
        return null;
    }

    private static GemmOperand asGemmOperand(TensorBody b, int batchDim) {
        int r = b.shape.length;
        int bs = batchDim < 0 ? 0 : b.strides[batchDim];
        return gemmOperand(b.storage(), b.offset, b.shape[r - 2], b.shape[r - 1], b.strides[r - 2], b.strides[r - 1], bs);
    }

    /** A dense copy of {@code b} (not recorded), for operands a GEMM cannot read in place. */
    private static TensorBody denseCopy(TensorBody b) {
        TensorBody dense = b.newDenseLike();
        Kernels.unary(dev.cairn.backend.UnaryOp.IDENTITY, 0f, b.stridedView(), b, dense);
        return dense;
    }

    /** Batched product of 3-D operands with equal batch size (or plain 2-D): the GEMM primitive. */
    private static Tensor gemm(String name, Tensor a, Tensor b, boolean batched) {
        TensorBody ab = a.body();
        TensorBody bb = b.body();
        int batch = batched ? ab.shape[0] : 1;
        int m = ab.shape[ab.shape.length - 2];
        int k = ab.shape[ab.shape.length - 1];
        int n = bb.shape[bb.shape.length - 1];
        TensorBody ob = ab.newDense(batched ? new int[] {batch, m, n} : new int[] {m, n});
        if (ob.numel > 0) {
            if (k == 0) {
                Kernels.fill(ob, 0f);
            } else {
                int batchDim = batched ? 0 : -1;
                GemmOperand ga = asGemmOperand(ab, batchDim);
                GemmOperand gb = asGemmOperand(bb, batchDim);
                TensorBody ac = ga == null ? denseCopy(ab) : ab;
                TensorBody bc = gb == null ? denseCopy(bb) : bb;
                try {
                    ga = ga == null ? asGemmOperand(ac, batchDim) : ga;
                    gb = gb == null ? asGemmOperand(bc, batchDim) : gb;
                    GemmOperand gc = new GemmOperand(ob.storage(), 0, n, false, m * n);
                    Kernels.gemm(ob, batch, m, n, k, ga, gb, gc, Epilogue.NONE, ab, ac, bb, bc, null, null);
                } finally {
                    if (ac != ab) {
                        ac.close();
                    }
                    if (bc != bb) {
                        bc.close();
                    }
                }
            }
        }
        return Graph.record(new Tensor(ob), name, new Tensor[] {a, b}, g -> new Tensor[] {
            a.requiresGrad() ? (batched ? g.bmm(b.transpose(1, 2)) : g.mm(b.t())) : null,
            b.requiresGrad() ? (batched ? a.transpose(1, 2).bmm(g) : a.t().mm(g)) : null}, a, b);
    }

    static Tensor mm(Tensor a, Tensor b) {
        int[] sa = a.body().shape;
        int[] sb = Kernels.operand("mm", a, b).shape;
        if (sa.length != 2 || sb.length != 2) {
            throw new ShapeException("mm: expects two 2-D matrices, got shapes " + Shapes.format(sa) + " and "
                    + Shapes.format(sb));
        }
        if (sa[1] != sb[0]) {
            throw new ShapeException("mm: shapes " + Shapes.format(sa) + " and " + Shapes.format(sb)
                    + " cannot be multiplied (" + sa[0] + "x" + sa[1] + " and " + sb[0] + "x" + sb[1] + ")");
        }
        return gemm("MmBackward", a, b, false);
    }

    static Tensor bmm(Tensor a, Tensor b) {
        int[] sa = a.body().shape;
        int[] sb = Kernels.operand("bmm", a, b).shape;
        if (sa.length != 3 || sb.length != 3) {
            throw new ShapeException("bmm: expects two 3-D batches, got shapes " + Shapes.format(sa) + " and "
                    + Shapes.format(sb));
        }
        if (sa[0] != sb[0] || sa[2] != sb[1]) {
            throw new ShapeException("bmm: shapes " + Shapes.format(sa) + " and " + Shapes.format(sb)
                    + " cannot be multiplied (batch sizes must match and " + sa[2] + " must equal " + sb[1] + ")");
        }
        return gemm("BmmBackward", a, b, true);
    }

    static Tensor matmul(Tensor a, Tensor o) {
        int[] shape = a.body().shape;
        int[] oshape = Kernels.operand("matmul", a, o).shape;
        int ra = shape.length;
        int rb = oshape.length;
        if (ra == 0 || rb == 0) {
            throw new ShapeException("matmul: both arguments need at least 1 dimension, got shapes "
                    + Shapes.format(shape) + " and " + Shapes.format(oshape));
        }
        int ka = shape[ra - 1];
        int kb = rb == 1 ? oshape[0] : oshape[rb - 2];
        if (ka != kb) {
            throw new ShapeException("matmul: shapes " + Shapes.format(shape) + " and " + Shapes.format(oshape)
                    + " cannot be multiplied (" + ka + " != " + kb + ")");
        }
        if (ra == 1 && rb == 1) {
            return a.unsqueeze(0).mm(o.unsqueeze(1)).reshape();
        }
        if (ra == 2 && rb == 1) {
            return a.mm(o.unsqueeze(1)).squeeze(1);
        }
        if (ra == 1 && rb == 2) {
            return a.unsqueeze(0).mm(o).squeeze(0);
        }
        if (ra == 2 && rb == 2) {
            return a.mm(o);
        }
        if (rb <= 2) {
            // fold the batch dimensions of the left operand into the rows of one product
            Tensor b2 = rb == 1 ? o.unsqueeze(1) : o;
            int[] outShape = shape.clone();
            outShape[ra - 1] = b2.shape()[1];
            // explicit row count: reshape(-1, 0) cannot infer -1 when the inner dimension is 0
            int rows = Shapes.numel(Arrays.copyOf(shape, ra - 1));
            Tensor folded = a.reshape(rows, ka).mm(b2).reshape(outShape);
            return rb == 1 ? folded.squeeze(-1) : folded;
        }
        Tensor a2 = ra == 1 ? a.unsqueeze(0) : a;
        int[] as = a2.shape();
        int[] batchA = Arrays.copyOf(as, as.length - 2);
        int[] batchB = Arrays.copyOf(oshape, oshape.length - 2);
        int[] batch;
        try {
            batch = Shapes.broadcast("matmul", batchA, batchB);
        } catch (ShapeException e) {
            throw new ShapeException("matmul: the batch dimensions of shapes " + Shapes.format(shape) + " and "
                    + Shapes.format(oshape) + " cannot be broadcast together (" + e.getMessage() + ")");
        }
        int batchCount = Shapes.numel(batch);
        int m = as[as.length - 2];
        int n = oshape[oshape.length - 1];
        Tensor a3 = a2.expand(concat(batch, m, ka)).reshape(batchCount, m, ka);
        Tensor b3 = o.expand(concat(batch, oshape[oshape.length - 2], n)).reshape(batchCount, ka, n);
        Tensor out = a3.bmm(b3).reshape(concat(batch, m, n));
        return ra == 1 ? out.squeeze(-2) : out;
    }

    private static int[] concat(int[] head, int x, int y) {
        int[] out = Arrays.copyOf(head, head.length + 2);
        out[head.length] = x;
        out[head.length + 1] = y;
        return out;
    }

    /**
     * {@code input @ weight^T + bias}, then ReLU when {@code relu}, as one GEMM with a fused epilogue:
     * PyTorch's {@code F.linear} (and {@code relu(F.linear(...))}).
     */
    static Tensor linear(Tensor x, Tensor w, Tensor bias, boolean relu) {
        TensorBody xb = x.body();
        TensorBody wb = Kernels.operand("linear", x, w);
        TensorBody bb = bias == null ? null : Kernels.operand("linear", x, bias);
        if (wb.shape.length != 2) {
            throw new ShapeException("linear: weight must be 2-D [out_features, in_features], got "
                    + Shapes.format(wb.shape));
        }
        int outF = wb.shape[0];
        int inF = wb.shape[1];
        if (xb.shape.length == 0 || xb.shape[xb.shape.length - 1] != inF) {
            throw new ShapeException("linear: expected input with last dimension " + inF + " (in_features), got shape "
                    + Shapes.format(xb.shape));
        }
        if (bb != null && (bb.shape.length != 1 || bb.shape[0] != outF)) {
            throw new ShapeException("linear: bias must have shape [" + outF + "], got " + Shapes.format(bb.shape));
        }
        int rows = inF > 0 ? xb.numel / inF : Shapes.numel(Arrays.copyOf(xb.shape, xb.shape.length - 1));
        TensorBody ob;
        if (outF == inF) {
            ob = xb.newDenseLike();
        } else {
            int[] outShape = xb.shape.clone();
            outShape[outShape.length - 1] = outF;
            ob = xb.newDense(outShape);
        }
        if (ob.numel > 0) {
            if (inF == 0) {
                Kernels.fill(ob, 0f);
                if (bias != null || relu) {
                    try (var g = GradMode.noGrad(); Tensor zero = new Tensor(ob.share())) {
                        Tensor r = bias == null ? zero : zero.add(bias);
                        new Tensor(ob.share()).copyFrom(relu ? r.relu() : r);
                    }
                }
            } else {
                fusedGemm(x, xb, wb, bb, relu, rows, inF, outF, ob);
            }
        }
        Tensor out = new Tensor(ob);
        if (!(x.requiresGrad() || w.requiresGrad() || bias != null && bias.requiresGrad()) || !GradMode.isEnabled()) {
            return out; // nothing to record: no saved list or gradient closure made on the inference path
        }
        int[] inShape = xb.shape;
        Tensor[] saved = relu ? new Tensor[] {x, w, out} : new Tensor[] {x, w};
        return Graph.record(out, relu ? "LinearReluBackward" : "LinearBackward", saved, g -> {
            Tensor gg = relu ? g.mul(Pointwise.mask(dev.cairn.backend.UnaryOp.GT_SCALAR, out, 0f)) : g;
            Tensor g2 = gg.reshape(rows, outF);
            Tensor gx = x.requiresGrad() ? g2.mm(w).reshape(inShape) : null;
            Tensor gw = w.requiresGrad() ? g2.t().mm(x.reshape(rows, inF)) : null;
            Tensor gb = bias != null && bias.requiresGrad() ? g2.sum(0, false) : null;
            return new Tensor[] {gx, gw, gb};
        }, x, w, bias);
    }

    private static void fusedGemm(Tensor x, TensorBody xb, TensorBody wb, TensorBody bb,
                                  boolean relu, int rows, int inF, int outF, TensorBody ob) {
        TensorBody x2 = xb;
        TensorBody wc = wb;
        TensorBody bc = bb;
        try {
            if (xb.shape.length != 2 || (!xb.contiguous && asGemmOperand(xb, -1) == null)) {
                try (var g = GradMode.noGrad()) {
                    x2 = x.reshape(rows, inF).rawBody(); // a view or copy made here, closed below
                }
            }
            GemmOperand ga = asGemmOperand(x2, -1);
            if (ga == null) {
                TensorBody dense = denseCopy(x2);
                if (x2 != xb) {
                    x2.close();
                }
                x2 = dense;
                ga = asGemmOperand(x2, -1);
            }
            GemmOperand gw = asGemmOperand(wb, -1);
            if (gw == null) {
                wc = denseCopy(wb);
                gw = asGemmOperand(wc, -1);
            }
            if (bb != null && !bb.contiguous) {
                bc = denseCopy(bb);
            }
            // weight^T: the [out, in] matrix read as [in, out] flips the transpose flag
            GemmOperand gwt = new GemmOperand(gw.storage(), gw.offset(), gw.ld(), !gw.transposed(), 0);
            Epilogue epi = new Epilogue(bc == null ? null : bc.storage(), bc == null ? 0 : bc.offset, relu);
            Kernels.gemm(ob, 1, rows, outF, inF, ga, gwt, new GemmOperand(ob.storage(), 0, outF, false, 0), epi,
                    xb, x2, wb, wc, bb, bc);
        } finally {
            if (x2 != xb) {
                x2.close();
            }
            if (wc != wb) {
                wc.close();
            }
            if (bc != bb) {
                bc.close();
            }
        }
    }
}
