package dev.cairn.spark;

import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.tensor.Tensor;

/** A user's own model, named by class in the tests: Linear(20, 8) -> ReLU -> Linear(8, 3). */
public final class TwoLayerNet extends Module {
    private final Linear first = register("first", new Linear(20, 8));
    private final Linear second = register("second", new Linear(8, 3));

    @Override
    public Tensor forward(Tensor x) {
        return second.call(first.call(x).relu());
    }
}
