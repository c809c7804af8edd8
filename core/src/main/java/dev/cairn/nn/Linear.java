package dev.cairn.nn;

import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * A fully connected layer {@code y = x @ weight^T + bias}, like {@code torch.nn.Linear}: weight
 * {@code [out_features, in_features]}, bias {@code [out_features]}, both initialised uniformly in
 * +/- 1/sqrt(in_features) as PyTorch does.
 */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    /** {@code [out_features, in_features]}. */
    public final Parameter weight;
    /** {@code [out_features]}, or null for a layer without bias. */
    public final Parameter bias;
    /** {@link #forwardRelu} as the operator {@link #fusedWith} hands out (made once, not per call). */
    private final java.util.function.UnaryOperator<Tensor> fusedRelu = this::forwardRelu;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Generator.global());
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Generator.global());
    }

    /** A layer whose initial values come from {@code generator}. */
    public Linear(int inFeatures, int outFeatures, boolean bias, Generator generator) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new ShapeException("Linear: feature counts must be >= 0, got in_features=" + inFeatures
                    + ", out_features=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        float bound = inFeatures > 0 ? (float) (1.0 / Math.sqrt(inFeatures)) : 0f;
        this.weight = registerParameter("weight", uniform(generator, bound, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", uniform(generator, bound, outFeatures)) : null;
    }

    private static Tensor uniform(Generator g, float bound, int... shape) {
        float[] data = new float[Shapes.numel(shape)];
        g.fillUniform(data, -bound, bound);
        return Tensor.of(data, shape);
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    private void checkInput(Tensor input) {
        int d = input.dim();
        if (d == 0 || input.size(d - 1) != inFeatures) {
            int[] s = input.shape();
            throw new ShapeException("Linear(in_features=" + inFeatures + ", out_features=" + outFeatures
                    + ") expects input of shape [..., " + inFeatures + "], got " + Shapes.format(s)
                    + (s.length == 0 ? "" : "; if the input is right, build this layer with in_features=" + s[s.length - 1]
                    + " (or use LazyLinear, which infers it from its first input)"));
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        checkInput(input);
        return F.linear(input, weight, bias);
    }

    /** A plain Linear followed by a plain ReLU fuses: one GEMM with bias and ReLU in its output pass. */
    @Override
    protected java.util.function.UnaryOperator<Tensor> fusedWith(Module next) {
        return getClass() == Linear.class && next.getClass() == ReLU.class ? fusedRelu : null;
    }

    /** {@code relu(forward(input))} in one fused pass; {@link Sequential} uses it for Linear followed by ReLU. */
    public Tensor forwardRelu(Tensor input) {
        checkInput(input);
        return F.linearRelu(input, weight, bias);
    }

    @Override
    public String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null ? "True" : "False");
    }
}
