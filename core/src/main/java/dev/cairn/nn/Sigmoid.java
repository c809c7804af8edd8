package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** The logistic function {@code 1 / (1 + e^-x)} as a module, like {@code torch.nn.Sigmoid}. */
public class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.sigmoid();
    }
}
