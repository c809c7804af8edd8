package dev.cairn.nn;

import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * A {@link Linear} layer whose {@code in_features} is inferred from its first input, like
 * {@code torch.nn.LazyLinear(out_features)} (D2L's deferred initialisation). Until then its
 * {@link #weight} and {@link #bias} are uninitialised parameters: they are listed by
 * {@code parameters()} and the state dict, but any use as a tensor is an error saying to run a forward
 * pass first. The first forward pass creates them on the input's device, initialised as Linear does
 * (uniform in +/- 1/sqrt(in_features), weight then bias, from the layer's generator), so a seeded
 * LazyLinear matches a Linear built with the same seed. Loading a state dict into an uninitialised
 * layer takes the shapes from the state dict, as PyTorch does.
 *
 * <p>Once initialised it prints and names itself as {@code Linear}, as PyTorch's class does
 * (it turns into a {@code Linear}); it stays a {@code LazyLinear} for Java's {@code instanceof}.
 * Run the first forward pass before sharing the layer between threads.
 */
public class LazyLinear extends Module {
    private final int outFeatures;
    private final Generator generator;
    /** {@code [out_features, in_features]}; uninitialised before the first forward pass. */
    public final Parameter weight;
    /** {@code [out_features]}, or null for a layer without bias; uninitialised before the first forward pass. */
    public final Parameter bias;

    public LazyLinear(int outFeatures) {
        this(outFeatures, true, Generator.global());
    }

    public LazyLinear(int outFeatures, boolean bias) {
        this(outFeatures, bias, Generator.global());
    }

    /** A layer whose initial values (drawn at the first forward pass) come from {@code generator}. */
    public LazyLinear(int outFeatures, boolean bias, Generator generator) {
        if (outFeatures < 0) {
            throw new ShapeException("LazyLinear: out_features must be >= 0, got " + outFeatures);
        }
        this.outFeatures = outFeatures;
        this.generator = generator;
        String message = "LazyLinear(out_features=" + outFeatures + ") has not been initialised yet: "
                + "run a forward pass first (D2L's deferred initialisation)";
        this.weight = registerParameter("weight", new Parameter(message, new int[] {outFeatures, -1}, true));
        this.bias = bias ? registerParameter("bias", new Parameter(message, new int[] {outFeatures}, true)) : null;
    }

    /** Whether the first forward pass (or a state-dict load) has created the parameters. */
    public boolean isInitialized() {
        return weight.isInitialized() && (bias == null || bias.isInitialized());
    }

    /** The inferred input width, 0 before initialisation (as PyTorch reports). */
    public int inFeatures() {
        return weight.isInitialized() ? weight.size(1) : 0;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (!isInitialized()) {
            initializeFrom(input);
        }
        int in = inFeatures();
        int[] s = input.shape();
        if (s.length == 0 || s[s.length - 1] != in) {
            throw new ShapeException("Linear(in_features=" + in + ", out_features=" + outFeatures
                    + ") expects input of shape [..., " + in + "], got " + Shapes.format(s) + ": this LazyLinear"
                    + " inferred in_features=" + in + " from its first input, but this input has "
                    + (s.length == 0 ? "no dimensions" : s[s.length - 1] + " features"));
        }
        return F.linear(input, weight, bias);
    }

    private synchronized void initializeFrom(Tensor input) {
        if (isInitialized()) {
            return;
        }
        int[] s = input.shape();
        int in;
        if (weight.isInitialized()) {
            in = weight.size(1); // the weight came from a state dict without the bias
        } else if (s.length == 0) {
            throw new ShapeException("LazyLinear(out_features=" + outFeatures + ") infers in_features from the last"
                    + " dimension of its first input, but got a 0-dim tensor");
        } else {
            in = s[s.length - 1];
        }
        float bound = in > 0 ? (float) (1.0 / Math.sqrt(in)) : 0f;
        if (!weight.isInitialized()) {
            weight.initialize(uniform(bound, input, outFeatures, in));
        }
        if (bias != null && !bias.isInitialized()) {
            bias.initialize(uniform(bound, input, outFeatures));
        }
    }

    private Tensor uniform(float bound, Tensor like, int... shape) {
        float[] data = new float[Shapes.numel(shape)];
        generator.fillUniform(data, -bound, bound);
        Tensor host = Tensor.of(data, shape);
        Tensor moved = host.to(like.device());
        if (moved != host) {
            host.close();
        }
        return moved;
    }

    /** {@code Linear} once initialised (PyTorch's LazyLinear turns into a Linear), else {@code LazyLinear}. */
    @Override
    public String getName() {
        return isInitialized() ? "Linear" : "LazyLinear";
    }

    @Override
    public String extraRepr() {
        return "in_features=" + inFeatures() + ", out_features=" + outFeatures + ", bias=" + (bias != null ? "True" : "False");
    }
}
