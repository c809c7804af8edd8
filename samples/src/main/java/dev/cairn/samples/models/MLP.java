package dev.cairn.samples.models;

import dev.cairn.nn.F;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.tensor.Tensor;

/** D2L's MLP: a hidden layer of 256 units with ReLU, then 10 outputs. */
public class MLP extends Module {
    private final Linear hidden = register("hidden", new Linear(20, 256));
    private final Linear out = register("out", new Linear(256, 10));

    @Override
    public Tensor forward(Tensor x) {
        return out.call(F.relu(hidden.call(x)));
    }
}
