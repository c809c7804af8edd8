package dev.cairn.nn;

import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Tensor;

/**
 * {@code x} where {@code x > 0}, else {@code negativeSlope * x}, like {@code torch.nn.LeakyReLU}
 * (default slope 0.01). At exactly 0 the gradient is {@code negativeSlope}, as in PyTorch.
 */
public class LeakyReLU extends Module {
    private final double negativeSlope;

    /** {@code LeakyReLU(0.01)}, PyTorch's default. */
    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    public double negativeSlope() {
        return negativeSlope;
    }

    @Override
    public Tensor forward(Tensor input) {
        return leakyRelu(input, negativeSlope);
    }

    /** {@code F.leaky_relu(x, negativeSlope)}. */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        float slope = (float) negativeSlope;
        Tensor factor;
        try (var g = GradMode.noGrad()) {
            Tensor positive = x.gt(0f); // 1 where x > 0 (NaN: 0, and NaN * slope stays NaN)
            factor = positive.mul(1 - slope).add(slope); // 1 or slope, a constant for autograd
        }
        return x.mul(factor);
    }

    @Override
    public String extraRepr() {
        return "negative_slope=" + PyRepr.floatRepr(negativeSlope);
    }
}
