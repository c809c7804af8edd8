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

    public GradNode(String name, Tensor[] inputs, BackwardFn backward) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
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

    @Override
    public String toString() {
        return "<" + name + ">";
    }
}
