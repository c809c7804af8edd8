package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** {@code log(softmax(x))} along {@code dim}, computed stably, like {@code torch.nn.LogSoftmax(dim)}; see {@link Losses#logSoftmax}. */
public class LogSoftmax extends Module {
    private final int dim;

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    public int dim() {
        return dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Losses.logSoftmax(input, dim);
    }

    @Override
    public String extraRepr() {
        return "dim=" + dim;
    }
}
