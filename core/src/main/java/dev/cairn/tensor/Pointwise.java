package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.UnaryOp;
import java.util.Arrays;

/**
 * The pointwise primitives, each one row: its kernel, what its backward reads, and its gradient.
 * Adding a primitive is a row here, a public method on {@link Tensor}, and the kernel in each backend
 * ({@link UnaryOp} or {@link BinaryOp}). Composites built from these rows live on {@link Tensor}.
 */
final class Pointwise {
    private Pointwise() {
    }

    /** Which tensors a unary op's backward reads. */
    enum Saves { NONE, INPUT, OUTPUT }

    /** The gradient of a unary op: from the output's gradient {@code g}, the input {@code x}, the output and the scalar. */
    @FunctionalInterface
    interface UnaryGrad {
        Tensor apply(Tensor g, Tensor x, Tensor out, float scalar);
    }

    /** A unary primitive; a null {@code grad} means not differentiable (nothing is recorded). */
    record UnaryRow(String name, UnaryOp kernel, Saves saves, UnaryGrad grad) {
    }

    /** Gradients of a binary op with respect to both inputs, before reduction to their shapes. */
    @FunctionalInterface
    interface BinaryGrad {
        Tensor[] apply(Tensor g, Tensor a, Tensor b, Tensor out);
    }

    /**
     * A binary primitive with broadcasting. {@code name} is its graph node's ({@code AddBackward}), {@code op}
     * the name its errors give ({@code add}), derived once here rather than on every call.
     */
    record BinaryRow(String name, String op, BinaryOp kernel, boolean savesInputs, boolean savesOutput,
                     BinaryGrad grad) {
        BinaryRow(String name, BinaryOp kernel, boolean savesInputs, boolean savesOutput, BinaryGrad grad) {
            this(name, opName(name), kernel, savesInputs, savesOutput, grad);
        }
    }

    // ---- the unary rows -------------------------------------------------------------------------------------

    static final UnaryRow NEG = new UnaryRow("NegBackward", UnaryOp.NEG, Saves.NONE, (g, x, out, s) -> g.neg());
    static final UnaryRow ABS = new UnaryRow("AbsBackward", UnaryOp.ABS, Saves.INPUT, (g, x, out, s) -> g.mul(x.sign()));
    static final UnaryRow RELU = new UnaryRow("ReluBackward", UnaryOp.RELU, Saves.OUTPUT,
            (g, x, out, s) -> g.mul(mask(UnaryOp.GT_SCALAR, out, 0f)));
    static final UnaryRow EXP = new UnaryRow("ExpBackward", UnaryOp.EXP, Saves.OUTPUT, (g, x, out, s) -> g.mul(out));
    static final UnaryRow LOG = new UnaryRow("LogBackward", UnaryOp.LOG, Saves.INPUT, (g, x, out, s) -> g.div(x));
    static final UnaryRow SQRT = new UnaryRow("SqrtBackward", UnaryOp.SQRT, Saves.OUTPUT,
            (g, x, out, s) -> g.div(out.mul(2f)));
    static final UnaryRow SIGN = new UnaryRow("SignBackward", UnaryOp.SIGN, Saves.NONE, null);
    static final UnaryRow ADD_SCALAR = new UnaryRow("AddBackward", UnaryOp.ADD_SCALAR, Saves.NONE, (g, x, out, s) -> g);
    static final UnaryRow MUL_SCALAR = new UnaryRow("MulBackward", UnaryOp.MUL_SCALAR, Saves.NONE,
            (g, x, out, s) -> g.mul(s));
    static final UnaryRow DIV_SCALAR = new UnaryRow("DivBackward", UnaryOp.DIV_SCALAR, Saves.NONE,
            (g, x, out, s) -> g.div(s));
    static final UnaryRow POW_SCALAR = new UnaryRow("PowBackward", UnaryOp.POW_SCALAR, Saves.INPUT,
            (g, x, out, s) -> s == 0f ? g.mul(0f) : g.mul(x.pow(s - 1f)).mul(s));

    static final UnaryRow RDIV_SCALAR = new UnaryRow("ReciprocalBackward", UnaryOp.RDIV_SCALAR, Saves.INPUT,
            (g, x, out, s) -> g.mul(-s).div(x.mul(x)));
    static final UnaryRow TANH = new UnaryRow("TanhBackward", UnaryOp.TANH, Saves.OUTPUT,
            (g, x, out, s) -> g.mul(out.mul(out).neg().add(1f)));
    static final UnaryRow SIGMOID = new UnaryRow("SigmoidBackward", UnaryOp.SIGMOID, Saves.OUTPUT,
            (g, x, out, s) -> g.mul(out.mul(out.neg().add(1f))));
    /** d erf(x) / dx = 2 / sqrt(pi) * e^(-x^2) */
    static final UnaryRow ERF = new UnaryRow("ErfBackward", UnaryOp.ERF, Saves.INPUT,
            (g, x, out, s) -> g.mul(x.mul(x).neg().exp().mul((float) (2.0 / Math.sqrt(Math.PI)))));
    static final UnaryRow SIN = new UnaryRow("SinBackward", UnaryOp.SIN, Saves.INPUT, (g, x, out, s) -> g.mul(x.cos()));
    static final UnaryRow COS = new UnaryRow("CosBackward", UnaryOp.COS, Saves.INPUT,
            (g, x, out, s) -> g.mul(x.sin()).neg());
    /** As PyTorch's clamp: the gradient passes where the input lies inside the bound, the bound included. */
    static final UnaryRow CLAMP_MIN = new UnaryRow("ClampMinBackward", UnaryOp.CLAMP_MIN, Saves.INPUT,
            (g, x, out, s) -> g.mul(mask(UnaryOp.GE_SCALAR, x, s)));
    static final UnaryRow CLAMP_MAX = new UnaryRow("ClampMaxBackward", UnaryOp.CLAMP_MAX, Saves.INPUT,
            (g, x, out, s) -> g.mul(mask(UnaryOp.LE_SCALAR, x, s)));

    /** Leaky ReLU with slope {@code s}: the gradient is {@code g} where {@code x > 0}, else {@code g * s}, as PyTorch's. */
    static final UnaryRow LEAKY_RELU = new UnaryRow("LeakyReluBackward", UnaryOp.LEAKY_RELU, Saves.INPUT,
            (g, x, out, s) -> Tensor.where(x.gt(0f), g, g.mul(s)));

    /** Exact GELU; its gradient {@code g * gelu'(x)} is one fused kernel ({@link BinaryOp#GELU_BACKWARD}). */
    static final UnaryRow GELU = new UnaryRow("GeluBackward", UnaryOp.GELU, Saves.INPUT,
            (g, x, out, s) -> fused(BinaryOp.GELU_BACKWARD, g, x));
    /** GELU's tanh approximation; its gradient is one fused kernel ({@link BinaryOp#GELU_TANH_BACKWARD}). */
    static final UnaryRow GELU_TANH = new UnaryRow("GeluBackward", UnaryOp.GELU_TANH, Saves.INPUT,
            (g, x, out, s) -> fused(BinaryOp.GELU_TANH_BACKWARD, g, x));

    // ---- the binary rows ------------------------------------------------------------------------------------

    static final BinaryRow ADD = new BinaryRow("AddBackward", BinaryOp.ADD, false, false,
            (g, a, b, out) -> new Tensor[] {g, g});
    static final BinaryRow SUB = new BinaryRow("SubBackward", BinaryOp.SUB, false, false,
            (g, a, b, out) -> new Tensor[] {g, b.requiresGrad() ? g.neg() : null});
    static final BinaryRow MUL = new BinaryRow("MulBackward", BinaryOp.MUL, true, false,
            (g, a, b, out) -> new Tensor[] {a.requiresGrad() ? g.mul(b) : null, b.requiresGrad() ? g.mul(a) : null});
    static final BinaryRow DIV = new BinaryRow("DivBackward", BinaryOp.DIV, true, false,
            (g, a, b, out) -> new Tensor[] {
                a.requiresGrad() ? g.div(b) : null, b.requiresGrad() ? g.mul(a).div(b.mul(b)).neg() : null});
    // as PyTorch: no gradient flows to the base where the exponent is 0, nor to the exponent where
    // the base is 0 and the exponent >= 0 (shifting those entries avoids 0 * inf = NaN)
    static final BinaryRow POW = new BinaryRow("PowBackward", BinaryOp.POW, true, true,
            (g, a, b, out) -> new Tensor[] {
                a.requiresGrad() ? g.mul(b).mul(a.pow(b.sub(1f).add(mask(UnaryOp.EQ_SCALAR, b, 0f)))) : null,
                b.requiresGrad() ? g.mul(out).mul(a.add(mask(UnaryOp.EQ_SCALAR, a, 0f)
                        .mul(mask(UnaryOp.GE_SCALAR, b, 0f))).log()) : null});
    static final BinaryRow MAXIMUM = new BinaryRow("MaximumBackward", BinaryOp.MAXIMUM, true, false,
            (g, a, b, out) -> extremumGrad(g, a, b, BinaryOp.GT));
    static final BinaryRow MINIMUM = new BinaryRow("MinimumBackward", BinaryOp.MINIMUM, true, false,
            (g, a, b, out) -> extremumGrad(g, a, b, BinaryOp.LT));

    /** Where a wins the comparison the gradient goes to a, where b wins to b, and ties split it evenly (PyTorch). */
    private static Tensor[] extremumGrad(Tensor g, Tensor a, Tensor b, BinaryOp wins) {
        Tensor maskA = mask(wins, a, b).add(mask(BinaryOp.EQ, a, b).mul(0.5f));
        Tensor maskB = maskA.neg().add(1f);
        return new Tensor[] {g.mul(maskA), g.mul(maskB)};
    }

    // ---- running rows ---------------------------------------------------------------------------------------

    static Tensor unary(UnaryRow row, Tensor x) {
        return scalar(row, x, 0f);
    }

    /**
     * Runs a unary row. On an integer or bool tensor, NEG and ABS stay integer (as in PyTorch); every other
     * op (and any op with a float scalar) computes in float32, as PyTorch does for a float scalar.
     */
    static Tensor scalar(UnaryRow row, Tensor x, float s) {
        TensorBody xb = x.body();
        if (xb.dtype != DType.FLOAT32 && !(row == NEG || row == ABS)) {
            return scalar(row, Creation.toDType(x, DType.FLOAT32), s);
        }
        TensorBody ob = xb.newDenseLike();
        Kernels.unary(row.kernel(), s, xb.stridedView(), xb, ob);
        Tensor out = new Tensor(ob);
        if (row.grad() == null || !x.requiresGrad() || !dev.cairn.autograd.GradMode.isEnabled()) {
            return out; // nothing to record: no saved list or gradient closure made on the inference path
        }
        Tensor[] saved = switch (row.saves()) {
            case NONE -> Graph.NO_SAVED;
            case INPUT -> new Tensor[] {x};
            case OUTPUT -> new Tensor[] {out};
        };
        UnaryGrad grad = row.grad();
        return Graph.record(out, row.name(), saved, g -> new Tensor[] {grad.apply(g, x, out, s)}, x);
    }

    /**
     * {@code clampMax(clampMin(x, min), max)} as one kernel ({@link dev.cairn.backend.Backend#clamp}), in float32;
     * the gradient passes where {@code min <= x <= max}, the bounds included (PyTorch's).
     */
    static Tensor clamp(Tensor x, float min, float max) {
        TensorBody xb = x.body();
        if (xb.dtype != DType.FLOAT32) {
            return clamp(Creation.toDType(x, DType.FLOAT32), min, max);
        }
        TensorBody ob = xb.newDenseLike();
        Kernels.clamp(min, max, xb, ob);
        Tensor out = new Tensor(ob);
        if (!x.requiresGrad() || !dev.cairn.autograd.GradMode.isEnabled()) {
            return out;
        }
        return Graph.record(out, "ClampBackward", new Tensor[] {x},
                g -> new Tensor[] {g.mul(mask(UnaryOp.GE_SCALAR, x, min)).mul(mask(UnaryOp.LE_SCALAR, x, max))}, x);
    }

    /** Runs a binary row on operands promoted to their common dtype (float32 for DIV and POW). */
    static Tensor binary(BinaryRow row, Tensor a, Tensor b) {
        String op = row.op();
        DType da = a.body().dtype;
        DType db = Kernels.operand(op, a, b).dtype;
        DType target = row == DIV || row == POW ? DType.FLOAT32 : DType.promote(da, db);
        if (target == DType.BOOL && row == SUB) {
            throw new CairnException("sub: subtracting two bool tensors is not supported; use logicalXor, or "
                    + "convert with to(DType.INT64) first");
        }
        Tensor out = binaryKernel(op, row.kernel(), Creation.toDType(a, target), Creation.toDType(b, target));
        if (!(a.requiresGrad() || b.requiresGrad()) || !dev.cairn.autograd.GradMode.isEnabled()) {
            return out; // nothing to record: no saved list or gradient closure made on the inference path
        }
        int[] sa = a.rawBody().shape;
        int[] sb = b.rawBody().shape;
        Tensor[] saved = row.savesInputs() && row.savesOutput() ? new Tensor[] {a, b, out}
                : row.savesInputs() ? new Tensor[] {a, b} : row.savesOutput() ? new Tensor[] {out} : Graph.NO_SAVED;
        BinaryGrad grad = row.grad();
        return Graph.record(out, row.name(), saved, g -> {
            Tensor[] gs = grad.apply(g, a, b, out);
            return new Tensor[] {
                gs[0] == null || !a.requiresGrad() ? null : Graph.sumTo(gs[0], sa),
                gs[1] == null || !b.requiresGrad() ? null : Graph.sumTo(gs[1], sb)
            };
        }, a, b);
    }

    private static String opName(String rowName) {
        return rowName.endsWith("Backward") ? rowName.substring(0, rowName.length() - 8).toLowerCase() : rowName;
    }

    /** A fused gradient kernel {@code kind(g, x)} (float32, broadcast); not recorded (backward runs without grad). */
    static Tensor fused(BinaryOp kind, Tensor g, Tensor x) {
        return binaryKernel(kind.name().toLowerCase(), kind, Creation.toDType(g, DType.FLOAT32), x);
    }

    /** The kernel of a binary op on two operands of one dtype, broadcast; not recorded. */
    private static Tensor binaryKernel(String op, BinaryOp kind, Tensor a, Tensor b) {
        TensorBody ab = a.body();
        TensorBody bb = Kernels.operand(op, a, b);
        TensorBody ob = Shapes.same(ab.shape, bb.shape) ? ab.newDenseLike()
                : ab.newDense(Shapes.broadcast(op, ab.shape, bb.shape));
        Kernels.binary(kind, ab, bb, ob);
        return new Tensor(ob);
    }

    // ---- comparisons ----------------------------------------------------------------------------------------

    /** {@code a op b} (broadcast) as a bool tensor, comparing in the operands' common dtype. Not differentiable. */
    static Tensor compare(CompareOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase();
        DType target = DType.promote(a.body().dtype, Kernels.operand(name, a, b).dtype);
        if (target == DType.BOOL || target == DType.INT32) {
            target = DType.INT64;
        }
        TensorBody ab = Creation.toDType(a, target).body();
        TensorBody bb = Creation.toDType(b, target).body();
        int[] shape = Shapes.broadcast(name, ab.shape, bb.shape);
        TensorBody ob = ab.newDense(DType.BOOL, shape);
        Kernels.compare(op, ab, bb, ob);
        return new Tensor(ob);
    }

    /** {@code x op s} as a bool tensor; integer tensors compare exactly with an integral {@code s}. */
    static Tensor compare(CompareOp op, Tensor x, float s) {
        TensorBody xb = x.body();
        DType dtype = xb.dtype != DType.FLOAT32 && s == Math.rint(s) ? DType.INT64 : DType.FLOAT32;
        return compare(op, x, Creation.full(xb.device, dtype, s));
    }

    /**
     * A float32 mask, 1 where {@code x kind s} holds, else 0: what gradients multiply by. Float masks keep
     * backward passes on the fast float kernels of every backend.
     */
    static Tensor mask(UnaryOp kind, Tensor x, float s) {
        TensorBody xb = Creation.toDType(x, DType.FLOAT32).body();
        TensorBody ob = xb.newDenseLike();
        Kernels.unary(kind, s, xb.stridedView(), xb, ob);
        return new Tensor(ob);
    }

    /** A float32 mask, 1 where {@code a kind b} holds (broadcast), else 0. */
    static Tensor mask(BinaryOp kind, Tensor a, Tensor b) {
        return binaryKernel(kind.name().toLowerCase(), kind, Creation.toDType(a, DType.FLOAT32),
                Creation.toDType(b, DType.FLOAT32));
    }

    // ---- copies ---------------------------------------------------------------------------------------------

    static Tensor copy(Tensor x) {
        TensorBody xb = x.body();
        TensorBody ob = xb.newDenseLike();
        Kernels.unary(UnaryOp.IDENTITY, 0f, xb.stridedView(), xb, ob);
        return Graph.record(new Tensor(ob), "CloneBackward", g -> new Tensor[] {g}, x);
    }

    static Tensor copyFrom(Tensor dst, Tensor source) {
        TensorBody db = dst.body();
        TensorBody sb = Kernels.operand("copyFrom", dst, source);
        int[] target = Shapes.broadcast("copyFrom", db.shape, sb.shape);
        if (!Arrays.equals(target, db.shape)) {
            throw new ShapeException("copyFrom: source of shape " + Shapes.format(sb.shape)
                    + " cannot be broadcast to the destination's shape " + Shapes.format(db.shape));
        }
        if (!db.ownsDenseMemory()) {
            throw new CairnException("copyFrom: the destination must be a contiguous tensor that owns its memory");
        }
        if (db.numel == 0) {
            return dst;
        }
        db.shared.bumpVersion();
        if (sb.dtype != db.dtype) {
            Kernels.copy(sb, db); // converts, as PyTorch's copy_ does
        } else if (sb.shared == db.shared) {
            TensorBody tmp = db.newDenseLike();
            try {
                Kernels.unary(UnaryOp.IDENTITY, 0f, sb.viewAs(db.shape), sb, tmp);
                Kernels.unary(UnaryOp.IDENTITY, 0f, tmp.stridedView(), tmp, db);
            } finally {
                tmp.close();
            }
        } else {
            Kernels.unary(UnaryOp.IDENTITY, 0f, sb.viewAs(db.shape), sb, db);
        }
        return dst;
    }
}
