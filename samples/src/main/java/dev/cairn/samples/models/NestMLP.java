package dev.cairn.samples.models;

import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.nn.ReLU;
import dev.cairn.nn.Sequential;
import dev.cairn.tensor.Tensor;

/** D2L's NestMLP: a Sequential nested inside a custom block, followed by a Linear layer. */
public class NestMLP extends Module {
    private final Sequential net = register("net",
            new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 32), new ReLU()));
    private final Linear linear = register("linear", new Linear(32, 16));

    @Override
    public Tensor forward(Tensor x) {
        return linear.call(net.call(x));
    }
}
