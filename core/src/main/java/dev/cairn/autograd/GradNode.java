package dev.cairn.autograd;

import dev.cairn.CairnException;
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
    private Tensor[] saved;
    private final int[] versions;
    private final java.util.function.ToIntFunction<Tensor> versionOf;

    public GradNode(String name, Tensor[] inputs, BackwardFn backward) {
        this(name, inputs, backward, null, null, null);
    }

    /**
     * A node that also remembers the tensors its backward reads ({@code saved}) and how many in-place
     * writes their memory had when it ran, so a backward after such a write is an error (PyTorch's
     * "modified by an inplace operation").
     */
    public GradNode(String name, Tensor[] inputs, BackwardFn backward, Tensor[] saved, int[] versions,
                    java.util.function.ToIntFunction<Tensor> versionOf) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
        this.saved = saved;
        this.versions = versions;
        this.versionOf = versionOf;
    }

    /** Throws when a tensor this operation saved for backward was closed or written in place since. */
    void checkSavedUnchanged() {
        if (saved == null) {
            return;
        }
        for (int i = 0; i < saved.length; i++) {
            Tensor t = saved[i];
            if (t.isClosed()) {
                throw closedSavedTensor("a tensor of shape " + java.util.Arrays.toString(t.shape()) + " on " + t.device(), null);
            }
            if (versionOf.applyAsInt(t) != versions[i]) {
                throw new CairnException("backward: a tensor of shape " + java.util.Arrays.toString(t.shape())
                        + " that " + this + " saved for its gradient was modified in place (copyFrom) since, so the"
                        + " gradient would be wrong; modify it after backward, or use a copy");
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
        saved = null;
    }

    /**
     * The error for a backward that needs a tensor which was closed after the forward pass, usually by a
     * {@code TensorScope} that ended before {@code backward} ran: names this op and the fix.
     */
    CairnException closedSavedTensor(String what, Throwable cause) {
        return new CairnException("backward: " + this + " needs " + what + " to compute its gradient, but that tensor"
                + " has been closed (a TensorScope that ended, or close()) before backward ran; run backward inside"
                + " the scope that made it, or keep the tensors the graph needs with scope.keep(...) and close them"
                + " after backward", cause);
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
