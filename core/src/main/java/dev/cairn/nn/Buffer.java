package dev.cairn.nn;

import dev.cairn.tensor.DelegatingTensor;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;

/**
 * A non-trainable tensor owned by a module (PyTorch's registered buffer), such as FixedHiddenMLP's
 * constant {@code rand_weight}: it moves with the module, is saved in the state dict, and never gets
 * a gradient. Keeps its identity when the module moves to another device.
 */
public final class Buffer extends DelegatingTensor {
    private Tensor data;

    public Buffer(Tensor data) {
        this.data = TensorScope.forget(data.detach());
    }

    @Override
    public Tensor delegate() {
        return data;
    }

    public Tensor data() {
        return data;
    }

    /** Points the buffer at new memory. */
    public void setData(Tensor newData) {
        this.data = TensorScope.forget(newData.detach());
    }
}
