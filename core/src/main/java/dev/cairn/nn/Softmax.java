package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** {@code softmax(x)} along {@code dim}, like {@code torch.nn.Softmax(dim)}; see {@link Losses#softmax}. */
public class Softmax extends Module {
    private final int dim;

    public Softmax(int dim) {
        this.dim = dim;
    }

    public int dim() {
        return dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Losses.softmax(input, dim);
    }

    @Override
    public String extraRepr() {
        return "dim=" + dim;
    }
}
