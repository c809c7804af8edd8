package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.autograd.Engine;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.RandomOp;
import dev.cairn.autograd.GradMode;
import dev.cairn.autograd.GradNode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array of numbers on one device, with PyTorch's semantics: NumPy broadcasting,
 * 0-dim scalars, views that share memory, and autograd. This class is the one public face of every
 * op; a tensor is a handle over a body (storage, offset, shape, strides, device) that the ops read,
 * as {@code at::Tensor} over {@code TensorImpl} in PyTorch. {@link dev.cairn.nn.Parameter} and
 * {@link dev.cairn.nn.Buffer} are kinds of tensor whose body their module swaps (device moves,
 * state-dict loads) while their identity stays.
 *
 * <p>Primitive ops are implemented by op family ({@code ShapeOps}, {@code Pointwise},
 * {@code Reductions}, {@code LinearAlgebra}, {@code Indexing}), each recording its own gradient;
 * composite ops (softmax, GELU, var, ...) are written here once from other ops, so they are
 * differentiable and run on every device without code of their own.
 *
 * <p>Tensors hold device memory, which the garbage collector does not see: close them (or use a
 * {@link TensorScope}) when done. A tensor nobody closed is freed by a cleaner eventually.
 *
 * <p>Threads: reading a tensor (any op that does not write it) from several threads at once is safe.
 * Writing ({@link #copyFrom}, optimizers, state-dict loads) while other threads read is not: the
 * readers may see old, new or mixed values. Autograd metadata ({@code grad}, {@code requiresGrad})
 * is not synchronized beyond what {@link Engine} documents for gradient accumulation.
 *
 * <p>Dimensions may be negative, counting from the end, as in PyTorch.
 */
public class Tensor implements AutoCloseable {
    private volatile TensorBody body;
    private static final VarHandle BODY;

    static {
        try {
            BODY = MethodHandles.lookup().findVarHandle(Tensor.class, "body", TensorBody.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private boolean requiresGrad;
    private Tensor grad;
    private GradNode gradFn;
    /** Set by {@link TensorScope#forget}: no scope closes this tensor. */
    private boolean scopeExempt;

    /** A tensor over {@code body}, registered with the innermost open {@link TensorScope}. */
    Tensor(TensorBody body) {
        // a release store, not a volatile write: the latter is a full fence on x86 (a locked instruction that
        // waits for the store buffer to drain), paid by every tensor an op makes
        BODY.setRelease(this, body);
        TensorScope.register(this);
    }

    /**
     * For kinds of tensor that get their memory later ({@link dev.cairn.nn.Parameter},
     * {@link dev.cairn.nn.Buffer}): no body yet, and no scope ever closes it.
     */
    protected Tensor() {
        this.scopeExempt = true;
    }

    // ---- the body -------------------------------------------------------------------------

    /** The body, for reading metadata (works on a closed tensor). */
    final TensorBody rawBody() {
        TensorBody b = body;
        if (b == null) {
            throw new CairnException(missingBodyMessage());
        }
        return b;
    }

    /** The body, for reading or writing values: an error when the tensor is closed. */
    final TensorBody body() {
        TensorBody b = rawBody();
        if (b.isClosed()) {
            throw new CairnException("tensor of shape " + Shapes.format(b.shape) + " on " + b.device
                    + " has been closed; it cannot be used any more");
        }
        return b;
    }

    /**
     * Makes this tensor stand for {@code source}'s memory and layout (shared, not copied), releasing
     * its old memory: how a parameter or buffer keeps its identity while its module moves it or loads
     * new values. Autograd metadata (requires-grad, gradient) stays with this tensor. The memory is marked
     * {@linkplain dev.cairn.backend.Storage#keepOutOfPool long-lived}.
     */
    protected final void replaceBody(Tensor source) {
        TensorBody next = source.body().share();
        // a parameter's or buffer's memory lives as long as its module: never recycled, so no kernel need claim it
        next.storage().keepOutOfPool();
        TensorBody old = body;
        body = next;
        if (old != null) {
            old.close();
        }
    }

    /** Whether this tensor has memory yet (false only for a lazy module's parameters). */
    protected final boolean hasBody() {
        return body != null;
    }

    /** The error a tensor without memory raises when used; kinds that can lack memory explain why. */
    protected String missingBodyMessage() {
        return "tensor has no memory";
    }

    void exemptFromScopes() {
        scopeExempt = true;
    }

    boolean isExemptFromScopes() {
        return scopeExempt;
    }

    void setGradFn(GradNode node) {
        gradFn = node;
        requiresGrad = true;
    }

    // ---- creation -------------------------------------------------------------------------

    /** A tensor of {@code shape} holding a copy of {@code data} (row-major) on the CPU. */
    public static Tensor of(float[] data, int... shape) {
        return Creation.fromArray(Device.cpu(), data, shape);
    }

    /** A tensor of {@code shape} holding a copy of {@code data} (row-major) on {@code device}. */
    public static Tensor of(Device device, float[] data, int... shape) {
        return Creation.fromArray(device, data, shape);
    }

    /** An int64 tensor of {@code shape} holding a copy of {@code data} (row-major) on the CPU. */
    public static Tensor of(long[] data, int... shape) {
        return Creation.fromArray(Device.cpu(), DType.INT64, data, shape);
    }

    /** An int32 tensor of {@code shape} holding a copy of {@code data} on the CPU. */
    public static Tensor of(int[] data, int... shape) {
        return Creation.fromArray(Device.cpu(), DType.INT32, data, shape);
    }

    /** A bool tensor of {@code shape} holding a copy of {@code data} on the CPU. */
    public static Tensor of(boolean[] data, int... shape) {
        return Creation.fromArray(Device.cpu(), DType.BOOL, data, shape);
    }

    /** A tensor of {@code dtype} and {@code shape} on {@code device} filled with {@code value}. */
    public static Tensor full(Device device, DType dtype, float value, int... shape) {
        return Creation.full(device, dtype, value, shape);
    }

    /** Zeros of {@code dtype} on the CPU. */
    public static Tensor zeros(DType dtype, int... shape) {
        return Creation.full(Device.cpu(), dtype, 0f, shape);
    }

    /** A 1-D tensor holding a copy of {@code data}. */
    public static Tensor vector(float... data) {
        return Creation.fromArray(Device.cpu(), data, data.length);
    }

    /** A 0-dim tensor holding {@code value}. */
    public static Tensor scalar(float value) {
        return Creation.fromArray(Device.cpu(), new float[] {value});
    }

    /** A 0-dim tensor holding {@code value} on {@code device}. */
    public static Tensor scalar(Device device, float value) {
        return Creation.fromArray(device, new float[] {value});
    }

    public static Tensor zeros(int... shape) {
        return Creation.full(Device.cpu(), 0f, shape);
    }

    public static Tensor zeros(Device device, int... shape) {
        return Creation.full(device, 0f, shape);
    }

    public static Tensor ones(int... shape) {
        return Creation.full(Device.cpu(), 1f, shape);
    }

    public static Tensor ones(Device device, int... shape) {
        return Creation.full(device, 1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        return Creation.full(Device.cpu(), value, shape);
    }

    public static Tensor full(Device device, float value, int... shape) {
        return Creation.full(device, value, shape);
    }

    /**
     * Uniform in [0, 1) on the CPU from the default generator's host stream, like {@code torch.rand} (see
     * {@link Generator}: {@link #rand(Device, int...)} draws from the counter-based stream instead).
     */
    public static Tensor rand(int... shape) {
        return rand(Generator.global(), shape);
    }

    /** Uniform in [0, 1) on the CPU from {@code generator}'s host stream. */
    public static Tensor rand(Generator generator, int... shape) {
        float[] data = new float[Shapes.numel(shape)];
        generator.fillUniform(data, 0f, 1f);
        return Creation.fromArray(Device.cpu(), data, shape);
    }

    /** Standard normal on the CPU from the default generator's host stream, like {@code torch.randn}. */
    public static Tensor randn(int... shape) {
        return randn(Generator.global(), shape);
    }

    /** Standard normal on the CPU from {@code generator}'s host stream. */
    public static Tensor randn(Generator generator, int... shape) {
        float[] data = new float[Shapes.numel(shape)];
        generator.fillNormal(data, 0f, 1f);
        return Creation.fromArray(Device.cpu(), data, shape);
    }

    /** Uniform in [0, 1), made on {@code device} from the default generator's counter-based stream. */
    public static Tensor rand(Device device, int... shape) {
        return rand(Generator.global(), device, shape);
    }

    /**
     * Uniform in [0, 1), made on {@code device} from {@code generator}'s counter-based stream (Philox), like
     * {@code torch.rand(..., device=d, generator=g)}: no host transfer, and the same numbers, bit for bit, on
     * every device (the CPU included) for the same seed and draw order. These are not the numbers of
     * {@link #rand(Generator, int...)}, which draws from the host stream (see {@link Generator}).
     */
    public static Tensor rand(Generator generator, Device device, int... shape) {
        return RandomOps.random("rand", RandomOp.UNIFORM, generator, device, 0f, 1f, shape);
    }

    /** Standard normal, made on {@code device} from the default generator's counter-based stream. */
    public static Tensor randn(Device device, int... shape) {
        return randn(Generator.global(), device, shape);
    }

    /**
     * Standard normal, made on {@code device} from {@code generator}'s counter-based stream (Box-Muller over
     * Philox), like {@code torch.randn(..., device=d, generator=g)}: no host transfer, and the same numbers on
     * every device to within a float ulp (device math libraries round {@code log}, {@code sin}, {@code cos}
     * differently, rarely enough to show in one element in many thousands).
     */
    public static Tensor randn(Generator generator, Device device, int... shape) {
        return RandomOps.random("randn", RandomOp.NORMAL, generator, device, 0f, 1f, shape);
    }

    /** {@code [0, 1, ..., end-1]}. */
    public static Tensor arange(float end) {
        return arange(0, end, 1);
    }

    /** {@code [start, start+step, ...)} up to but excluding {@code end}, like {@code torch.arange}. */
    public static Tensor arange(float start, float end, float step) {
        // PyTorch 1.13's rules (RangeFactories.cpp), in its order
        if (step == 0 || Float.isNaN(step)) {
            throw new CairnException("arange: step must be nonzero, got " + step);
        }
        if (!Float.isFinite(start) || !Float.isFinite(end)) {
            throw new CairnException("arange: unsupported range: " + start + " -> " + end
                    + " (start and end must be finite numbers)");
        }
        if (step > 0 ? end < start : end > start) {
            throw new CairnException("arange: upper bound and larger bound inconsistent with step sign: start "
                    + start + ", end " + end + ", step " + step + " (a " + (step > 0 ? "positive" : "negative")
                    + " step needs end " + (step > 0 ? ">=" : "<=") + " start)");
        }
        double count = Math.ceil((end - (double) start) / step);
        if (count > Integer.MAX_VALUE) {
            throw new CairnException("arange: invalid size, possible overflow: " + count + " elements from "
                    + start + " to " + end + " by " + step);
        }
        int n = (int) Math.max(0, count);
        // float rounding can make the count overshoot by one (arange(0, 0.3f, 0.1f)): never include end
        while (n > 0 && (step > 0 ? (float) (start + (double) (n - 1) * step) >= end
                : (float) (start + (double) (n - 1) * step) <= end)) {
            n--;
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) (start + (double) i * step);
        }
        return Creation.fromArray(Device.cpu(), data, n);
    }

    // ---- metadata -------------------------------------------------------------------------

    /** The sizes of each dimension (a copy); empty for a 0-dim scalar. */
    public int[] shape() {
        return rawBody().shape.clone();
    }

    /** Size of dimension {@code dim} (negative counts from the end). */
    public int size(int dim) {
        int[] s = rawBody().shape;
        return s[Shapes.wrapDim("size", dim, s.length)];
    }

    /** Number of dimensions (0 for a scalar). */
    public int dim() {
        return rawBody().shape.length;
    }

    /** Number of elements. */
    public int numel() {
        return rawBody().numel;
    }

    public DType dtype() {
        return rawBody().dtype;
    }

    public Device device() {
        return rawBody().device;
    }

    /** Element strides of each dimension (a copy). */
    public int[] strides() {
        return rawBody().strides.clone();
    }

    /** Whether elements are laid out densely in row-major order. */
    public boolean isContiguous() {
        return rawBody().contiguous;
    }

    /** Whether {@link #copyFrom} can write into this tensor: open, dense, and owning all of its memory. */
    public boolean isWritableInPlace() {
        TensorBody b = body;
        return b != null && b.ownsDenseMemory();
    }

    // ---- data and devices -----------------------------------------------------------------

    /** The value of a one-element tensor; synchronizes with the device. */
    public float item() {
        return Creation.item(this);
    }

    /** The elements in row-major order, copied to the host. */
    public float[] toFloatArray() {
        return Creation.toFloatArray(this);
    }

    /** The elements converted to int64 (floats truncate toward zero), in row-major order. */
    public long[] toLongArray() {
        return (long[]) Creation.toHostArray(this, DType.INT64);
    }

    /** The elements converted to int32, in row-major order. */
    public int[] toIntArray() {
        return (int[]) Creation.toHostArray(this, DType.INT32);
    }

    /** The elements' truth ({@code != 0}), in row-major order. */
    public boolean[] toBooleanArray() {
        return (boolean[]) Creation.toHostArray(this, DType.BOOL);
    }

    /**
     * This tensor converted to {@code dtype} (itself when it already has it), as PyTorch's {@code to(dtype)}:
     * float to integer truncates toward zero, anything to bool is {@code != 0}. No gradient flows through a
     * conversion to or from an integer type.
     */
    public Tensor to(DType dtype) {
        return Creation.toDType(this, dtype);
    }

    /** This tensor on {@code device} (itself when already there). Differentiable. */
    public Tensor to(Device device) {
        return Creation.to(this, device);
    }

    /** A row-major copy when not already contiguous, else itself. */
    public Tensor contiguous() {
        return isContiguous() ? this : copy();
    }

    /** A copy with its own memory. Differentiable. */
    public Tensor copy() {
        return Pointwise.copy(this);
    }

    /**
     * Copies {@code source}'s values into this tensor's memory in place (shapes must match or
     * broadcast), without recording; for parameters and optimizers.
     */
    public Tensor copyFrom(Tensor source) {
        return Pointwise.copyFrom(this, source);
    }

    /** Frees this tensor's hold on its memory; using it afterwards is an error. Idempotent. */
    @Override
    public void close() {
        TensorBody b = body;
        if (b != null) {
            b.close();
        }
        // gradFn stays: backward may still pass through this tensor; only an op that needs its values fails
        grad = null;
    }

    public boolean isClosed() {
        TensorBody b = body;
        return b != null && b.isClosed();
    }

    // ---- shape and views ------------------------------------------------------------------

    /** The same elements with another shape; one size may be -1. A view when the layout allows, else a copy. */
    public Tensor reshape(int... shape) {
        return ShapeOps.reshape(this, shape);
    }

    /** Like {@link #reshape} but never copies: fails when the layout does not allow a view. */
    public Tensor view(int... shape) {
        return ShapeOps.view(this, shape);
    }

    /** Swaps two dimensions (a view). */
    public Tensor transpose(int dim0, int dim1) {
        return ShapeOps.transpose(this, dim0, dim1);
    }

    /** Transpose of a tensor of at most 2 dimensions (a view), like PyTorch's {@code t()}. */
    public Tensor t() {
        if (dim() > 2) {
            throw new ShapeException("t(): expects a tensor with at most 2 dimensions, got shape "
                    + Shapes.format(rawBody().shape) + "; use transpose(dim0, dim1)");
        }
        return dim() < 2 ? this : transpose(0, 1);
    }

    /** Reorders dimensions (a view). */
    public Tensor permute(int... dims) {
        return ShapeOps.permute(this, dims);
    }

    /** Views size-1 dimensions as larger sizes (stride 0), like {@code expand}; -1 keeps a size. */
    public Tensor expand(int... shape) {
        return ShapeOps.expand(this, shape);
    }

    /** Removes every size-1 dimension. */
    public Tensor squeeze() {
        return ShapeOps.squeeze(this);
    }

    /** Removes dimension {@code dim} when it has size 1 (otherwise returns the same shape). */
    public Tensor squeeze(int dim) {
        return ShapeOps.squeeze(this, dim);
    }

    /** Inserts a size-1 dimension at {@code dim}. */
    public Tensor unsqueeze(int dim) {
        return ShapeOps.unsqueeze(this, dim);
    }

    /** A 1-D view or copy of all elements. */
    public Tensor flatten() {
        return reshape(-1);
    }

    /** Dimensions {@code startDim} to the last merged into one, as {@code torch.flatten(x, startDim)}. */
    public Tensor flatten(int startDim) {
        return flatten(startDim, -1);
    }

    /** Dimensions {@code startDim..endDim} (inclusive) merged into one, as {@code torch.flatten(x, s, e)}. */
    public Tensor flatten(int startDim, int endDim) {
        int[] s = shape();
        if (s.length == 0) {
            return reshape(1);
        }
        int a = Shapes.wrapDim("flatten", startDim, s.length);
        int b = Shapes.wrapDim("flatten", endDim, s.length);
        if (a > b) {
            throw new ShapeException("flatten: start_dim " + startDim + " comes after end_dim " + endDim);
        }
        int[] out = new int[s.length - (b - a)];
        System.arraycopy(s, 0, out, 0, a);
        out[a] = Shapes.numel(Arrays.copyOfRange(s, a, b + 1));
        System.arraycopy(s, b + 1, out, a + 1, s.length - b - 1);
        return reshape(out);
    }

    /** The {@code length} elements from {@code start} along {@code dim} (a view). */
    public Tensor narrow(int dim, int start, int length) {
        return ShapeOps.narrow(this, dim, start, length);
    }

    /** PyTorch's {@code x[start:end]} along {@code dim} (a view); bounds clamp like Python slices. */
    public Tensor slice(int dim, int start, int end) {
        return ShapeOps.slice(this, dim, start, end, 1);
    }

    /** PyTorch's {@code x[start:end:step]} along {@code dim} (a view); {@code step > 0}. */
    public Tensor slice(int dim, int start, int end, int step) {
        return ShapeOps.slice(this, dim, start, end, step);
    }

    /** The slice at {@code index} along {@code dim}, without that dimension (a view), as {@code x[index]}. */
    public Tensor select(int dim, int index) {
        return ShapeOps.select(this, dim, index);
    }

    /** Every slice along {@code dim}, each without that dimension (views). */
    public List<Tensor> unbind(int dim) {
        int d = Shapes.wrapDim("unbind", dim, dim());
        Tensor[] out = new Tensor[size(d)];
        for (int i = 0; i < out.length; i++) {
            out[i] = select(d, i);
        }
        return List.of(out);
    }

    /** Views of {@code splitSize} elements along {@code dim} (the last may be shorter). */
    public List<Tensor> split(int splitSize, int dim) {
        if (splitSize <= 0) {
            throw new ShapeException("split: split size must be positive, got " + splitSize);
        }
        int d = Shapes.wrapDim("split", dim, dim());
        int size = size(d);
        int parts = Math.max(1, (size + splitSize - 1) / splitSize);
        Tensor[] out = new Tensor[parts];
        for (int i = 0; i < parts; i++) {
            out[i] = narrow(d, i * splitSize, Math.min(splitSize, size - i * splitSize));
        }
        return List.of(out);
    }

    /** Views of the given sizes along {@code dim}; the sizes must add up to that dimension's size. */
    public List<Tensor> split(int[] sizes, int dim) {
        int d = Shapes.wrapDim("split", dim, dim());
        long total = 0;
        for (int s : sizes) {
            if (s < 0) {
                throw new ShapeException("split: sizes must be non-negative, got " + Shapes.format(sizes));
            }
            total += s;
        }
        if (total != size(d)) {
            throw new ShapeException("split: sizes " + Shapes.format(sizes) + " add up to " + total
                    + " but dimension " + d + " of shape " + Shapes.format(shape()) + " has size " + size(d));
        }
        Tensor[] out = new Tensor[sizes.length];
        for (int i = 0, at = 0; i < sizes.length; at += sizes[i], i++) {
            out[i] = narrow(d, at, sizes[i]);
        }
        return List.of(out);
    }

    /** Up to {@code chunks} views of equal size ({@code ceil(size / chunks)}) along {@code dim}, as PyTorch's chunk. */
    public List<Tensor> chunk(int chunks, int dim) {
        if (chunks <= 0) {
            throw new ShapeException("chunk: number of chunks must be positive, got " + chunks);
        }
        int size = size(dim);
        return split(Math.max(1, (size + chunks - 1) / chunks), dim);
    }

    /** Concatenates {@code tensors} along {@code dim} (they match in every other dimension). */
    public static Tensor cat(int dim, Tensor... tensors) {
        return ShapeOps.cat(dim, tensors);
    }

    public static Tensor cat(int dim, List<? extends Tensor> tensors) {
        return ShapeOps.cat(dim, tensors.toArray(new Tensor[0]));
    }

    /** Joins tensors of one shape along a new dimension {@code dim}. */
    public static Tensor stack(int dim, Tensor... tensors) {
        if (tensors.length == 0) {
            throw new ShapeException("stack: expected a non-empty list of tensors");
        }
        int[] first = tensors[0].shape();
        Tensor[] expanded = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (!Arrays.equals(first, tensors[i].shape())) {
                throw new ShapeException("stack: expects each tensor to be equal size, but got "
                        + Shapes.format(first) + " at entry 0 and " + Shapes.format(tensors[i].shape())
                        + " at entry " + i);
            }
            expanded[i] = tensors[i].unsqueeze(dim);
        }
        return cat(dim, expanded);
    }

    public static Tensor stack(int dim, List<? extends Tensor> tensors) {
        return stack(dim, tensors.toArray(new Tensor[0]));
    }

    /** Splits dimension {@code dim} into {@code sizes} (one may be -1), as PyTorch's unflatten. */
    public Tensor unflatten(int dim, int... sizes) {
        int[] s = shape();
        int d = Shapes.wrapDim("unflatten", dim, s.length);
        int[] out = new int[s.length - 1 + sizes.length];
        System.arraycopy(s, 0, out, 0, d);
        System.arraycopy(sizes, 0, out, d, sizes.length);
        System.arraycopy(s, d + 1, out, d + sizes.length, s.length - d - 1);
        int known = 1;
        int infer = -1;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] == -1) {
                infer = d + i;
            } else {
                known *= sizes[i];
            }
        }
        if (infer >= 0 && known != 0) {
            out[infer] = s[d] / known;
        }
        if (Shapes.numel(Arrays.copyOfRange(out, d, d + sizes.length)) != s[d]) {
            throw new ShapeException("unflatten: sizes " + Shapes.format(sizes) + " do not multiply to the size "
                    + s[d] + " of dimension " + d + " (shape " + Shapes.format(s) + ")");
        }
        return reshape(out);
    }

    /** Moves dimension {@code source} to position {@code destination}, keeping the others in order (a view). */
    public Tensor movedim(int source, int destination) {
        int r = dim();
        int src = Shapes.wrapDim("movedim", source, r);
        int dst = Shapes.wrapDim("movedim", destination, r);
        int[] perm = new int[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i == dst) {
                perm[i] = src;
            } else {
                if (j == src) {
                    j++;
                }
                perm[i] = j++;
            }
        }
        return permute(perm);
    }

    /**
     * Tiles the tensor {@code repeats[i]} times along each dimension, as PyTorch's {@code repeat} (at least
     * as many repeats as dimensions; extra ones add leading dimensions). A copy.
     */
    public Tensor repeat(int... repeats) {
        int[] s = shape();
        if (repeats.length < s.length) {
            throw new ShapeException("repeat: the number of repeats (" + repeats.length + ") can not be smaller "
                    + "than the number of dimensions of the tensor (" + s.length + ", shape " + Shapes.format(s) + ")");
        }
        int lead = repeats.length - s.length;
        int[] padded = new int[repeats.length];
        System.arraycopy(s, 0, padded, lead, s.length);
        Arrays.fill(padded, 0, lead, 1);
        int[] interleaved = new int[2 * repeats.length];
        int[] expanded = new int[2 * repeats.length];
        int[] result = new int[repeats.length];
        for (int i = 0; i < repeats.length; i++) {
            if (repeats[i] < 0) {
                throw new ShapeException("repeat: repeats must be non-negative, got " + Shapes.format(repeats));
            }
            interleaved[2 * i] = 1;
            interleaved[2 * i + 1] = padded[i];
            expanded[2 * i] = repeats[i];
            expanded[2 * i + 1] = padded[i];
            result[i] = repeats[i] * padded[i];
        }
        return reshape(interleaved).expand(expanded).reshape(result);
    }

    /** As {@link #repeat}, but fewer repeats than dimensions repeat the trailing ones (PyTorch's {@code tile}). */
    public Tensor tile(int... reps) {
        int r = dim();
        if (reps.length >= r) {
            return repeat(reps);
        }
        int[] padded = new int[r];
        Arrays.fill(padded, 1);
        System.arraycopy(reps, 0, padded, r - reps.length, reps.length);
        return repeat(padded);
    }

    /** The elements in reverse order along each of {@code dims}, as PyTorch's {@code flip} (a copy). */
    public Tensor flip(int... dims) {
        boolean[] seen = new boolean[Math.max(dim(), 1)];
        Tensor t = this;
        for (int dim : dims) {
            int d = Shapes.wrapDim("flip", dim, dim());
            if (seen[d]) {
                throw new ShapeException("flip: dimension " + d + " appears more than once in " + Shapes.format(dims));
            }
            seen[d] = true;
            int n = size(d);
            long[] reversed = new long[n];
            for (int k = 0; k < n; k++) {
                reversed[k] = n - 1 - k;
            }
            t = t.indexSelect(d, Tensor.of(reversed, n).to(device()));
        }
        return t == this ? copy() : t;
    }

    /** Rotates the elements along {@code dim} by {@code shift} places (wrapping around), as {@code torch.roll}. */
    public Tensor roll(int shift, int dim) {
        int d = Shapes.wrapDim("roll", dim, dim());
        int n = size(d);
        if (n == 0) {
            return copy();
        }
        int s = Math.floorMod(shift, n);
        return s == 0 ? copy() : cat(d, narrow(d, n - s, s), narrow(d, 0, n - s));
    }

    /** The elements of the flattened tensor rotated by {@code shift}, in this tensor's shape ({@code torch.roll} without dims). */
    public Tensor roll(int shift) {
        return flatten().roll(shift, 0).reshape(shape());
    }

    /**
     * The upper triangle of the last two dimensions: elements with {@code column - row >= diagonal} kept,
     * the others 0 (exact zeros, whatever the values), as {@code torch.triu}.
     */
    public Tensor triu(int diagonal) {
        return Tensor.where(columns("triu").ge(rowsPlus(diagonal)), this, Tensor.zeros(device()));
    }

    /** The lower triangle of the last two dimensions: {@code column - row <= diagonal} kept, as {@code torch.tril}. */
    public Tensor tril(int diagonal) {
        return Tensor.where(columns("tril").le(rowsPlus(diagonal)), this, Tensor.zeros(device()));
    }

    /**
     * The column numbers of the last dimension as a [1, columns] float tensor: compared with {@link #rowsPlus}
     * ({@code column <= row + diagonal}, exact in float for any size a tensor can have) they give the triangle's
     * mask in one broadcast comparison, without a [rows, columns] tensor of offsets in between.
     */
    private Tensor columns(String op) {
        if (dim() < 2) {
            throw new ShapeException(op + ": expects a tensor with at least 2 dimensions, got shape "
                    + Shapes.format(shape()));
        }
        int cols = size(-1);
        return Tensor.arange(cols).reshape(1, cols).to(device());
    }

    /** {@code row + diagonal} for each row of the last two dimensions, as a [rows, 1] float tensor. */
    private Tensor rowsPlus(int diagonal) {
        int rows = size(-2);
        return Tensor.arange(rows).reshape(rows, 1).add((float) diagonal).to(device());
    }

    /**
     * Running sums along {@code dim}, as {@code torch.cumsum}: an O(n) scan; integer and bool tensors give
     * int64. The gradient is the reversed running sum of the output's gradient.
     */
    public Tensor cumsum(int dim) {
        return Reductions.cumsum(this, dim);
    }

    // ---- pointwise ------------------------------------------------------------------------

    public Tensor add(Tensor other) {
        return Pointwise.binary(Pointwise.ADD, this, other);
    }

    public Tensor add(float value) {
        return Pointwise.scalar(Pointwise.ADD_SCALAR, this, value);
    }

    public Tensor sub(Tensor other) {
        return Pointwise.binary(Pointwise.SUB, this, other);
    }

    public Tensor sub(float value) {
        return Pointwise.scalar(Pointwise.ADD_SCALAR, this, -value);
    }

    /**
     * Dropout in training mode, like {@code torch.dropout(self, p, train=True)}: each element is kept with
     * probability {@code 1 - p} and scaled by {@code 1 / (1 - p)}, else zeroed; {@code p = 0} returns this
     * tensor, {@code p = 1} zeros. The mask comes from {@code generator}'s counter-based stream, made on this
     * tensor's device (no host transfer), and is the same on every device for the same seed and draw order.
     */
    public Tensor dropout(double p, Generator generator) {
        return RandomOps.dropout(this, p, generator);
    }

    public Tensor mul(Tensor other) {
        return Pointwise.binary(Pointwise.MUL, this, other);
    }

    public Tensor mul(float value) {
        return Pointwise.scalar(Pointwise.MUL_SCALAR, this, value);
    }

    public Tensor div(Tensor other) {
        return Pointwise.binary(Pointwise.DIV, this, other);
    }

    public Tensor div(float value) {
        return Pointwise.scalar(Pointwise.DIV_SCALAR, this, value);
    }

    /** Elementwise power with a tensor exponent (broadcast). */
    public Tensor pow(Tensor exponent) {
        return Pointwise.binary(Pointwise.POW, this, exponent);
    }

    public Tensor pow(float exponent) {
        return Pointwise.scalar(Pointwise.POW_SCALAR, this, exponent);
    }

    public Tensor neg() {
        return Pointwise.unary(Pointwise.NEG, this);
    }

    public Tensor abs() {
        return Pointwise.unary(Pointwise.ABS, this);
    }

    public Tensor relu() {
        return Pointwise.unary(Pointwise.RELU, this);
    }

    public Tensor exp() {
        return Pointwise.unary(Pointwise.EXP, this);
    }

    public Tensor log() {
        return Pointwise.unary(Pointwise.LOG, this);
    }

    public Tensor sqrt() {
        return Pointwise.unary(Pointwise.SQRT, this);
    }

    /** -1, 0 or 1 per element. Not differentiable (its gradient is 0 almost everywhere). */
    public Tensor sign() {
        return Pointwise.unary(Pointwise.SIGN, this);
    }

    /** Elementwise maximum of two tensors (broadcast); NaN propagates; ties share the gradient. */
    public Tensor maximum(Tensor other) {
        return Pointwise.binary(Pointwise.MAXIMUM, this, other);
    }

    /** Elementwise minimum of two tensors (broadcast); NaN propagates; ties share the gradient. */
    public Tensor minimum(Tensor other) {
        return Pointwise.binary(Pointwise.MINIMUM, this, other);
    }

    /** Hyperbolic tangent; its gradient reads the output. */
    public Tensor tanh() {
        return Pointwise.unary(Pointwise.TANH, this);
    }

    /** The logistic function {@code 1 / (1 + e^-x)}; its gradient reads the output. */
    public Tensor sigmoid() {
        return Pointwise.unary(Pointwise.SIGMOID, this);
    }

    /** The error function. */
    public Tensor erf() {
        return Pointwise.unary(Pointwise.ERF, this);
    }

    public Tensor sin() {
        return Pointwise.unary(Pointwise.SIN, this);
    }

    public Tensor cos() {
        return Pointwise.unary(Pointwise.COS, this);
    }

    /** {@code 1 / x}. */
    public Tensor reciprocal() {
        return Pointwise.scalar(Pointwise.RDIV_SCALAR, this, 1f);
    }

    /** {@code 1 / sqrt(x)}. */
    public Tensor rsqrt() {
        return sqrt().reciprocal();
    }

    /** {@code x * x}, as {@code pow(2)}. */
    public Tensor square() {
        return pow(2f);
    }

    /** Values below {@code min} become {@code min}; NaN stays NaN. The gradient passes where {@code x >= min}. */
    public Tensor clampMin(float min) {
        return Pointwise.scalar(Pointwise.CLAMP_MIN, this, min);
    }

    /** Values above {@code max} become {@code max}; NaN stays NaN. The gradient passes where {@code x <= max}. */
    public Tensor clampMax(float max) {
        return Pointwise.scalar(Pointwise.CLAMP_MAX, this, max);
    }

    /**
     * Clamps into {@code [min, max]} as PyTorch's {@code clamp}: {@code min(max(x, min), max)} in one pass (NaN
     * stays NaN; with {@code min > max} every element becomes {@code max}). The gradient passes where {@code min <=
     * x <= max}.
     */
    public Tensor clamp(float min, float max) {
        return Pointwise.clamp(this, min, max);
    }

    /**
     * GELU with the exact erf form, {@code x * 0.5 * (1 + erf(x / sqrt(2)))}: one pointwise kernel, and one
     * fused kernel for its gradient.
     */
    public Tensor gelu() {
        return Pointwise.unary(Pointwise.GELU, this);
    }

    /**
     * GELU as PyTorch's {@code F.gelu(x, approximate=...)}: {@code "none"} (exact, erf) or {@code "tanh"}
     * ({@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}); each one pointwise kernel forward and one backward.
     */
    public Tensor gelu(String approximate) {
        return switch (approximate) {
            case "none" -> gelu();
            case "tanh" -> Pointwise.unary(Pointwise.GELU_TANH, this);
            default -> throw new CairnException("gelu: approximate must be \"none\" or \"tanh\", got \""
                    + approximate + "\"");
        };
    }

    /** SiLU (swish): {@code x * sigmoid(x)}. */
    public Tensor silu() {
        return mul(sigmoid());
    }

    /** {@code x} where {@code x > 0}, else {@code negativeSlope * x}; NaN stays NaN. */
    public Tensor leakyRelu(float negativeSlope) {
        return Pointwise.scalar(Pointwise.LEAKY_RELU, this, negativeSlope); // the gradient at 0 is the slope, as PyTorch's
    }

    /**
     * {@code log(1 + e^(beta x)) / beta} in the overflow-free form {@code (relu(bx) + log(1 + e^-|bx|)) / beta};
     * PyTorch returns {@code x} itself past {@code beta x > 20}, where the two agree to float precision.
     */
    public Tensor softplus(float beta) {
        Tensor bx = mul(beta);
        return bx.relu().add(bx.abs().neg().exp().add(1f).log()).div(beta);
    }

    /** {@code x > value} as a bool tensor. Not differentiable. */
    public Tensor gt(float value) {
        return Pointwise.compare(CompareOp.GT, this, value);
    }

    public Tensor ge(float value) {
        return Pointwise.compare(CompareOp.GE, this, value);
    }

    public Tensor lt(float value) {
        return Pointwise.compare(CompareOp.LT, this, value);
    }

    public Tensor le(float value) {
        return Pointwise.compare(CompareOp.LE, this, value);
    }

    public Tensor eq(float value) {
        return Pointwise.compare(CompareOp.EQ, this, value);
    }

    public Tensor ne(float value) {
        return Pointwise.compare(CompareOp.NE, this, value);
    }

    /** {@code x > other} (broadcast, compared in the common dtype) as a bool tensor. Not differentiable. */
    public Tensor gt(Tensor other) {
        return Pointwise.compare(CompareOp.GT, this, other);
    }

    public Tensor ge(Tensor other) {
        return Pointwise.compare(CompareOp.GE, this, other);
    }

    public Tensor lt(Tensor other) {
        return Pointwise.compare(CompareOp.LT, this, other);
    }

    public Tensor le(Tensor other) {
        return Pointwise.compare(CompareOp.LE, this, other);
    }

    public Tensor eq(Tensor other) {
        return Pointwise.compare(CompareOp.EQ, this, other);
    }

    public Tensor ne(Tensor other) {
        return Pointwise.compare(CompareOp.NE, this, other);
    }

    /** True where the value is NaN (bool). */
    public Tensor isNan() {
        return ne(this);
    }

    /** True where the value is +inf or -inf (bool). */
    public Tensor isInf() {
        return abs().eq(Float.POSITIVE_INFINITY);
    }

    /** Logical not of the values' truth ({@code != 0}), as bool. */
    public Tensor logicalNot() {
        return to(DType.BOOL).eq(0f);
    }

    /** Logical and of the values' truth (broadcast), as bool. */
    public Tensor logicalAnd(Tensor other) {
        return to(DType.BOOL).mul(other.to(DType.BOOL));
    }

    /** Logical or of the values' truth (broadcast), as bool. */
    public Tensor logicalOr(Tensor other) {
        return to(DType.BOOL).add(other.to(DType.BOOL));
    }

    /** Logical exclusive or of the values' truth (broadcast), as bool. */
    public Tensor logicalXor(Tensor other) {
        return to(DType.BOOL).ne(other.to(DType.BOOL));
    }

    /** Whether any value is true ({@code != 0}), as a 0-dim bool tensor. */
    public Tensor any() {
        return to(DType.BOOL).sum().gt(0f);
    }

    /** Whether any value along {@code dim} is true, as bool. */
    public Tensor any(int dim, boolean keepdim) {
        return to(DType.BOOL).sum(dim, keepdim).gt(0f);
    }

    /** Whether every value is true ({@code != 0}), as a 0-dim bool tensor. */
    public Tensor all() {
        return logicalNot().any().logicalNot();
    }

    /** Whether every value along {@code dim} is true, as bool. */
    public Tensor all(int dim, boolean keepdim) {
        return logicalNot().any(dim, keepdim).logicalNot();
    }

    // ---- indexing -------------------------------------------------------------------------

    /** {@code cond ? a : b} elementwise with broadcasting ({@code cond} is bool), as {@code torch.where}. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Indexing.where(cond, a, b);
    }

    /** {@code value} where {@code mask} (bool, broadcast) is true, else this tensor's values. */
    public Tensor maskedFill(Tensor mask, float value) {
        return Indexing.where(mask, Creation.full(device(), dtype(), value), this);
    }

    /**
     * The slices along {@code dim} at the int64 positions in {@code index} (1-D), as {@code index_select};
     * with {@code dim} 0 over a weight matrix this is the embedding lookup. The gradient adds into the rows
     * that were selected (repeated rows accumulate).
     */
    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    /** {@code out[..., i, ...] = x[..., index[..., i, ...], ...]} along {@code dim} (int64 index), as {@code gather}. */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /** A copy with {@code src}'s values added at the int64 {@code index} positions along {@code dim}, as {@code scatter_add}. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Indexing.scatterAdd(this, dim, index, src);
    }

    // ---- sliding windows ------------------------------------------------------------------

    /**
     * 2-D convolution (cross-correlation) of this float32 {@code [N, C, H, W]} image, as
     * {@code torch.nn.functional.conv2d} with symmetric zero padding, computed by the backend's direct
     * kernel without an im2col matrix (fastest for inference on small images): {@code weight} is
     * {@code [O, C/groups, kh, kw]}, {@code bias} {@code [O]} or null, each geometry argument {@code [h, w]}.
     * The result is {@code [N, O, outH, outW]}. Differentiable: the backward recomputes {@link #im2col}
     * of this image (training is cheaper through {@code im2col} and {@link #matmul}, which keep it).
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Windows.conv2d(this, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * im2col, as {@code torch.nn.functional.unfold}: this {@code [N, C, H, W]} float32 image becomes
     * {@code [N, C*kh*kw, L]}, one column per window position (row-major over the {@code L} positions), one row
     * per channel and kernel offset, zero where a window covers the padding. Each argument is {@code [h, w]}.
     * The gradient is {@link #col2im}.
     */
    public Tensor im2col(int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        return Windows.unfold(this, kernelSize, dilation, padding, stride);
    }

    /**
     * col2im, as {@code torch.nn.functional.fold}, the adjoint of {@link #im2col}: this {@code [N, C*kh*kw, L]}
     * float32 tensor becomes the {@code [N, C, outputSize[0], outputSize[1]]} image in which every entry is
     * added where im2col would have read it (overlapping windows sum; entries in the padding are dropped).
     * The gradient is {@link #im2col}.
     */
    public Tensor col2im(int[] outputSize, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        return Windows.fold(this, outputSize, kernelSize, dilation, padding, stride);
    }

    /**
     * Max pooling of this {@code [N, C, H, W]} float32 image, as {@code torch.nn.functional.max_pool2d} (padding
     * at most half the kernel, never chosen; {@code ceilMode} as PyTorch's). The gradient goes to the first
     * maximum of each window (windows that share one add up); a NaN in a window is its maximum.
     */
    public Tensor maxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return Windows.maxPool2d(this, kernelSize, stride, padding, dilation, ceilMode);
    }

    // ---- reductions -----------------------------------------------------------------------

    /** Sum of all elements as a 0-dim tensor. */
    public Tensor sum() {
        return Reductions.sum(this);
    }

    /** Sum over {@code dim}; {@code keepdim} keeps it as size 1. */
    public Tensor sum(int dim, boolean keepdim) {
        return Reductions.sum(this, dim, keepdim);
    }

    /** Sum over several dimensions (none: all of them, as PyTorch's {@code sum(dim=[])}). */
    public Tensor sum(int[] dims, boolean keepdim) {
        return Reductions.sum(this, dims, keepdim);
    }

    /** The product of all elements as a 0-dim tensor (1 when empty); integer and bool tensors give int64. */
    public Tensor prod() {
        return Reductions.prod(this);
    }

    /**
     * The product along {@code dim}, as {@code torch.prod(x, dim, keepdim)}; the gradient follows PyTorch's, also
     * for slices holding one zero (the product of the others) or several (0).
     */
    public Tensor prod(int dim, boolean keepdim) {
        return Reductions.prod(this, dim, keepdim);
    }

    /** Mean of all elements as a 0-dim tensor (NaN for an empty tensor). */
    public Tensor mean() {
        int n = numel();
        return sum().div((float) n);
    }

    public Tensor mean(int dim, boolean keepdim) {
        int[] s = rawBody().shape;
        int n = s.length == 0 ? 1 : s[Shapes.wrapDim("mean", dim, s.length)];
        return sum(dim, keepdim).div((float) n);
    }

    /** Largest element as a 0-dim tensor (NaN if any is NaN); ties share the gradient. */
    public Tensor max() {
        return Reductions.extremeAll(this, true);
    }

    /** Largest values along {@code dim}; the gradient goes to the first index chosen. */
    public Tensor max(int dim, boolean keepdim) {
        return Reductions.extremeDim(this, true, dim, keepdim);
    }

    public Tensor min() {
        return Reductions.extremeAll(this, false);
    }

    public Tensor min(int dim, boolean keepdim) {
        return Reductions.extremeDim(this, false, dim, keepdim);
    }

    /** Index of the largest element of the flattened tensor, as a 0-dim int64 tensor. */
    public Tensor argmax() {
        return Reductions.argAll(this, true);
    }

    /** Index of the smallest element of the flattened tensor, as a 0-dim int64 tensor. */
    public Tensor argmin() {
        return Reductions.argAll(this, false);
    }

    /** Indices of the largest values along {@code dim} (int64); the first one among ties. */
    public Tensor argmax(int dim, boolean keepdim) {
        return Reductions.argDim(this, true, dim, keepdim);
    }

    public Tensor argmin(int dim, boolean keepdim) {
        return Reductions.argDim(this, false, dim, keepdim);
    }

    /** The 2-norm of all elements, as {@code torch.linalg.vector_norm(x)}; its gradient at a zero tensor is 0. */
    public Tensor norm() {
        return flatten().norm(2f, 0, false);
    }

    /**
     * The {@code p}-norm along {@code dim}, as {@code torch.linalg.vector_norm(x, p, dim, keepdim)}:
     * {@code (sum |x|^p)^(1/p)} for {@code p > 0}, the largest {@code |x|} for {@code p = +inf}. Where a norm is
     * 0 its gradient is 0, as in PyTorch (no NaN from the root's derivative at 0).
     */
    public Tensor norm(float p, int dim, boolean keepdim) {
        if (Float.isInfinite(p) && p > 0) {
            return abs().amax(dim, keepdim);
        }
        if (!(p > 0) || Float.isNaN(p)) {
            throw new CairnException("norm: p must be positive (or +inf), got " + p);
        }
        Tensor sum = p == 2f ? square().sum(dim, keepdim) : abs().pow(p).sum(dim, keepdim);
        Tensor zero = sum.eq(0f);
        Tensor safe = Tensor.where(zero, Tensor.ones(device()), sum); // keeps the root's gradient finite at 0
        Tensor root = p == 2f ? safe.sqrt() : safe.pow(1f / p);
        return Tensor.where(zero, Tensor.zeros(device()), root);
    }

    /** Largest values along {@code dim}; unlike {@link #max(int, boolean)} ties share the gradient evenly. */
    public Tensor amax(int dim, boolean keepdim) {
        return Reductions.extremeValues(this, true, dim, keepdim);
    }

    /** Smallest values along {@code dim}; ties share the gradient evenly. */
    public Tensor amin(int dim, boolean keepdim) {
        return Reductions.extremeValues(this, false, dim, keepdim);
    }

    /**
     * Softmax along {@code dim} ({@code e^(x - max) / sum}), one fused kernel: a row of only {@code -inf} (or
     * holding NaN or {@code +inf}) gives NaN, as in PyTorch. Strided inputs such as the scores of a batched
     * matmul are read in place, not copied. The gradient {@code y * (g - sum(g * y))} is one kernel too.
     */
    public Tensor softmax(int dim) {
        return Normalizations.softmax(this, dim, false);
    }

    /**
     * {@code log(softmax(x))} along {@code dim}, as one fused kernel computing {@code x - max - log(sum(e^(x - max)))};
     * its gradient is {@code g - e^y * sum(g)}.
     */
    public Tensor logSoftmax(int dim) {
        return Normalizations.softmax(this, dim, true);
    }

    /**
     * Layer normalisation over the trailing dimensions {@code normalizedShape}, as
     * {@code F.layer_norm(x, normalizedShape, weight, bias, eps)}: {@code (x - mean) / sqrt(var + eps) * weight + bias}
     * with the biased variance; {@code weight} and {@code bias} (of {@code normalizedShape}) may be null. One
     * fused kernel forward and one backward, with PyTorch's gradients for the input, weight and bias.
     */
    public Tensor layerNorm(int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        return Normalizations.layerNorm(this, normalizedShape, weight, bias, eps);
    }

    /**
     * Batch normalisation over the channel dimension 1 of an input of rank 2 or more ({@code [N, C, ...]}), as
     * {@code F.batch_norm(input, runningMean, runningVar, weight, bias, training, momentum, eps)}:
     * {@code (x - mean) / sqrt(var + eps) * weight + bias} per channel. With {@code training} the mean and the
     * biased variance are the batch's (over {@code N} and the spatial dimensions), and the running statistics,
     * where given, are updated in place without recording a gradient: {@code r = (1 - momentum) * r +
     * momentum * stat}, with the unbiased variance; without {@code training} both running statistics must be
     * given and are used. {@code weight}, {@code bias}, {@code runningMean} and {@code runningVar} are float32
     * {@code [C]} tensors or null. One fused kernel forward and one backward, with PyTorch's gradients for the
     * input, weight and bias (in evaluation mode a per-channel scale of the output's gradient).
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return Normalizations.batchNorm(input, runningMean, runningVar, weight, bias, training, (float) momentum,
                (float) eps);
    }

    /**
     * {@code log(sum(e^x))} along {@code dim}, stably; as PyTorch, an infinite maximum is not subtracted, so
     * rows of {@code -inf} give {@code -inf} and rows with {@code +inf} give {@code +inf}.
     */
    public Tensor logsumexp(int dim, boolean keepdim) {
        Tensor m;
        try (var g = GradMode.noGrad()) {
            m = amax(dim, true).clamp(-Float.MAX_VALUE, Float.MAX_VALUE);
        }
        Tensor out = sub(m).exp().sum(dim, true).log().add(m);
        return keepdim ? out : out.squeeze(dim);
    }

    /**
     * Variance along {@code dim} with Bessel's {@code correction} (1 = unbiased, PyTorch's default;
     * 0 = population), as {@code torch.var(x, dim, correction=c, keepdim=k)}.
     */
    public Tensor var(int dim, int correction, boolean keepdim) {
        int[] s = rawBody().shape;
        int n = s.length == 0 ? 1 : s[Shapes.wrapDim("var", dim, s.length)];
        Tensor centered = sub(mean(dim, true));
        return centered.mul(centered).sum(dim, keepdim).div((float) Math.max(n - correction, 0));
    }

    /** Variance of all elements with {@code correction}, as a 0-dim tensor. */
    public Tensor var(int correction) {
        Tensor centered = sub(mean());
        return centered.mul(centered).sum().div((float) Math.max(numel() - correction, 0));
    }

    /** Standard deviation along {@code dim}: {@code sqrt(var(dim, correction, keepdim))}. */
    public Tensor std(int dim, int correction, boolean keepdim) {
        return var(dim, correction, keepdim).sqrt();
    }

    /** Standard deviation of all elements with {@code correction}. */
    public Tensor std(int correction) {
        return var(correction).sqrt();
    }

    // ---- linear algebra -------------------------------------------------------------------

    /**
     * Matrix product with PyTorch's {@code matmul} rules: 1-D·1-D is a dot product, 2-D·1-D a
     * matrix-vector product, and 3-D or more is a batched product with broadcast batch dimensions.
     */
    public Tensor matmul(Tensor other) {
        return LinearAlgebra.matmul(this, other);
    }

    /** Product of two 2-D matrices. */
    public Tensor mm(Tensor other) {
        return LinearAlgebra.mm(this, other);
    }

    /** Product of two 3-D batches of matrices of equal batch size. */
    public Tensor bmm(Tensor other) {
        return LinearAlgebra.bmm(this, other);
    }

    /**
     * Scaled dot-product attention with this tensor as the query: {@code softmax((this * scale) @ key^T + mask, -1)
     * @ value}, as PyTorch's attention inside {@code nn.MultiheadAttention} ({@code scale} is usually
     * {@code 1/sqrt(D)}). The query is {@code [..., L, D]}, {@code key} {@code [..., S, D]} and {@code value}
     * {@code [..., S, Dv]} with one batch shape; {@code mask} is null or a float tensor broadcastable to
     * {@code [..., L, S]} that is added to the scores ({@code -inf} excludes a key; a query row with every key
     * excluded gives NaN, as in PyTorch). One fused kernel that does not materialise the {@code [L, S]} weights;
     * the backward recomputes them and gives the gradients of the query, key, value and mask.
     */
    public Tensor scaledDotProductAttention(Tensor key, Tensor value, Tensor mask, float scale) {
        return Attention.scaledDotProduct(this, key, value, mask, scale);
    }

    /**
     * PyTorch's {@code F.linear}: {@code input @ weight^T + bias} as one GEMM with the bias fused into
     * its output pass. {@code input} is {@code [..., in]}, {@code weight} {@code [out, in]},
     * {@code bias} {@code [out]} or null.
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return LinearAlgebra.linear(input, weight, bias, false);
    }

    /** {@code relu(linear(input, weight, bias))} as one GEMM with bias and ReLU fused into its output pass. */
    public static Tensor linearRelu(Tensor input, Tensor weight, Tensor bias) {
        return LinearAlgebra.linear(input, weight, bias, true);
    }

    // ---- autograd -------------------------------------------------------------------------

    /** Whether operations on this tensor are recorded for gradients. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as requiring gradients (returns itself); only float tensors can. */
    public Tensor requiresGrad(boolean value) {
        if (value && !rawBody().dtype.isFloatingPoint()) {
            throw new CairnException("requiresGrad(true): only floating-point tensors can require gradients, got a "
                    + rawBody().dtype + " tensor of shape " + Shapes.format(rawBody().shape)
                    + "; convert with to(DType.FLOAT32)");
        }
        if (gradFn != null && !value) {
            throw new CairnException("requiresGrad(false): only leaf tensors can change requires_grad; "
                    + "use detach() for a non-leaf (made by " + gradFn.name() + ")");
        }
        requiresGrad = value;
        return this;
    }

    /** The gradient accumulated into this leaf by {@link #backward}, or null. */
    public Tensor grad() {
        rawBody(); // a tensor without memory (an uninitialised parameter) has no gradient either
        return grad;
    }

    /** Replaces (or with null, clears) this tensor's accumulated gradient. */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape(), rawBody().shape)) {
            throw new ShapeException("setGrad: gradient of shape " + Shapes.format(g.shape())
                    + " does not match the tensor's shape " + Shapes.format(rawBody().shape));
        }
        grad = g == null ? null : TensorScope.forget(g); // a gradient lives as long as its tensor, not a scope
    }

    /** The recorded operation that produced this tensor, or null for a leaf. */
    public GradNode gradFn() {
        return gradFn;
    }

    /** Whether this tensor was created by the user (not by a recorded operation). */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Backpropagates from this one-element tensor (gradient 1). */
    public void backward() {
        TensorBody b = body();
        if (b.numel != 1) {
            throw new CairnException("backward(): grad can be implicitly created only for one-element outputs, got shape "
                    + Shapes.format(b.shape) + "; pass a gradient of that shape");
        }
        try (var g = GradMode.noGrad()) {
            backward(Creation.full(b.device, 1f, b.shape.clone()));
        }
    }

    /** Backpropagates with {@code gradient} (same shape) as the upstream gradient. */
    public void backward(Tensor gradient) {
        if (gradient == null) {
            throw new CairnException("backward: the gradient is null; pass a tensor of shape "
                    + Shapes.format(rawBody().shape) + ", or call backward() on a one-element tensor");
        }
        Kernels.sameDevice("backward", this, gradient);
        Engine.backward(this, gradient);
    }

    /** The same memory, cut off from the graph. */
    public Tensor detach() {
        return new Tensor(body().share());
    }

    @Override
    public String toString() {
        TensorBody b = rawBody();
        if (b.isClosed()) {
            return "tensor(<closed>, shape=" + Shapes.format(b.shape) + ", device='" + b.device + "')";
        }
        return TensorFormat.format(this);
    }
}
