package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * A trainable tensor owned by a module, like {@code torch.nn.Parameter}: it requires grad, appears
 * in {@code parameters()} and the state dict, and keeps its identity when the module moves to another
 * device or loads a state dict (only the memory behind it changes). Use it anywhere a tensor goes.
 *
 * <p>A lazy module ({@link LazyLinear}) holds uninitialised parameters, like PyTorch's
 * {@code UninitializedParameter}: they are listed by {@code parameters()} and the state dict, but
 * any use as a tensor is an error until the module gives them memory (see {@link #isInitialized}).
 */
public final class Parameter extends Tensor {
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
        replaceBody(data);
        requiresGrad(requiresGrad);
        this.uninitializedMessage = null;
        this.partialShape = null;
        this.pendingRequiresGrad = requiresGrad;
    }

    /**
     * An uninitialised parameter whose use as a tensor raises {@code message}; {@code partialShape}
     * holds its known sizes, -1 for those inferred later.
     */
    Parameter(String message, int[] partialShape, boolean requiresGrad) {
        this.uninitializedMessage = message;
        this.partialShape = partialShape.clone();
        this.pendingRequiresGrad = requiresGrad;
    }

    @Override
    protected String missingBodyMessage() {
        return uninitializedMessage != null ? uninitializedMessage : super.missingBodyMessage();
    }

    /** False for a lazy module's parameter before its first forward pass (or state-dict load). */
    public boolean isInitialized() {
        return hasBody();
    }

    /**
     * The parameter's values as a plain tensor over the same memory, cut off from autograd (PyTorch's
     * {@code param.data}): writes through it change the parameter.
     */
    public Tensor data() {
        return detach();
    }

    /**
     * Points the parameter at {@code newData}'s memory (shared, not copied), keeping its identity and
     * requires-grad flag; the gradient is dropped. Not safe while other threads use the parameter.
     */
    public void setData(Tensor newData) {
        if (!hasBody()) {
            throw new CairnException(missingBodyMessage());
        }
        replaceBody(newData);
        setGrad(null);
    }

    /** Gives an uninitialised parameter its memory ({@code value}, detached); an error if it already has some. */
    void initialize(Tensor value) {
        if (hasBody()) {
            throw new CairnException("parameter of shape " + Shapes.format(shape()) + " is already initialised");
        }
        if (!acceptsShape(value.shape())) {
            throw new CairnException("cannot initialise a parameter of shape " + formatPartialShape()
                    + " with a tensor of shape " + Shapes.format(value.shape()));
        }
        replaceBody(value);
        requiresGrad(pendingRequiresGrad);
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
        return hasBody() ? "Parameter containing:\n" + super.toString() : "<UninitializedParameter>";
    }
}
