package dev.cairn.autograd;

import dev.cairn.tensor.CairnException;
import dev.cairn.tensor.Tensor;
import java.util.List;

/**
 * One recorded operation in the autograd graph (PyTorch's {@code grad_fn}): its inputs and how to
 * turn the output's gradient into theirs. After a backward pass the node is released: it drops its
 * inputs and saved tensors, so the graph can be collected, and a second backward through it is an
 * error.
 */
public final class GradNode {
    private final String name;
    private Tensor[] inputs;
    private BackwardFn backward;
    private final int[] versions;
    private final java.util.function.ToIntFunction<Tensor> versionOf;

    public GradNode(String name, Tensor[] inputs, BackwardFn backward) {
        this(name, inputs, backward, null, null);
    }

    /**
     * A node that also remembers how many in-place writes each input's memory had when it was used, so a
     * backward after such a write is an error (PyTorch's "modified by an inplace operation").
     */
    public GradNode(String name, Tensor[] inputs, BackwardFn backward, int[] versions,
                    java.util.function.ToIntFunction<Tensor> versionOf) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
        this.versions = versions;
        this.versionOf = versionOf;
    }

    /** Throws when an input was written in place after this operation used it. */
    void checkInputsUnchanged() {
        if (versions == null || inputs == null) {
            return;
        }
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in != null && !in.isClosed() && versionOf.applyAsInt(in) != versions[i]) {
                throw new CairnException("backward: input " + i + " of " + name + " (shape "
                        + java.util.Arrays.toString(in.shape()) + ") was modified in place (copyFrom) after " + name
                        + " used it, so its gradient would be wrong; modify it after backward, or use a copy");
            }
        }
    }

    /** The operation's name, e.g. {@code MulBackward}. */
    public String name() {
        return name;
    }

    /** The recorded inputs (empty once released). */
    public List<Tensor> inputs() {
        Tensor[] in = inputs;
        return in == null ? List.of() : java.util.Arrays.asList(in);
    }

    /** Whether a backward pass has already consumed this node. */
    public boolean isReleased() {
        return backward == null;
    }

    Tensor[] inputArray() {
        if (inputs == null) {
            throw releasedError();
        }
        return inputs;
    }

    Tensor[] backward(Tensor gradOutput) {
        if (backward == null) {
            throw releasedError();
        }
        return backward.apply(gradOutput);
    }

    void release() {
        inputs = null;
        backward = null;
    }

    private CairnException releasedError() {
        return new CairnException("trying to backward through the graph a second time (" + name
                + "): its saved tensors were freed after the first backward; call backward once per forward pass");
    }

    /** PyTorch's spelling, e.g. {@code <MulBackward0>} (PyTorch numbers the overloads of an op; Cairn's are all 0). */
    @Override
    public String toString() {
        return "<" + name + (Character.isDigit(name.charAt(name.length() - 1)) ? "" : "0") + ">";
    }
}
