package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** Softmax along one dimension as a module, like {@code torch.nn.Softmax(dim)}. */
public class Softmax extends Module {
    private final int dim;

    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.softmax(dim);
    }

    @Override
    public String extraRepr() {
        return "dim=" + dim;
    }
}
