package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** Log-softmax along one dimension as a module, like {@code torch.nn.LogSoftmax(dim)}. */
public class LogSoftmax extends Module {
    private final int dim;

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.logSoftmax(dim);
    }

    @Override
    public String extraRepr() {
        return "dim=" + dim;
    }
}
