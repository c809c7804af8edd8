package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** Average pooling to a fixed output size, like {@code torch.nn.AdaptiveAvgPool2d}. */
public class AdaptiveAvgPool2d extends Module {
    private final int outH;
    private final int outW;
    private final boolean square;

    /** A square {@code outputSize x outputSize} output. */
    public AdaptiveAvgPool2d(int outputSize) {
        this.outH = outputSize;
        this.outW = outputSize;
        this.square = true;
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        this.outH = outH;
        this.outW = outW;
        this.square = false;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.adaptiveAvgPool2d(input, outH, outW);
    }

    @Override
    public String extraRepr() {
        return "output_size=" + (square ? Integer.toString(outH) : PyRepr.tuple(outH, outW));
    }
}
