package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** {@code x} for positive inputs, {@code negativeSlope * x} otherwise, like {@code torch.nn.LeakyReLU}. */
public class LeakyReLU extends Module {
    private final float negativeSlope;

    public LeakyReLU() {
        this(0.01f);
    }

    public LeakyReLU(float negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.leakyRelu(negativeSlope);
    }

    @Override
    public String extraRepr() {
        return "negative_slope=" + PyRepr.number(negativeSlope);
    }
}
