package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** The hyperbolic tangent as a module, like {@code torch.nn.Tanh}. */
public class Tanh extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.tanh();
    }
}
