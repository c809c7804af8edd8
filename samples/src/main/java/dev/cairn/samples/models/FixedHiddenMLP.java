package dev.cairn.samples.models;

import dev.cairn.nn.Buffer;
import dev.cairn.nn.F;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.tensor.Tensor;

/**
 * D2L's FixedHiddenMLP: a constant random weight that is never trained (a buffer), one Linear layer
 * used twice (shared parameters), and a data-dependent loop in forward. Returns a 0-dim scalar.
 */
public class FixedHiddenMLP extends Module {
    private final Buffer randWeight = registerBuffer("rand_weight", Tensor.rand(20, 20));
    private final Linear linear = register("linear", new Linear(20, 20));

    @Override
    public Tensor forward(Tensor x) {
        x = linear.call(x);
        x = F.relu(x.matmul(randWeight).add(1));
        x = linear.call(x); // the same layer again: its parameters are shared
        while (x.abs().sum().item() > 1) {
            x = x.div(2);
        }
        return x.sum();
    }
}
