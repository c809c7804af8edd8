package dev.cairn.tensor;

import dev.cairn.autograd.BackwardFn;
import dev.cairn.autograd.GradMode;
import dev.cairn.autograd.GradNode;
import java.util.Arrays;

/**
 * The one place where the autograd graph grows: every differentiable primitive ends by calling
 * {@link #record}. Composite ops never call it; they are differentiable because their parts are.
 */
final class Graph {
    static final Tensor[] NO_SAVED = new Tensor[0];

    private Graph() {
    }

    /** Records {@code out} as made by {@code name} from {@code inputs}, when grad mode is on and an input requires grad. */
    static Tensor record(Tensor out, String name, BackwardFn backward, Tensor... inputs) {
        return record(out, name, NO_SAVED, backward, inputs);
    }

    /**
     * Like {@link #record(Tensor, String, BackwardFn, Tensor...)}, also noting the tensors whose values
     * the backward reads ({@code saved}, which may include {@code out}) and how many in-place writes their
     * memory has had, so that backward after such a write fails instead of computing a wrong gradient.
     */
    static Tensor record(Tensor out, String name, Tensor[] saved, BackwardFn backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return out;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                int[] versions = new int[saved.length];
                for (int i = 0; i < saved.length; i++) {
                    versions[i] = version(saved[i]);
                }
                out.setGradFn(new GradNode(name, inputs, backward, saved, versions, Graph::version));
                return out;
            }
        }
        return out;
    }

    /** How many in-place writes {@code t}'s memory has had (autograd compares it with the count at use). */
    static int version(Tensor t) {
        return t.rawBody().shared.version();
    }

    /** Sums a broadcast gradient back down to {@code target}'s shape. */
    static Tensor sumTo(Tensor grad, int[] target) {
        int[] gs = grad.shape();
        if (Arrays.equals(gs, target)) {
            return grad;
        }
        int lead = gs.length - target.length;
        int[] dims = new int[gs.length];
        int count = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (target[i - lead] == 1 && gs[i] != 1)) {
                dims[count++] = i;
            }
        }
        Tensor reduced = count == 0 ? grad : grad.sum(Arrays.copyOf(dims, count), true);
        return reduced.reshape(target);
    }
}
