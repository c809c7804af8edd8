package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** Returns its input unchanged, like {@code torch.nn.Identity}: a placeholder where a layer is optional. */
public class Identity extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input;
    }

    /** Any number of tensors: returns the first, as PyTorch's Identity ignores extra arguments. */
    @Override
    public Tensor forward(Tensor... inputs) {
        if (inputs.length == 0) {
            throw new dev.cairn.CairnException("Identity.forward needs at least one tensor");
        }
        return inputs[0];
    }
}
