package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/**
 * A non-trainable tensor owned by a module (PyTorch's registered buffer), such as FixedHiddenMLP's
 * constant {@code rand_weight}: it moves with the module, is saved in the state dict, and never gets
 * a gradient. Keeps its identity when the module moves to another device or loads a state dict (only
 * the memory behind it changes).
 */
public final class Buffer extends Tensor {

    /** A buffer over {@code data}'s memory (shared, not copied), cut off from any graph. */
    public Buffer(Tensor data) {
        replaceBody(data);
    }

    /** The buffer's values as a plain tensor over the same memory. */
    public Tensor data() {
        return detach();
    }

    /** Points the buffer at {@code newData}'s memory (shared, not copied). Not safe while other threads use it. */
    public void setData(Tensor newData) {
        replaceBody(newData);
    }

    @Override
    public Tensor requiresGrad(boolean value) {
        if (value) {
            throw new dev.cairn.CairnException("a Buffer never requires grad; register a Parameter instead");
        }
        return this;
    }
}
