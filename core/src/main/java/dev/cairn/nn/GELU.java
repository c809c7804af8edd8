package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;

/** GELU as a module, like {@code torch.nn.GELU(approximate='none'|'tanh')}. */
public class GELU extends Module {
    private final String approximate;

    /** The exact (erf) form. */
    public GELU() {
        this("none");
    }

    /** {@code "none"} (exact) or {@code "tanh"}. */
    public GELU(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new CairnException("GELU: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        }
        this.approximate = approximate;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.gelu(approximate);
    }

    @Override
    public String extraRepr() {
        return "approximate='" + approximate + "'";
    }
}
