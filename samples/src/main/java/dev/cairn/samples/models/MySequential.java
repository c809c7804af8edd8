package dev.cairn.samples.models;

import dev.cairn.nn.Module;
import dev.cairn.tensor.Tensor;

/** D2L's MySequential: keeps its blocks in the module's own child registry, keyed "0", "1", ..., and runs them in order. */
public class MySequential extends Module {
    public MySequential(Module... modules) {
        for (int i = 0; i < modules.length; i++) {
            register(String.valueOf(i), modules[i]);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module block : children()) {
            x = block.call(x);
        }
        return x;
    }
}
