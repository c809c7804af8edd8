package dev.cairn.tensor;

import dev.cairn.autograd.BackwardFn;
import dev.cairn.autograd.Engine;
import dev.cairn.autograd.GradMode;
import dev.cairn.autograd.GradNode;
import dev.cairn.backend.Backend;
import dev.cairn.backend.Backends;
import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Arrays;

/**
 * The one implementation of {@link Tensor}: a view (offset, shape, strides) over a backend storage.
 * Every op checks its arguments here, calls the backend's kernel, and records itself for autograd
 * in {@link #record} — the single place where the graph is built.
 */
public final class TensorImpl implements Tensor {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Backend backend;
    private final Device device;
    private final SharedStorage shared;
    private final int offset;
    private final int[] shape;
    private final int[] strides;
    private final int numel;
    private final boolean contiguous;
    private final SharedStorage.Claim claim;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;
    /** Set by {@link TensorScope#forget}: no scope closes this tensor. */
    private boolean scopeExempt;

    private boolean requiresGrad;
    private Tensor grad;
    private GradNode gradFn;

    private TensorImpl(Backend backend, Device device, SharedStorage shared, int offset, int[] shape, int[] strides) {
        this.backend = backend;
        this.device = device;
        this.shared = shared;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        this.numel = Shapes.numel(shape);
        // like PyTorch, a tensor without elements is contiguous whatever its strides
        this.contiguous = numel == 0 || Shapes.isContiguous(shape, strides);
        Storage storage = shared.storage();
        if (storage.needsExplicitFree()) {
            this.claim = new SharedStorage.Claim(shared);
            this.cleanable = CLEANER.register(this, claim);
        } else {
            // heap memory: the GC frees it; a recyclable storage still counts claims so close() can recycle it
            this.claim = storage.recyclable() ? new SharedStorage.Claim(shared) : null;
            this.cleanable = null;
        }
        TensorScope.register(this);
    }

    void exemptFromScopes() {
        scopeExempt = true;
    }

    boolean isExemptFromScopes() {
        return scopeExempt;
    }

    // ---- construction helpers -------------------------------------------------------------

    /** A tensor holding a copy of {@code data} in the given shape on {@code device}. */
    static Tensor fromArray(Device device, float[] data, int... shape) {
        int[] s = shape.clone();
        int n = Shapes.numel(s);
        if (n != data.length) {
            throw new ShapeException("data of length " + data.length + " does not fit shape " + Shapes.format(s)
                    + " (" + n + " elements)");
        }
        Backend b = Backends.forDevice(device);
        Storage storage = b.upload(device.index(), data, 0, n);
        return new TensorImpl(b, device, new SharedStorage(storage), 0, s, Shapes.contiguousStrides(s));
    }

    static Tensor full(Device device, float value, int... shape) {
        int[] s = shape.clone();
        TensorImpl t = dense(Backends.forDevice(device), device, s);
        t.backend.fill(t.storage(), 0, t.numel, value);
        return t;
    }

    private static TensorImpl dense(Backend backend, Device device, int[] shape) {
        int n = Shapes.numel(shape);
        Storage storage = backend.allocate(device.index(), n);
        return new TensorImpl(backend, device, new SharedStorage(storage), 0, shape, Shapes.contiguousStrides(shape));
    }

    private TensorImpl newDense(int[] shape) {
        return dense(backend, device, shape);
    }

    private TensorImpl newView(int viewOffset, int[] viewShape, int[] viewStrides) {
        return new TensorImpl(backend, device, shared, viewOffset, viewShape, viewStrides);
    }

    private Storage storage() {
        return shared.storage();
    }

    /** This tensor as a kernel operand. */
    public StridedView stridedView() {
        checkOpen();
        return new StridedView(storage(), offset, shape, strides);
    }

    private StridedView viewAs(int[] target) {
        return new StridedView(storage(), offset, target, Shapes.broadcastStrides(shape, strides, target));
    }

    // ---- checks ---------------------------------------------------------------------------

    private void checkOpen() {
        if (closed) {
            throw new CairnException("tensor of shape " + Shapes.format(shape) + " on " + device
                    + " has been closed; it cannot be used any more");
        }
    }

    /** How many in-place writes {@code t}'s memory has had (autograd compares it with the count at use). */
    static int inputVersion(Tensor t) {
        return impl(t).shared.version();
    }

    /** Whether {@link #copyFrom} can write into {@code t}'s memory: open, dense, and owning all of its storage. */
    public static boolean writableInPlace(Tensor t) {
        TensorImpl i = impl(t);
        return !i.closed && i.isContiguous() && i.offset == 0 && i.storage().size() == i.numel;
    }

    /** The implementation behind {@code t}, looking through parameters and buffers. */
    static TensorImpl impl(Tensor t) {
        Tensor u = t;
        while (u instanceof DelegatingTensor d) {
            u = d.delegate();
        }
        if (!(u instanceof TensorImpl i)) {
            throw new CairnException("unsupported Tensor implementation " + t.getClass().getName());
        }
        return i;
    }

    private TensorImpl operand(String op, Tensor other) {
        checkOpen();
        Tensor unwrapped = other;
        while (unwrapped instanceof DelegatingTensor d) {
            unwrapped = d.delegate();
        }
        if (!(unwrapped instanceof TensorImpl o)) {
            throw new CairnException(op + ": unsupported Tensor implementation " + other.getClass().getName());
        }
        o.checkOpen();
        if (!o.device.equals(device)) {
            throw new DeviceException(op + ": expected all tensors to be on the same device, but found "
                    + device + " and " + o.device + "; move one with .to(device) (model.to(device) moves a model's"
                    + " parameters and buffers; its inputs must be moved too)");
        }
        return o;
    }

    // ---- autograd recording ---------------------------------------------------------------

    /**
     * Records {@code out} as produced by operation {@code name} from {@code inputs}, when grad mode
     * is on and any input requires grad. The only place where the autograd graph grows.
     */
    private static TensorImpl record(TensorImpl out, String name, BackwardFn backward, Tensor... inputs) {
        return record(out, name, NO_SAVED, backward, inputs);
    }

    private static final Tensor[] NO_SAVED = new Tensor[0];

    /**
     * Like {@link #record(TensorImpl, String, BackwardFn, Tensor...)}, also noting the tensors whose values
     * the backward reads ({@code saved}, which may include {@code out}) and how many in-place writes their
     * memory has had, so that backward after such a write fails instead of computing a wrong gradient.
     */
    private static TensorImpl record(TensorImpl out, String name, Tensor[] saved, BackwardFn backward,
                                     Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return out;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                int[] versions = new int[saved.length];
                for (int i = 0; i < saved.length; i++) {
                    versions[i] = impl(saved[i]).shared.version();
                }
                out.gradFn = new GradNode(name, inputs, backward, saved, versions, TensorImpl::inputVersion);
                out.requiresGrad = true;
                return out;
            }
        }
        return out;
    }

    /** Which tensors a unary op's backward reads. */
    private enum Saves { NONE, INPUT, OUTPUT }

    /** Sums a broadcast gradient back down to {@code target}'s shape. */
    static Tensor sumTo(Tensor grad, int[] target) {
        int[] gs = grad.shape();
        if (Arrays.equals(gs, target)) {
            return grad;
        }
        int lead = gs.length - target.length;
        int[] dims = new int[gs.length];
        int count = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (target[i - lead] == 1 && gs[i] != 1)) {
                dims[count++] = i;
            }
        }
        Tensor reduced = count == 0 ? grad : grad.sum(Arrays.copyOf(dims, count), true);
        return reduced.reshape(target);
    }

    // ---- metadata -------------------------------------------------------------------------

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int size(int dim) {
        return shape[Shapes.wrapDim("size", dim, shape.length)];
    }

    @Override
    public int dim() {
        return shape.length;
    }

    @Override
    public int numel() {
        return numel;
    }

    @Override
    public DType dtype() {
        return DType.FLOAT32;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public int[] strides() {
        return strides.clone();
    }

    @Override
    public boolean isContiguous() {
        return contiguous;
    }

    // ---- data -----------------------------------------------------------------------------

    @Override
    public float item() {
        checkOpen();
        if (numel != 1) {
            throw new ShapeException("item(): only a tensor with one element can be converted to a number, got shape "
                    + Shapes.format(shape));
        }
        float[] out = new float[1];
        backend.download(storage(), offset, out, 0, 1);
        Reference.reachabilityFence(this); // the cleaner must not free operands mid-kernel
        return out[0];
    }

    @Override
    public float[] toFloatArray() {
        checkOpen();
        float[] out = new float[numel];
        if (numel == 0) {
            return out;
        }
        if (isContiguous()) {
            backend.download(storage(), offset, out, 0, numel);
            Reference.reachabilityFence(this); // the cleaner must not free operands mid-kernel
        } else {
            try (var g = GradMode.noGrad(); TensorImpl c = (TensorImpl) contiguous()) {
                backend.download(c.storage(), 0, out, 0, numel);
            }
        }
        return out;
    }

    @Override
    public Tensor to(Device target) {
        checkOpen();
        if (target.equals(device)) {
            return this;
        }
        Backend tb = Backends.forDevice(target);
        float[] host = toFloatArray();
        Storage s = tb.upload(target.index(), host, 0, host.length);
        TensorImpl out = new TensorImpl(tb, target, new SharedStorage(s), 0, shape.clone(),
                Shapes.contiguousStrides(shape));
        Device from = device;
        return record(out, "ToCopyBackward", g -> new Tensor[] {g.to(from)}, this);
    }

    @Override
    public Tensor contiguous() {
        checkOpen();
        return isContiguous() ? this : copy();
    }

    @Override
    public Tensor copy() {
        checkOpen();
        TensorImpl out = newDense(shape.clone());
        if (numel > 0) {
            backend.unary(UnaryOp.IDENTITY, 0f, stridedView(), out.storage());
            Reference.reachabilityFence(this); // the cleaner must not free operands mid-kernel
        }
        return record(out, "CloneBackward", g -> new Tensor[] {g}, this);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cleanable != null) {
            cleanable.clean();
        } else if (claim != null) {
            claim.run();
        }
        // gradFn stays: backward may still pass through this tensor; only an op that needs its values fails
        grad = null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public Tensor copyFrom(Tensor source) {
        TensorImpl src = operand("copyFrom", source);
        int[] target = Shapes.broadcast("copyFrom", shape, src.shape);
        if (!Arrays.equals(target, shape)) {
            throw new ShapeException("copyFrom: source of shape " + Shapes.format(src.shape)
                    + " cannot be broadcast to the destination's shape " + Shapes.format(shape));
        }
        if (!isContiguous() || offset != 0 || storage().size() != numel) {
            throw new CairnException("copyFrom: the destination must be a contiguous tensor that owns its memory");
        }
        if (numel == 0) {
            return this;
        }
        shared.bumpVersion();
        StridedView from = src.viewAs(shape);
        if (src.shared == shared) {
            try (TensorImpl tmp = newDense(shape.clone())) {
                backend.unary(UnaryOp.IDENTITY, 0f, from, tmp.storage());
                backend.unary(UnaryOp.IDENTITY, 0f, tmp.stridedView(), storage());
                Reference.reachabilityFence(src); // the cleaner must not free operands mid-kernel
                Reference.reachabilityFence(this); // the cleaner must not free operands mid-kernel
            }
        } else {
            backend.unary(UnaryOp.IDENTITY, 0f, from, storage());
            Reference.reachabilityFence(src); // the cleaner must not free operands mid-kernel
            Reference.reachabilityFence(this); // the cleaner must not free operands mid-kernel
        }
        return this;
    }

    // ---- shape ops ------------------------------------------------------------------------

    private int[] inferShape(String op, int[] requested) {
        int[] s = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeException(op + ": only one dimension can be -1 in " + Shapes.format(requested));
                }
                infer = i;
            } else if (s[i] < 0) {
                throw new ShapeException(op + ": invalid size " + s[i] + " in " + Shapes.format(requested));
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new ShapeException(op + ": shape " + Shapes.format(requested) + " is invalid for input of shape "
                        + Shapes.format(shape) + " (" + numel + " elements)");
            }
            s[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new ShapeException(op + ": shape " + Shapes.format(requested) + " is invalid for input of shape "
                    + Shapes.format(shape) + " (" + numel + " elements)");
        }
        return s;
    }

    @Override
    public Tensor reshape(int... newShape) {
        checkOpen();
        int[] s = inferShape("reshape", newShape);
        return isContiguous() ? viewUnchecked("ViewBackward", s) : contiguous().view(s);
    }

    @Override
    public Tensor view(int... newShape) {
        checkOpen();
        int[] s = inferShape("view", newShape);
        if (!isContiguous()) {
            throw new ShapeException("view: cannot view a non-contiguous tensor of shape " + Shapes.format(shape)
                    + " and strides " + Shapes.format(strides) + " as " + Shapes.format(s) + "; use reshape()");
        }
        return viewUnchecked("ViewBackward", s);
    }

    private Tensor viewUnchecked(String name, int[] s) {
        TensorImpl out = newView(offset, s, Shapes.contiguousStrides(s));
        int[] original = shape;
        return record(out, name, g -> new Tensor[] {g.reshape(original)}, this);
    }

    @Override
    public Tensor transpose(int dim0, int dim1) {
        checkOpen();
        int r = shape.length;
        if (r == 0) {
            return this;
        }
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) {
            perm[i] = i;
        }
        int a = Shapes.wrapDim("transpose", dim0, r);
        int b = Shapes.wrapDim("transpose", dim1, r);
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    @Override
    public Tensor t() {
        checkOpen();
        if (shape.length > 2) {
            throw new ShapeException("t(): expects a tensor with at most 2 dimensions, got shape " + Shapes.format(shape)
                    + "; use transpose(dim0, dim1)");
        }
        return shape.length < 2 ? this : transpose(0, 1);
    }

    @Override
    public Tensor permute(int... dims) {
        checkOpen();
        int r = shape.length;
        if (dims.length != r) {
            throw new ShapeException("permute: " + Shapes.format(dims) + " has " + dims.length
                    + " dimensions but the tensor of shape " + Shapes.format(shape) + " has " + r);
        }
        int[] s = new int[r];
        int[] st = new int[r];
        int[] inverse = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = Shapes.wrapDim("permute", dims[i], r);
            if (seen[d]) {
                throw new ShapeException("permute: dimension " + d + " repeats in " + Shapes.format(dims));
            }
            seen[d] = true;
            s[i] = shape[d];
            st[i] = strides[d];
            inverse[d] = i;
        }
        TensorImpl out = newView(offset, s, st);
        return record(out, "PermuteBackward", g -> new Tensor[] {g.permute(inverse)}, this);
    }

    @Override
    public Tensor expand(int... newShape) {
        checkOpen();
        int r = newShape.length;
        if (r < shape.length) {
            throw new ShapeException("expand: the target " + Shapes.format(newShape) + " has fewer dimensions than "
                    + Shapes.format(shape));
        }
        int[] s = new int[r];
        int[] st = new int[r];
        int lead = r - shape.length;
        for (int i = 0; i < r; i++) {
            int want = newShape[i];
            if (i < lead) {
                if (want < 0) {
                    throw new ShapeException("expand: -1 is not allowed for a new leading dimension in "
                            + Shapes.format(newShape));
                }
                s[i] = want;
                st[i] = 0;
                continue;
            }
            int have = shape[i - lead];
            if (want == -1 || want == have) {
                s[i] = have;
                st[i] = strides[i - lead];
            } else if (have == 1 && want >= 0) {
                s[i] = want;
                st[i] = 0;
            } else {
                throw new ShapeException("expand: cannot expand shape " + Shapes.format(shape) + " to "
                        + Shapes.format(newShape) + " (dimension " + i + ": " + have + " vs " + want + ")");
            }
        }
        TensorImpl out = newView(offset, s, st);
        int[] original = shape;
        return record(out, "ExpandBackward", g -> new Tensor[] {sumTo(g, original)}, this);
    }

    @Override
    public Tensor squeeze() {
        checkOpen();
        int count = 0;
        for (int d : shape) {
            if (d != 1) {
                count++;
            }
        }
        int[] s = new int[count];
        int[] st = new int[count];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (shape[i] != 1) {
                s[j] = shape[i];
                st[j++] = strides[i];
            }
        }
        return restrided("SqueezeBackward", s, st);
    }

    @Override
    public Tensor squeeze(int dim) {
        checkOpen();
        if (shape.length == 0) {
            Shapes.wrapDim("squeeze", dim, 0);
            return this;
        }
        int d = Shapes.wrapDim("squeeze", dim, shape.length);
        if (shape[d] != 1) {
            return this;
        }
        int[] s = new int[shape.length - 1];
        int[] st = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != d) {
                s[j] = shape[i];
                st[j++] = strides[i];
            }
        }
        return restrided("SqueezeBackward", s, st);
    }

    @Override
    public Tensor unsqueeze(int dim) {
        checkOpen();
        int r = shape.length + 1;
        if (dim < -r || dim >= r) {
            throw new ShapeException("unsqueeze: dimension " + dim + " out of range for a tensor of shape "
                    + Shapes.format(shape) + " (expected in [" + (-r) + ", " + (r - 1) + "])");
        }
        int d = dim < 0 ? dim + r : dim;
        int[] s = new int[r];
        int[] st = new int[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i == d) {
                s[i] = 1;
                st[i] = j < shape.length ? strides[j] * shape[j] : 1;
            } else {
                s[i] = shape[j];
                st[i] = strides[j++];
            }
        }
        return restrided("UnsqueezeBackward", s, st);
    }

    private Tensor restrided(String name, int[] s, int[] st) {
        TensorImpl out = newView(offset, s, st);
        int[] original = shape;
        return record(out, name, g -> new Tensor[] {g.reshape(original)}, this);
    }

    @Override
    public Tensor flatten() {
        return reshape(-1);
    }

    // ---- elementwise ----------------------------------------------------------------------

    private TensorImpl unaryKernel(UnaryOp op, float scalar) {
        checkOpen();
        TensorImpl out = newDense(shape.clone());
        if (numel > 0) {
            backend.unary(op, scalar, stridedView(), out.storage());
            Reference.reachabilityFence(this); // the cleaner must not free operands mid-kernel
        }
        return out;
    }

    private Tensor unary(String name, UnaryOp op, float scalar, Saves saves,
                         java.util.function.BiFunction<Tensor, Tensor, Tensor> grad) {
        TensorImpl out = unaryKernel(op, scalar);
        Tensor[] saved = switch (saves) {
            case NONE -> NO_SAVED;
            case INPUT -> new Tensor[] {this};
            case OUTPUT -> new Tensor[] {out};
        };
        return record(out, name, saved, g -> new Tensor[] {grad.apply(g, out)}, this);
    }

    @Override
    public Tensor neg() {
        return unary("NegBackward", UnaryOp.NEG, 0f, Saves.NONE, (g, out) -> g.neg());
    }

    @Override
    public Tensor abs() {
        return unary("AbsBackward", UnaryOp.ABS, 0f, Saves.INPUT, (g, out) -> g.mul(this.sign()));
    }

    @Override
    public Tensor relu() {
        return unary("ReluBackward", UnaryOp.RELU, 0f, Saves.OUTPUT, (g, out) -> g.mul(out.gt(0f)));
    }

    @Override
    public Tensor exp() {
        return unary("ExpBackward", UnaryOp.EXP, 0f, Saves.OUTPUT, (g, out) -> g.mul(out));
    }

    @Override
    public Tensor log() {
        return unary("LogBackward", UnaryOp.LOG, 0f, Saves.INPUT, (g, out) -> g.div(this));
    }

    @Override
    public Tensor sqrt() {
        return unary("SqrtBackward", UnaryOp.SQRT, 0f, Saves.OUTPUT, (g, out) -> g.div(out.mul(2f)));
    }

    @Override
    public Tensor sign() {
        return unaryKernel(UnaryOp.SIGN, 0f);
    }

    @Override
    public Tensor add(float value) {
        return unary("AddBackward", UnaryOp.ADD_SCALAR, value, Saves.NONE, (g, out) -> g);
    }

    @Override
    public Tensor sub(float value) {
        return unary("SubBackward", UnaryOp.ADD_SCALAR, -value, Saves.NONE, (g, out) -> g);
    }

    @Override
    public Tensor mul(float value) {
        return unary("MulBackward", UnaryOp.MUL_SCALAR, value, Saves.NONE, (g, out) -> g.mul(value));
    }

    @Override
    public Tensor div(float value) {
        return unary("DivBackward", UnaryOp.DIV_SCALAR, value, Saves.NONE, (g, out) -> g.div(value));
    }

    @Override
    public Tensor pow(float exponent) {
        return unary("PowBackward", UnaryOp.POW_SCALAR, exponent, Saves.INPUT, (g, out) -> exponent == 0f
                ? g.mul(0f)
                : g.mul(this.pow(exponent - 1f)).mul(exponent));
    }

    @Override
    public Tensor gt(float value) {
        return unaryKernel(UnaryOp.GT_SCALAR, value);
    }

    @Override
    public Tensor ge(float value) {
        return unaryKernel(UnaryOp.GE_SCALAR, value);
    }

    @Override
    public Tensor lt(float value) {
        return unaryKernel(UnaryOp.LT_SCALAR, value);
    }

    @Override
    public Tensor le(float value) {
        return unaryKernel(UnaryOp.LE_SCALAR, value);
    }

    @Override
    public Tensor eq(float value) {
        return unaryKernel(UnaryOp.EQ_SCALAR, value);
    }

    @Override
    public Tensor ne(float value) {
        return unaryKernel(UnaryOp.NE_SCALAR, value);
    }

    @Override
    public Tensor gt(Tensor other) {
        return binaryKernel("gt", BinaryOp.GT, other);
    }

    @Override
    public Tensor lt(Tensor other) {
        return binaryKernel("lt", BinaryOp.LT, other);
    }

    @Override
    public Tensor eq(Tensor other) {
        return binaryKernel("eq", BinaryOp.EQ, other);
    }

    private TensorImpl binaryKernel(String op, BinaryOp kind, Tensor other) {
        TensorImpl o = operand(op, other);
        int[] target = Shapes.broadcast(op, shape, o.shape);
        TensorImpl out = newDense(target);
        if (out.numel > 0) {
            backend.binary(kind, viewAs(target), o.viewAs(target), out.storage());
            Reference.reachabilityFence(this); // the cleaner must not free operands mid-kernel
            Reference.reachabilityFence(o); // the cleaner must not free operands mid-kernel
        }
        return out;
    }

    private Tensor binary(String name, BinaryOp kind, Tensor other, BinaryGrad grad) {
        return binary(name, kind, other, false, false, grad);
    }

    private Tensor binary(String name, BinaryOp kind, Tensor other, boolean savesOperands, boolean savesOutput,
                          BinaryGrad grad) {
        TensorImpl out = binaryKernel(name, kind, other);
        int[] sa = shape;
        int[] sb = other.shape();
        Tensor self = this;
        Tensor[] saved = savesOperands && savesOutput ? new Tensor[] {this, other, out}
                : savesOperands ? new Tensor[] {this, other} : savesOutput ? new Tensor[] {out} : NO_SAVED;
        return record(out, name + "Backward", saved, g -> {
            Tensor[] gs = grad.apply(g, self, other, out);
            return new Tensor[] {
                gs[0] == null || !self.requiresGrad() ? null : sumTo(gs[0], sa),
                gs[1] == null || !other.requiresGrad() ? null : sumTo(gs[1], sb)
            };
        }, this, other);
    }

    /** Gradients of a binary op with respect to both inputs, before reduction to their shapes. */
    @FunctionalInterface
    private interface BinaryGrad {
        Tensor[] apply(Tensor g, Tensor a, Tensor b, Tensor out);
    }

    @Override
    public Tensor add(Tensor other) {
        return binary("Add", BinaryOp.ADD, other, (g, a, b, out) -> new Tensor[] {g, g});
    }

    @Override
    public Tensor sub(Tensor other) {
        return binary("Sub", BinaryOp.SUB, other, (g, a, b, out) -> new Tensor[] {g, b.requiresGrad() ? g.neg() : null});
    }

    @Override
    public Tensor mul(Tensor other) {
        return binary("Mul", BinaryOp.MUL, other, true, false, (g, a, b, out) -> new Tensor[] {
            a.requiresGrad() ? g.mul(b) : null, b.requiresGrad() ? g.mul(a) : null});
    }

    @Override
    public Tensor div(Tensor other) {
        return binary("Div", BinaryOp.DIV, other, true, false, (g, a, b, out) -> new Tensor[] {
            a.requiresGrad() ? g.div(b) : null, b.requiresGrad() ? g.mul(a).div(b.mul(b)).neg() : null});
    }

    @Override
    public Tensor pow(Tensor exponent) {
        // as PyTorch: no gradient flows to the base where the exponent is 0, nor to the exponent where
        // the base is 0 and the exponent >= 0 (shifting those entries avoids 0 * inf = NaN)
        return binary("Pow", BinaryOp.POW, exponent, true, true, (g, a, b, out) -> new Tensor[] {
            a.requiresGrad() ? g.mul(b).mul(a.pow(b.sub(1f).add(b.eq(0f)))) : null,
            b.requiresGrad() ? g.mul(out).mul(a.add(a.eq(0f).mul(b.ge(0f))).log()) : null});
    }

    @Override
    public Tensor maximum(Tensor other) {
        return binary("Maximum", BinaryOp.MAXIMUM, other, true, false, (g, a, b, out) -> extremumGrad(g, a, b, BinaryOp.GT));
    }

    @Override
    public Tensor minimum(Tensor other) {
        return binary("Minimum", BinaryOp.MINIMUM, other, true, false, (g, a, b, out) -> extremumGrad(g, a, b, BinaryOp.LT));
    }

    /** Where a wins the comparison the gradient goes to a, where b wins to b, and ties split it evenly (PyTorch). */
    private static Tensor[] extremumGrad(Tensor g, Tensor a, Tensor b, BinaryOp wins) {
        TensorImpl ai = impl(a);
        Tensor aWins = ai.binaryKernel("compare", wins, b);
        Tensor tie = ai.binaryKernel("compare", BinaryOp.EQ, b).mul(0.5f);
        Tensor maskA = aWins.add(tie);
        Tensor maskB = maskA.neg().add(1f);
        return new Tensor[] {g.mul(maskA), g.mul(maskB)};
    }

    // ---- reductions -----------------------------------------------------------------------

    /** Reduces one dimension with the backend; returns a tensor without that dimension. */
    private TensorImpl reduceKernel(String op, ReduceOp kind, int dim) {
        checkOpen();
        int d = Shapes.wrapDim(op, dim, shape.length);
        if (shape.length == 0) {
            TensorImpl out = newDense(new int[0]);
            if (kind == ReduceOp.ARGMAX || kind == ReduceOp.ARGMIN) {
                backend.fill(out.storage(), 0, 1, 0f);
            } else {
                backend.unary(UnaryOp.IDENTITY, 0f, stridedView(), out.storage());
                Reference.reachabilityFence(this); // the cleaner must not free operands mid-kernel
            }
            return out;
        }
        if (shape[d] == 0 && kind != ReduceOp.SUM) {
            throw new ShapeException(op + ": cannot reduce over dimension " + d + " of size 0 (shape "
                    + Shapes.format(shape) + ") since the operation has no identity");
        }
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != d) {
                s[j++] = shape[i];
            }
        }
        TensorImpl out = newDense(s);
        if (out.numel > 0) {
            backend.reduce(kind, stridedView(), d, out.storage());
            Reference.reachabilityFence(this); // the cleaner must not free operands mid-kernel
        }
        return out;
    }

    /** All-element reduction as a 0-dim tensor. */
    private TensorImpl reduceAll(String op, ReduceOp kind) {
        checkOpen();
        if (numel == 0 && kind != ReduceOp.SUM) {
            throw new ShapeException(op + "(): cannot reduce an empty tensor of shape " + Shapes.format(shape));
        }
        if (shape.length == 1) {
            return reduceKernel(op, kind, 0);
        }
        try (var g = GradMode.noGrad()) {
            TensorImpl flat = (TensorImpl) (isContiguous() ? viewUnchecked("View", new int[] {numel}) : copy().view(numel));
            return flat.reduceKernel(op, kind, 0);
        }
    }

    private Tensor keepDims(Tensor reduced, int d, boolean keepdim) {
        return keepdim ? reduced.unsqueeze(d) : reduced;
    }

    @Override
    public Tensor sum() {
        TensorImpl out = reduceAll("sum", ReduceOp.SUM);
        int[] original = shape;
        return record(out, "SumBackward", g -> new Tensor[] {g.expand(original)}, this);
    }

    @Override
    public Tensor sum(int dim, boolean keepdim) {
        int d = Shapes.wrapDim("sum", dim, shape.length);
        TensorImpl out = reduceKernel("sum", ReduceOp.SUM, d);
        int[] original = shape;
        Tensor rec = record(out, "SumBackward", g -> new Tensor[] {
            (shape.length == 0 ? g : g.unsqueeze(d)).expand(original)}, this);
        return shape.length == 0 ? rec : keepDims(rec, d, keepdim);
    }

    @Override
    public Tensor sum(int[] dims, boolean keepdim) {
        int r = shape.length;
        if (dims.length == 0) { // as PyTorch's sum(dim=[]): every dimension
            int[] all = new int[r];
            for (int i = 0; i < r; i++) {
                all[i] = i;
            }
            return r == 0 ? sum() : sum(all, keepdim);
        }
        boolean[] chosen = new boolean[Math.max(r, 1)];
        for (int dim : dims) {
            int d = Shapes.wrapDim("sum", dim, r);
            if (chosen[d]) {
                throw new ShapeException("sum: dimension " + d + " appears more than once in " + Shapes.format(dims));
            }
            chosen[d] = true;
        }
        Tensor t = this;
        for (int d = r - 1; d >= 0; d--) {
            if (chosen[d]) {
                t = t.sum(d, keepdim);
            }
        }
        return t;
    }

    @Override
    public Tensor mean() {
        if (numel == 0) {
            return sum().div(0f);
        }
        return sum().div((float) numel);
    }

    @Override
    public Tensor mean(int dim, boolean keepdim) {
        int d = Shapes.wrapDim("mean", dim, shape.length);
        int n = shape.length == 0 ? 1 : shape[d];
        return sum(d, keepdim).div((float) n);
    }

    @Override
    public Tensor max() {
        return extremeAll("max", ReduceOp.MAX);
    }

    @Override
    public Tensor min() {
        return extremeAll("min", ReduceOp.MIN);
    }

    /** max()/min() over all elements; the gradient is shared evenly among ties, as in PyTorch. */
    private Tensor extremeAll(String op, ReduceOp kind) {
        TensorImpl out = reduceAll(op, kind);
        return record(out, op.equals("max") ? "MaxBackward" : "MinBackward", new Tensor[] {this, out}, g -> {
            Tensor mask = ((TensorImpl) this).binaryKernel("compare", BinaryOp.EQ, out);
            return new Tensor[] {mask.mul(g.div(mask.sum()))};
        }, this);
    }

    @Override
    public Tensor max(int dim, boolean keepdim) {
        return extremeDim("max", ReduceOp.MAX, ReduceOp.ARGMAX, dim, keepdim);
    }

    @Override
    public Tensor min(int dim, boolean keepdim) {
        return extremeDim("min", ReduceOp.MIN, ReduceOp.ARGMIN, dim, keepdim);
    }

    /** max/min along a dimension; the gradient goes to the (first) index that was chosen, as in PyTorch. */
    private Tensor extremeDim(String op, ReduceOp kind, ReduceOp argKind, int dim, boolean keepdim) {
        int d = Shapes.wrapDim(op, dim, shape.length);
        TensorImpl out = reduceKernel(op, kind, d);
        if (shape.length == 0) {
            return record(out, "MaxBackward", g -> new Tensor[] {g}, this);
        }
        int[] original = shape;
        // the chosen indices are saved now, as PyTorch does, not recomputed from later values
        Tensor saved = GradMode.isEnabled() && requiresGrad ? TensorScope.forget(reduceKernel(op, argKind, d)) : null;
        Tensor rec = record(out, op.equals("max") ? "MaxBackward" : "MinBackward", g -> {
            Tensor idx = saved.unsqueeze(d);
            int[] along = new int[original.length];
            Arrays.fill(along, 1);
            along[d] = original[d];
            Tensor positions = Tensor.arange(original[d]).to(device).reshape(along);
            Tensor oneHot = ((TensorImpl) positions).binaryKernel("compare", BinaryOp.EQ, idx);
            return new Tensor[] {oneHot.mul(g.unsqueeze(d))};
        }, this);
        return keepDims(rec, d, keepdim);
    }

    @Override
    public Tensor argmax() {
        return reduceAll("argmax", ReduceOp.ARGMAX);
    }

    @Override
    public Tensor argmax(int dim, boolean keepdim) {
        int d = Shapes.wrapDim("argmax", dim, shape.length);
        TensorImpl out = reduceKernel("argmax", ReduceOp.ARGMAX, d);
        return shape.length == 0 ? out : keepDims(out, d, keepdim);
    }

    @Override
    public Tensor argmin(int dim, boolean keepdim) {
        int d = Shapes.wrapDim("argmin", dim, shape.length);
        TensorImpl out = reduceKernel("argmin", ReduceOp.ARGMIN, d);
        return shape.length == 0 ? out : keepDims(out, d, keepdim);
    }

    // ---- linear algebra -------------------------------------------------------------------

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

    private GemmOperand asGemmOperand(int batchDim) {
        int r = shape.length;
        int rows = shape[r - 2];
        int cols = shape[r - 1];
        int bs = batchDim < 0 ? 0 : strides[batchDim];
        return gemmOperand(storage(), offset, rows, cols, strides[r - 2], strides[r - 1], bs);
    }

    /** Batched product of 3-D operands with equal batch size: the GEMM primitive behind mm, bmm and matmul. */
    private Tensor gemm(String op, TensorImpl a, TensorImpl b, boolean batched) {
        int batch = batched ? a.shape[0] : 1;
        int m = a.shape[a.shape.length - 2];
        int k = a.shape[a.shape.length - 1];
        int n = b.shape[b.shape.length - 1];
        TensorImpl out = newDense(batched ? new int[] {batch, m, n} : new int[] {m, n});
        if (out.numel > 0) {
            if (k == 0) {
                backend.fill(out.storage(), 0, out.numel, 0f);
            } else {
                TensorImpl ac = a;
                TensorImpl bc = b;
                GemmOperand ga = a.asGemmOperand(batched ? 0 : -1);
                GemmOperand gb = b.asGemmOperand(batched ? 0 : -1);
                try (var g = GradMode.noGrad()) {
                    if (ga == null) {
                        ac = (TensorImpl) a.copy();
                        ga = ac.asGemmOperand(batched ? 0 : -1);
                    }
                    if (gb == null) {
                        bc = (TensorImpl) b.copy();
                        gb = bc.asGemmOperand(batched ? 0 : -1);
                    }
                }
                GemmOperand gc = new GemmOperand(out.storage(), 0, n, false, m * n);
                backend.gemm(batch, m, n, k, ga, gb, gc, Epilogue.NONE);
                Reference.reachabilityFence(a); // the cleaner must not free operands mid-kernel
                Reference.reachabilityFence(b); // the cleaner must not free operands mid-kernel
                Reference.reachabilityFence(ac); // the cleaner must not free operands mid-kernel
                Reference.reachabilityFence(bc); // the cleaner must not free operands mid-kernel
                if (ac != a) {
                    ac.close();
                }
                if (bc != b) {
                    bc.close();
                }
            }
        }
        return record(out, op, new Tensor[] {a, b}, g -> new Tensor[] {
            a.requiresGrad() ? (batched ? g.bmm(b.transpose(1, 2)) : g.mm(b.t())) : null,
            b.requiresGrad() ? (batched ? a.transpose(1, 2).bmm(g) : a.t().mm(g)) : null}, a, b);
    }

    @Override
    public Tensor mm(Tensor other) {
        TensorImpl o = operand("mm", other);
        if (shape.length != 2 || o.shape.length != 2) {
            throw new ShapeException("mm: expects two 2-D matrices, got shapes " + Shapes.format(shape) + " and "
                    + Shapes.format(o.shape));
        }
        if (shape[1] != o.shape[0]) {
            throw new ShapeException("mm: shapes " + Shapes.format(shape) + " and " + Shapes.format(o.shape)
                    + " cannot be multiplied (" + shape[0] + "x" + shape[1] + " and " + o.shape[0] + "x" + o.shape[1] + ")");
        }
        return gemm("MmBackward", this, o, false);
    }

    @Override
    public Tensor bmm(Tensor other) {
        TensorImpl o = operand("bmm", other);
        if (shape.length != 3 || o.shape.length != 3) {
            throw new ShapeException("bmm: expects two 3-D batches, got shapes " + Shapes.format(shape) + " and "
                    + Shapes.format(o.shape));
        }
        if (shape[0] != o.shape[0] || shape[2] != o.shape[1]) {
            throw new ShapeException("bmm: shapes " + Shapes.format(shape) + " and " + Shapes.format(o.shape)
                    + " cannot be multiplied (batch sizes must match and " + shape[2] + " must equal " + o.shape[1] + ")");
        }
        return gemm("BmmBackward", this, o, true);
    }

    @Override
    public Tensor matmul(Tensor other) {
        TensorImpl o = operand("matmul", other);
        int ra = shape.length;
        int rb = o.shape.length;
        if (ra == 0 || rb == 0) {
            throw new ShapeException("matmul: both arguments need at least 1 dimension, got shapes "
                    + Shapes.format(shape) + " and " + Shapes.format(o.shape));
        }
        int ka = shape[ra - 1];
        int kb = rb == 1 ? o.shape[0] : o.shape[rb - 2];
        if (ka != kb) {
            throw new ShapeException("matmul: shapes " + Shapes.format(shape) + " and " + Shapes.format(o.shape)
                    + " cannot be multiplied (" + ka + " != " + kb + ")");
        }
        if (ra == 1 && rb == 1) {
            return unsqueeze(0).mm(o.unsqueeze(1)).reshape();
        }
        if (ra == 2 && rb == 1) {
            return mm(o.unsqueeze(1)).squeeze(1);
        }
        if (ra == 1 && rb == 2) {
            return unsqueeze(0).mm(o).squeeze(0);
        }
        if (ra == 2 && rb == 2) {
            return mm(o);
        }
        if (rb <= 2) {
            // fold the batch dimensions of the left operand into the rows of one product
            Tensor b2 = rb == 1 ? o.unsqueeze(1) : o;
            int[] outShape = shape.clone();
            outShape[ra - 1] = b2.shape()[1];
            // explicit row count: reshape(-1, 0) cannot infer -1 when the inner dimension is 0
            int rows = Shapes.numel(Arrays.copyOf(shape, ra - 1));
            Tensor folded = reshape(rows, ka).mm(b2).reshape(outShape);
            return rb == 1 ? folded.squeeze(-1) : folded;
        }
        Tensor a = ra == 1 ? unsqueeze(0) : this;
        int[] as = a.shape();
        int[] bs = o.shape();
        int[] batchA = Arrays.copyOf(as, as.length - 2);
        int[] batchB = Arrays.copyOf(bs, bs.length - 2);
        int[] batch;
        try {
            batch = Shapes.broadcast("matmul", batchA, batchB);
        } catch (ShapeException e) {
            throw new ShapeException("matmul: the batch dimensions of shapes " + Shapes.format(shape) + " and "
                    + Shapes.format(o.shape) + " cannot be broadcast together (" + e.getMessage() + ")");
        }
        int batchCount = Shapes.numel(batch);
        int m = as[as.length - 2];
        int n = bs[bs.length - 1];
        Tensor a3 = a.expand(concat(batch, as[as.length - 2], as[as.length - 1])).reshape(batchCount, m, ka);
        Tensor b3 = o.expand(concat(batch, bs[bs.length - 2], n)).reshape(batchCount, ka, n);
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
     * PyTorch's {@code F.linear} (and {@code relu(F.linear(...))}). {@code input} is {@code [..., in]},
     * {@code weight} {@code [out, in]}, {@code bias} {@code [out]} or null.
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias, boolean relu) {
        TensorImpl x = impl(input);
        x.checkOpen();
        TensorImpl w = x.operand("linear", weight);
        TensorImpl b = bias == null ? null : x.operand("linear", bias);
        if (w.shape.length != 2) {
            throw new ShapeException("linear: weight must be 2-D [out_features, in_features], got "
                    + Shapes.format(w.shape));
        }
        int outF = w.shape[0];
        int inF = w.shape[1];
        if (x.shape.length == 0 || x.shape[x.shape.length - 1] != inF) {
            throw new ShapeException("linear: expected input with last dimension " + inF + " (in_features), got shape "
                    + Shapes.format(x.shape));
        }
        if (b != null && (b.shape.length != 1 || b.shape[0] != outF)) {
            throw new ShapeException("linear: bias must have shape [" + outF + "], got " + Shapes.format(b.shape));
        }
        if (b != null && (!b.isContiguous())) {
            b = (TensorImpl) b.contiguous();
        }
        int[] outShape = x.shape.clone();
        outShape[outShape.length - 1] = outF;
        int rows = x.numel / Math.max(inF, 1);
        if (inF == 0) {
            rows = Shapes.numel(Arrays.copyOf(x.shape, x.shape.length - 1));
        }
        TensorImpl x2 = x;
        boolean ownX2 = false;
        if (x.shape.length != 2 || (!x.isContiguous() && x.asGemmOperand(-1) == null)) {
            try (var g = GradMode.noGrad()) {
                x2 = (TensorImpl) x.reshape(rows, inF);
                ownX2 = x2 != x;
            }
        }
        TensorImpl out = x.newDense(outShape);
        if (out.numel > 0) {
            if (inF == 0) {
                x.backend.fill(out.storage(), 0, out.numel, 0f);
                if (b != null || relu) {
                    try (var g = GradMode.noGrad(); TensorImpl zero = (TensorImpl) out.copy()) {
                        Tensor r = b == null ? zero : zero.add(b);
                        out.copyFrom(relu ? r.relu() : r);
                    }
                }
            } else {
                GemmOperand ga = x2.asGemmOperand(-1);
                GemmOperand gw = w.asGemmOperand(-1);
                TensorImpl wc = w;
                if (ga == null) {
                    try (var g = GradMode.noGrad()) {
                        x2 = (TensorImpl) x2.copy();
                    }
                    ownX2 = true;
                    ga = x2.asGemmOperand(-1);
                }
                if (gw == null) {
                    try (var g = GradMode.noGrad()) {
                        wc = (TensorImpl) w.copy();
                    }
                    gw = wc.asGemmOperand(-1);
                }
                // weight^T: the [out, in] matrix read as [in, out] flips the transpose flag
                GemmOperand gwt = new GemmOperand(gw.storage(), gw.offset(), gw.ld(), !gw.transposed(), 0);
                Epilogue epi = new Epilogue(b == null ? null : b.storage(), b == null ? 0 : b.offset, relu);
                x.backend.gemm(1, rows, outF, inF, ga, gwt,
                        new GemmOperand(out.storage(), 0, outF, false, 0), epi);
                Reference.reachabilityFence(x);
                Reference.reachabilityFence(w);
                Reference.reachabilityFence(x2);
                Reference.reachabilityFence(b);
                if (wc != w) {
                    wc.close();
                }
            }
        }
        if (ownX2) {
            x2.close();
        }
        int[] inShape = x.shape;
        TensorImpl bias0 = b;
        Tensor[] savedForLinear = relu ? new Tensor[] {x, w, out} : new Tensor[] {x, w};
        return record(out, relu ? "LinearReluBackward" : "LinearBackward", savedForLinear, g -> {
            Tensor gg = relu ? g.mul(out.gt(0f)) : g;
            int gRows = Shapes.numel(Arrays.copyOf(inShape, inShape.length - 1));
            Tensor g2 = gg.reshape(gRows, outF);
            Tensor gx = x.requiresGrad() ? g2.mm(w).reshape(inShape) : null;
            Tensor gw2 = w.requiresGrad() ? g2.t().mm(x.reshape(gRows, inF)) : null;
            Tensor gb = bias0 != null && bias0.requiresGrad() ? g2.sum(0, false) : null;
            return new Tensor[] {gx, gw2, gb};
        }, x, w, b);
    }

    // ---- autograd -------------------------------------------------------------------------

    @Override
    public boolean requiresGrad() {
        return requiresGrad;
    }

    @Override
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new CairnException("requiresGrad(false): only leaf tensors can change requires_grad; "
                    + "use detach() for a non-leaf (made by " + gradFn.name() + ")");
        }
        requiresGrad = value;
        return this;
    }

    @Override
    public Tensor grad() {
        return grad;
    }

    @Override
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape(), shape)) {
            throw new ShapeException("setGrad: gradient of shape " + Shapes.format(g.shape())
                    + " does not match the tensor's shape " + Shapes.format(shape));
        }
        grad = g == null ? null : TensorScope.forget(g); // a gradient lives as long as its tensor, not a scope
    }

    @Override
    public GradNode gradFn() {
        return gradFn;
    }

    @Override
    public boolean isLeaf() {
        return gradFn == null;
    }

    @Override
    public void backward() {
        checkOpen();
        if (numel != 1) {
            throw new CairnException("backward(): grad can be implicitly created only for one-element outputs, got shape "
                    + Shapes.format(shape) + "; pass a gradient of that shape");
        }
        try (var g = GradMode.noGrad()) {
            backward(full(device, 1f, shape.clone()));
        }
    }

    @Override
    public void backward(Tensor gradient) {
        checkOpen();
        operand("backward", gradient);
        Engine.backward(this, gradient);
    }

    @Override
    public Tensor detach() {
        checkOpen();
        return newView(offset, shape, strides);
    }

    @Override
    public String toString() {
        if (closed) {
            return "tensor(<closed>, shape=" + Shapes.format(shape) + ", device='" + device + "')";
        }
        return TensorFormat.format(this);
    }
}
