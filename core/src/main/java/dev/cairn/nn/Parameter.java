package dev.cairn.nn;

import dev.cairn.tensor.CairnException;
import dev.cairn.tensor.DelegatingTensor;
import dev.cairn.tensor.Device;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;

/**
 * A trainable tensor owned by a module, like {@code torch.nn.Parameter}: it requires grad, appears
 * in {@code parameters()} and the state dict, and keeps its identity when the module moves to another
 * device or loads a state dict (only the memory behind it changes). Use it anywhere a tensor goes.
 *
 * <p>A lazy module ({@link LazyLinear}) holds uninitialised parameters, like PyTorch's
 * {@code UninitializedParameter}: they are listed by {@code parameters()} and the state dict, but
 * any use as a tensor is an error until the module gives them memory (see {@link #isInitialized}).
 */
public final class Parameter extends DelegatingTensor {
    private Tensor data;
    /** For an uninitialised parameter: the error its use raises, the known sizes (-1 unknown), where to create it. */
    private final String uninitializedMessage;
    private final int[] partialShape;
    private final boolean pendingRequiresGrad;
    private Device pendingDevice;

    /** Wraps {@code data} (detached from any graph) as a parameter that requires grad. */
    public Parameter(Tensor data) {
        this(data, true);
    }

    public Parameter(Tensor data, boolean requiresGrad) {
        this.data = TensorScope.forget(data.detach().requiresGrad(requiresGrad));
        this.uninitializedMessage = null;
        this.partialShape = null;
        this.pendingRequiresGrad = requiresGrad;
    }

    /**
     * An uninitialised parameter whose use as a tensor raises {@code message}; {@code partialShape}
     * holds its known sizes, -1 for those inferred later.
     */
    Parameter(String message, int[] partialShape, boolean requiresGrad) {
        this.data = null;
        this.uninitializedMessage = message;
        this.partialShape = partialShape.clone();
        this.pendingRequiresGrad = requiresGrad;
    }

    @Override
    public Tensor delegate() {
        Tensor d = data;
        if (d == null) {
            throw new CairnException(uninitializedMessage);
        }
        return d;
    }

    /** False for a lazy module's parameter before its first forward pass (or state-dict load). */
    public boolean isInitialized() {
        return data != null;
    }

    /** The tensor behind the parameter (PyTorch's {@code param.data}). */
    public Tensor data() {
        return delegate();
    }

    /** Points the parameter at new memory, keeping its requires-grad flag; the gradient is dropped. */
    public void setData(Tensor newData) {
        boolean rg = delegate().requiresGrad();
        this.data = TensorScope.forget(newData.detach().requiresGrad(rg));
    }

    /** Gives an uninitialised parameter its memory ({@code value}, detached); an error if it already has some. */
    void initialize(Tensor value) {
        if (data != null) {
            throw new CairnException("parameter of shape " + Shapes.format(data.shape()) + " is already initialised");
        }
        if (!acceptsShape(value.shape())) {
            throw new CairnException("cannot initialise a parameter of shape " + formatPartialShape()
                    + " with a tensor of shape " + Shapes.format(value.shape()));
        }
        this.data = TensorScope.forget(value.detach().requiresGrad(pendingRequiresGrad));
    }

    /** Whether an uninitialised parameter can take {@code shape} (same rank, equal known sizes). */
    boolean acceptsShape(int[] shape) {
        if (partialShape == null) {
            return false;
        }
        if (shape.length != partialShape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (partialShape[i] >= 0 && partialShape[i] != shape[i]) {
                return false;
            }
        }
        return true;
    }

    /** The known sizes of an uninitialised parameter, unknown ones as {@code ?}: {@code [256, ?]}. */
    String formatPartialShape() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < partialShape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(partialShape[i] >= 0 ? Integer.toString(partialShape[i]) : "?");
        }
        return sb.append(']').toString();
    }

    /** Where an uninitialised parameter will be created when a state dict is loaded (null: the CPU). */
    Device pendingDevice() {
        return pendingDevice;
    }

    void setPendingDevice(Device device) {
        this.pendingDevice = device;
    }

    @Override
    public String toString() {
        return data == null ? "<UninitializedParameter>" : "Parameter containing:\n" + data;
    }
}
