package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;

/**
 * Randomly zeroes elements during training, like {@code torch.nn.Dropout}: in training mode each element
 * is kept with probability {@code 1 - p} and the kept ones are scaled by {@code 1 / (1 - p)}, so the
 * expected value is unchanged; in evaluation mode ({@link #eval()}) it returns its input. {@code p = 0}
 * returns the input in both modes, {@code p = 1} zeroes everything in training mode, as in PyTorch.
 *
 * <p>The mask comes from a {@link Generator}'s counter-based stream (the global generator unless given),
 * made on the input's device ({@link Tensor#dropout}): no host transfer, and a seeded generator gives the same
 * masks again, on every device. The generator is synchronized, but threads sharing one draw an order that
 * depends on scheduling: train from one thread, or give each its own model.
 */
public class Dropout extends Module {
    private final double p;
    private final Generator generator;

    /** {@code Dropout(0.5)}, PyTorch's default. */
    public Dropout() {
        this(0.5);
    }

    public Dropout(double p) {
        this(p, Generator.global());
    }

    /** Dropout whose masks come from {@code generator}. */
    public Dropout(double p, Generator generator) {
        if (!(p >= 0 && p <= 1)) {
            throw new CairnException("Dropout: dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
        this.generator = java.util.Objects.requireNonNull(generator, "generator");
    }

    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor input) {
        return dropout(input, p, isTraining(), generator);
    }

    /**
     * {@code F.dropout}: with {@code training} false or {@code p = 0} the input itself; with {@code p = 1}
     * zeros (with a zero gradient); else {@code input * mask / (1 - p)} with {@code mask} drawn from
     * {@code generator} on the input's device ({@link Tensor#dropout}).
     */
    public static Tensor dropout(Tensor input, double p, boolean training, Generator generator) {
        if (!(p >= 0 && p <= 1)) {
            throw new CairnException("dropout: dropout probability has to be between 0 and 1, but got " + p);
        }
        if (!training || p == 0) {
            return input;
        }
        return input.dropout(p, generator);
    }

    @Override
    public String extraRepr() {
        return "p=" + PyRepr.floatRepr(p) + ", inplace=False";
    }
}
