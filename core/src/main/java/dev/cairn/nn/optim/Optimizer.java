package dev.cairn.nn.optim;

import dev.cairn.nn.Parameter;
import dev.cairn.tensor.CairnException;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates a fixed list of parameters from their gradients, like {@code torch.optim.Optimizer} with a
 * single parameter group: call {@link #zeroGrad()}, run forward and {@code backward()}, then
 * {@link #step()}. Parameters without a gradient are skipped.
 *
 * <p>Updates are written with Tensor ops under {@code GradMode.noGrad()}, so they run on whatever
 * device holds the parameters, and are stored into each parameter's memory in place (its identity,
 * and that of its data, stay the same). Per-parameter state (momentum, moment estimates) is kept
 * by parameter identity. Create the optimizer after moving the model to its device; if a parameter
 * moves later, its state follows it on the next step.
 *
 * <p>A {@link Parameter} whose memory is a view that cannot be written in place (e.g. made from a
 * transposed tensor) is pointed at a contiguous copy of its values when the optimizer is made, so it
 * no longer shares memory with the tensor it was made from.
 *
 * <p>The state tensors are allocated when the optimizer is made (zeros, on each parameter's device),
 * so a {@link dev.cairn.tensor.TensorScope} opened per training step does not close them; make the
 * optimizer outside such scopes.
 */
public abstract class Optimizer {
    private final List<Tensor> params;
    private double lr;

    /**
     * @param params the tensors to optimise: leaf tensors that require grad, usually
     *               {@code model.parameters()}; each at most once
     * @param lr     the learning rate, {@code >= 0}
     */
    protected Optimizer(String name, Iterable<? extends Tensor> params, double lr) {
        if (params == null) {
            throw new CairnException(name + ": the parameter list is null");
        }
        checkLr(name, lr);
        List<Tensor> list = new ArrayList<>();
        Map<Tensor, Integer> seen = new IdentityHashMap<>();
        for (Tensor p : params) {
            if (p == null) {
                throw new CairnException(name + ": parameter " + list.size() + " is null");
            }
            Integer before = seen.putIfAbsent(p, list.size());
            if (before != null) {
                throw new CairnException(name + ": parameter " + list.size() + " is the same tensor as parameter "
                        + before + "; pass each parameter once");
            }
            if (!p.isLeaf()) {
                throw new CairnException(name + ": parameter " + list.size() + " is not a leaf tensor (made by "
                        + p.gradFn().name() + "); an optimizer can only update leaves");
            }
            ensureWritable(name, list.size(), p);
            list.add(p);
        }
        if (list.isEmpty()) {
            throw new CairnException(name + ": got an empty parameter list");
        }
        this.params = Collections.unmodifiableList(list);
        this.lr = lr;
    }

    private static void checkLr(String name, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new CairnException(name + ": invalid learning rate " + lr + " (must be a finite number >= 0)");
        }
    }

    /** The parameters this optimizer updates, in the order given. */
    public List<Tensor> parameters() {
        return params;
    }

    /** The learning rate. */
    public double lr() {
        return lr;
    }

    /** Changes the learning rate for the following steps (for a schedule). */
    public void setLr(double lr) {
        checkLr(getClass().getSimpleName(), lr);
        this.lr = lr;
    }

    /** Clears every parameter's gradient (PyTorch's {@code zero_grad()}, which sets them to None). */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.setGrad(null);
        }
    }

    /** Applies one update to every parameter that has a gradient. */
    public abstract void step();

    /**
     * Makes sure {@code p}'s memory can be updated in place: a {@link Parameter} over a view (which
     * {@code copyFrom} cannot write) is pointed at a contiguous copy of its values once, here, keeping
     * its gradient; any other tensor that cannot be written is an error.
     */
    private static void ensureWritable(String name, int index, Tensor p) {
        if (p.isWritableInPlace()) {
            return; // checked without writing: a write would count as an in-place change for autograd
        }
        if (p instanceof Parameter param) {
            Tensor grad = param.grad();
            try (var g = dev.cairn.autograd.GradMode.noGrad()) {
                param.setData(param.data().copy());
            }
            param.setGrad(grad);
        } else {
            throw new CairnException(name + ": parameter " + index + " cannot be updated in place (a view or closed "
                    + "tensor); pass a contiguous tensor that owns its memory, or a Parameter");
        }
    }

    /**
     * Stores {@code value} into parameter {@code p}: in place when its memory allows, else (a
     * {@link Parameter} re-pointed at a view since the optimizer was made) by pointing the parameter
     * at {@code value}, keeping its gradient; the new memory is then kept from {@code scope}.
     */
    protected static void assign(TensorScope scope, Tensor p, Tensor value) {
        try {
            p.copyFrom(value);
        } catch (CairnException e) {
            if (p instanceof Parameter param) {
                Tensor grad = param.grad();
                param.setData(value);
                param.setGrad(grad);
                TensorScope.forget(value);
                return;
            }
            throw new CairnException("cannot update the parameter of shape " + java.util.Arrays.toString(p.shape())
                    + " in place: " + e.getMessage(), e);
        }
    }

    /** {@code state} on {@code p}'s device, or a fresh copy there when the parameter moved. */
    protected static Tensor onDeviceOf(Tensor p, Tensor state, String what) {
        if (state.isClosed()) {
            throw new CairnException("optimizer state '" + what + "' has been closed (was the optimizer made "
                    + "inside a TensorScope that has ended?); make the optimizer outside per-step scopes");
        }
        if (state.device().equals(p.device())) {
            return state;
        }
        return state.to(p.device());
    }
}
