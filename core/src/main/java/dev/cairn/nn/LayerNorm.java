package dev.cairn.nn;

import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;
import java.util.Arrays;

/**
 * Layer normalisation over the trailing {@code normalizedShape} dimensions, like {@code torch.nn.LayerNorm}:
 * biased variance, {@code eps} inside the square root, and (with {@code elementwiseAffine}) a weight of ones
 * and a bias of zeros of {@code normalizedShape}.
 */
public class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final float eps;
    /** Null without {@code elementwiseAffine}. */
    public final Parameter weight;
    public final Parameter bias;

    public LayerNorm(int normalizedSize) {
        this(new int[] {normalizedSize}, 1e-5f, true);
    }

    public LayerNorm(int[] normalizedShape, float eps, boolean elementwiseAffine) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] s = input.shape();
        int k = normalizedShape.length;
        if (s.length < k || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape)) {
            throw new ShapeException("LayerNorm" + PyRepr.tuple(normalizedShape) + " expects input of shape [..., "
                    + Shapes.format(normalizedShape).replaceAll("[\\[\\]]", "") + "], got " + Shapes.format(s));
        }
        return F.layerNorm(input, k, weight, bias, eps);
    }

    @Override
    public String extraRepr() {
        return PyRepr.tuple(normalizedShape) + ", eps=" + PyRepr.number(eps) + ", elementwise_affine="
                + PyRepr.bool(weight != null);
    }
}
