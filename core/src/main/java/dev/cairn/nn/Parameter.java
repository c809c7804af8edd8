package dev.cairn.nn;

import dev.cairn.tensor.DelegatingTensor;
import dev.cairn.tensor.Tensor;

/**
 * A trainable tensor owned by a module, like {@code torch.nn.Parameter}: it requires grad, appears
 * in {@code parameters()} and the state dict, and keeps its identity when the module moves to another
 * device or loads a state dict (only the memory behind it changes). Use it anywhere a tensor goes.
 */
public final class Parameter extends DelegatingTensor {
    private Tensor data;

    /** Wraps {@code data} (detached from any graph) as a parameter that requires grad. */
    public Parameter(Tensor data) {
        this(data, true);
    }

    public Parameter(Tensor data, boolean requiresGrad) {
        this.data = data.detach().requiresGrad(requiresGrad);
    }

    @Override
    public Tensor delegate() {
        return data;
    }

    /** The tensor behind the parameter (PyTorch's {@code param.data}). */
    public Tensor data() {
        return data;
    }

    /** Points the parameter at new memory, keeping its requires-grad flag; the gradient is dropped. */
    public void setData(Tensor newData) {
        boolean rg = data.requiresGrad();
        this.data = newData.detach().requiresGrad(rg);
    }

    @Override
    public String toString() {
        return "Parameter containing:\n" + data;
    }
}
