package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** The rectified linear unit max(x, 0) as a module, like {@code torch.nn.ReLU}. */
public class ReLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.relu();
    }
}
