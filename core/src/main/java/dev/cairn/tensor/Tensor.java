package dev.cairn.tensor;

import dev.cairn.autograd.GradNode;

/**
 * An n-dimensional array of numbers on one device, with PyTorch's semantics: NumPy broadcasting,
 * 0-dim scalars, views that share memory, and autograd. All op logic (shape checks, broadcasting,
 * gradient recording) lives in one implementation in core; devices supply memory and kernels through
 * the {@link dev.cairn.backend.Backend} SPI.
 *
 * <p>Tensors hold device memory, which the garbage collector does not see: close them (or use a
 * {@link TensorScope}) when done. A tensor nobody closed is freed by a cleaner eventually.
 *
 * <p>Dimensions may be negative, counting from the end, as in PyTorch.
 */
public interface Tensor extends AutoCloseable {

    // ---- creation -------------------------------------------------------------------------

    /** A tensor of {@code shape} holding a copy of {@code data} (row-major) on the CPU. */
    static Tensor of(float[] data, int... shape) {
        return TensorImpl.fromArray(Device.cpu(), data, shape);
    }

    /** A tensor of {@code shape} holding a copy of {@code data} (row-major) on {@code device}. */
    static Tensor of(Device device, float[] data, int... shape) {
        return TensorImpl.fromArray(device, data, shape);
    }

    /** A 1-D tensor holding a copy of {@code data}. */
    static Tensor vector(float... data) {
        return TensorImpl.fromArray(Device.cpu(), data, data.length);
    }

    /** A 0-dim tensor holding {@code value}. */
    static Tensor scalar(float value) {
        return TensorImpl.fromArray(Device.cpu(), new float[] {value});
    }

    /** A 0-dim tensor holding {@code value} on {@code device}. */
    static Tensor scalar(Device device, float value) {
        return TensorImpl.fromArray(device, new float[] {value});
    }

    static Tensor zeros(int... shape) {
        return TensorImpl.full(Device.cpu(), 0f, shape);
    }

    static Tensor zeros(Device device, int... shape) {
        return TensorImpl.full(device, 0f, shape);
    }

    static Tensor ones(int... shape) {
        return TensorImpl.full(Device.cpu(), 1f, shape);
    }

    static Tensor ones(Device device, int... shape) {
        return TensorImpl.full(device, 1f, shape);
    }

    static Tensor full(float value, int... shape) {
        return TensorImpl.full(Device.cpu(), value, shape);
    }

    static Tensor full(Device device, float value, int... shape) {
        return TensorImpl.full(device, value, shape);
    }

    /** Uniform in [0, 1) from the default generator, like {@code torch.rand}. */
    static Tensor rand(int... shape) {
        return rand(Generator.global(), shape);
    }

    /** Uniform in [0, 1) from {@code generator}. */
    static Tensor rand(Generator generator, int... shape) {
        float[] data = new float[Shapes.numel(shape)];
        generator.fillUniform(data, 0f, 1f);
        return TensorImpl.fromArray(Device.cpu(), data, shape);
    }

    /** Standard normal from the default generator, like {@code torch.randn}. */
    static Tensor randn(int... shape) {
        return randn(Generator.global(), shape);
    }

    /** Standard normal from {@code generator}. */
    static Tensor randn(Generator generator, int... shape) {
        float[] data = new float[Shapes.numel(shape)];
        generator.fillNormal(data, 0f, 1f);
        return TensorImpl.fromArray(Device.cpu(), data, shape);
    }

    /** {@code [0, 1, ..., end-1]}. */
    static Tensor arange(float end) {
        return arange(0, end, 1);
    }

    /** {@code [start, start+step, ...)} up to but excluding {@code end}, like {@code torch.arange}. */
    static Tensor arange(float start, float end, float step) {
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
        return TensorImpl.fromArray(Device.cpu(), data, n);
    }

    // ---- metadata -------------------------------------------------------------------------

    /** The sizes of each dimension (a copy); empty for a 0-dim scalar. */
    int[] shape();

    /** Size of dimension {@code dim} (negative counts from the end). */
    int size(int dim);

    /** Number of dimensions (0 for a scalar). */
    int dim();

    /** Number of elements. */
    int numel();

    DType dtype();

    Device device();

    /** Element strides of each dimension (a copy). */
    int[] strides();

    /** Whether elements are laid out densely in row-major order. */
    boolean isContiguous();

    // ---- data and devices -----------------------------------------------------------------

    /** The value of a one-element tensor; synchronizes with the device. */
    float item();

    /** The elements in row-major order, copied to the host. */
    float[] toFloatArray();

    /** This tensor on {@code device} (itself when already there). Differentiable. */
    Tensor to(Device device);

    /** A row-major copy when not already contiguous, else itself. */
    Tensor contiguous();

    /** A copy with its own memory. Differentiable. */
    Tensor copy();

    /** Frees this tensor's hold on its memory; using it afterwards is an error. Idempotent. */
    @Override
    void close();

    boolean isClosed();

    // ---- shape ----------------------------------------------------------------------------

    /** The same elements with another shape; one size may be -1. A view when the layout allows, else a copy. */
    Tensor reshape(int... shape);

    /** Like {@link #reshape} but never copies: fails when the layout does not allow a view. */
    Tensor view(int... shape);

    /** Swaps two dimensions (a view). */
    Tensor transpose(int dim0, int dim1);

    /** Transpose of a tensor of at most 2 dimensions (a view), like PyTorch's {@code t()}. */
    Tensor t();

    /** Reorders dimensions (a view). */
    Tensor permute(int... dims);

    /** Views size-1 dimensions as larger sizes (stride 0), like {@code expand}; -1 keeps a size. */
    Tensor expand(int... shape);

    /** Removes every size-1 dimension. */
    Tensor squeeze();

    /** Removes dimension {@code dim} when it has size 1 (otherwise returns the same shape). */
    Tensor squeeze(int dim);

    /** Inserts a size-1 dimension at {@code dim}. */
    Tensor unsqueeze(int dim);

    /** A 1-D view or copy of all elements. */
    Tensor flatten();

    // ---- elementwise ----------------------------------------------------------------------

    Tensor add(Tensor other);

    Tensor add(float value);

    Tensor sub(Tensor other);

    Tensor sub(float value);

    Tensor mul(Tensor other);

    Tensor mul(float value);

    Tensor div(Tensor other);

    Tensor div(float value);

    /** Elementwise power with a tensor exponent (broadcast). */
    Tensor pow(Tensor exponent);

    Tensor pow(float exponent);

    Tensor neg();

    Tensor abs();

    Tensor relu();

    Tensor exp();

    Tensor log();

    Tensor sqrt();

    /** -1, 0 or 1 per element. */
    Tensor sign();

    /** Elementwise maximum of two tensors (broadcast); NaN propagates. */
    Tensor maximum(Tensor other);

    /** Elementwise minimum of two tensors (broadcast); NaN propagates. */
    Tensor minimum(Tensor other);

    /** 1 where {@code x > value}, else 0 (float32; Cairn has no bool dtype yet). Not differentiable. */
    Tensor gt(float value);

    Tensor ge(float value);

    Tensor lt(float value);

    Tensor le(float value);

    Tensor eq(float value);

    Tensor ne(float value);

    /** 1 where {@code x > other} (broadcast), else 0. Not differentiable. */
    Tensor gt(Tensor other);

    /** 1 where {@code x < other} (broadcast), else 0. Not differentiable. */
    Tensor lt(Tensor other);

    /** 1 where {@code x == other} (broadcast), else 0. Not differentiable. */
    Tensor eq(Tensor other);

    // ---- reductions -----------------------------------------------------------------------

    /** Sum of all elements as a 0-dim tensor. */
    Tensor sum();

    /** Sum over {@code dim}; {@code keepdim} keeps it as size 1. */
    Tensor sum(int dim, boolean keepdim);

    /** Sum over several dimensions. */
    Tensor sum(int[] dims, boolean keepdim);

    Tensor mean();

    Tensor mean(int dim, boolean keepdim);

    /** Largest element as a 0-dim tensor (NaN if any is NaN). */
    Tensor max();

    /** Largest values along {@code dim}. */
    Tensor max(int dim, boolean keepdim);

    Tensor min();

    Tensor min(int dim, boolean keepdim);

    /** Index of the largest element of the flattened tensor, as a 0-dim tensor. */
    Tensor argmax();

    /** Indices of the largest values along {@code dim}, as floats. */
    Tensor argmax(int dim, boolean keepdim);

    Tensor argmin(int dim, boolean keepdim);

    // ---- linear algebra -------------------------------------------------------------------

    /**
     * Matrix product with PyTorch's {@code matmul} rules: 1-D·1-D is a dot product, 2-D·1-D a
     * matrix-vector product, and 3-D or more is a batched product with broadcast batch dimensions.
     */
    Tensor matmul(Tensor other);

    /** Product of two 2-D matrices. */
    Tensor mm(Tensor other);

    /** Product of two 3-D batches of matrices of equal batch size. */
    Tensor bmm(Tensor other);

    // ---- autograd -------------------------------------------------------------------------

    /** Whether operations on this tensor are recorded for gradients. */
    boolean requiresGrad();

    /** Marks a leaf tensor as requiring gradients (returns itself). */
    Tensor requiresGrad(boolean requiresGrad);

    /** The gradient accumulated into this leaf by {@link #backward}, or null. */
    Tensor grad();

    /** Replaces (or with null, clears) this tensor's accumulated gradient. */
    void setGrad(Tensor grad);

    /** The recorded operation that produced this tensor, or null for a leaf. */
    GradNode gradFn();

    /** Whether this tensor was created by the user (not by a recorded operation). */
    boolean isLeaf();

    /** Backpropagates from this one-element tensor (gradient 1). */
    void backward();

    /** Backpropagates with {@code gradient} (same shape) as the upstream gradient. */
    void backward(Tensor gradient);

    /** The same memory, cut off from the graph. */
    Tensor detach();

    /**
     * Copies {@code source}'s values into this tensor's memory in place (shapes must match or
     * broadcast), without recording; for parameters and optimizers.
     */
    Tensor copyFrom(Tensor source);
}
