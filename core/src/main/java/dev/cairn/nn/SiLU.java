package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** SiLU (swish) {@code x * sigmoid(x)} as a module, like {@code torch.nn.SiLU}. */
public class SiLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.silu();
    }
}
