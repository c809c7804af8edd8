package dev.cairn.samples.models;

import dev.cairn.nn.Module;
import dev.cairn.tensor.Tensor;

/** D2L's CenteredLayer (Custom Layers): subtracts the mean of all elements; no parameters. */
public class CenteredLayer extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.sub(x.mean());
    }
}
