package dev.cairn.nn.optim;

import dev.cairn.nn.Parameter;
import dev.cairn.CairnException;
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
    /** The learning rate when the first scheduler was attached (PyTorch's {@code initial_lr}); NaN before. */
    private double initialLr = Double.NaN;

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
    // ---- state dict -----------------------------------------------------------------------

    /**
     * The learning rate schedules start from: the rate when the first {@link LRScheduler} was made for this
     * optimizer (PyTorch's {@code initial_lr}); set on that first call.
     */
    double initialLr() {
        if (Double.isNaN(initialLr)) {
            initialLr = lr;
        }
        return initialLr;
    }

    /** Hyper-parameters by PyTorch's names ({@code Double} or {@code Boolean} values), {@code lr} first. */
    protected abstract Map<String, Object> hyperParameters();

    /** The names of the state tensors a parameter has once updated ({@code exp_avg}, ...), in order. */
    protected abstract List<String> stateNames();

    /** {@code p}'s state (step count and state tensors, not copied), or null before its first update. */
    protected abstract OptimizerState.ParamState paramState(Tensor p);

    /** Replaces {@code p}'s state by a copy of {@code state} (null: as before its first update); shapes are checked. */
    protected abstract void loadParamState(Tensor p, OptimizerState.ParamState state);

    /**
     * A snapshot of this optimizer (hyper-parameters, step counts, state tensors copied to the host's
     * memory on the CPU), like PyTorch's {@code optimizer.state_dict()}; close it when done.
     */
    public final OptimizerState stateDict() {
        Map<String, Object> hyper = new java.util.LinkedHashMap<>(hyperParameters());
        if (!Double.isNaN(initialLr)) {
            hyper.put("initial_lr", initialLr);
        }
        List<OptimizerState.ParamState> states = new ArrayList<>();
        try (var g = dev.cairn.autograd.GradMode.noGrad()) {
            for (Tensor p : params) {
                OptimizerState.ParamState s = paramState(p);
                if (s == null) {
                    states.add(null);
                    continue;
                }
                Map<String, Tensor> copies = new java.util.LinkedHashMap<>();
                s.tensors().forEach((k, v) -> copies.put(k, TensorScope.forget(v.to(dev.cairn.Device.cpu()).copy())));
                states.add(new OptimizerState.ParamState(s.step(), copies));
            }
        }
        return new OptimizerState(getClass().getSimpleName(), hyper, states);
    }

    /**
     * Restores a snapshot taken from an optimizer of the same class over parameters of the same shapes
     * (like PyTorch's {@code load_state_dict}), so training resumes exactly: the learning rate is taken
     * from the snapshot; every other hyper-parameter must be equal to this optimizer's (an error lists
     * those that differ). Everything is checked before anything changes.
     */
    public final void loadStateDict(OptimizerState state) {
        String name = getClass().getSimpleName();
        if (!state.optimizer().equals(name)) {
            throw new CairnException("cannot load the state of a " + state.optimizer() + " into a " + name);
        }
        if (state.params().size() != params.size()) {
            throw new CairnException(name + ": the saved state has " + state.params().size()
                    + " parameters, this optimizer has " + params.size());
        }
        List<String> differ = new ArrayList<>();
        Map<String, Object> own = hyperParameters();
        for (Map.Entry<String, Object> e : own.entrySet()) {
            Object saved = state.hyperParameters().get(e.getKey());
            if (!e.getKey().equals("lr") && !e.getValue().equals(saved)) {
                differ.add(e.getKey() + " (saved " + saved + ", here " + e.getValue() + ")");
            }
        }
        if (!differ.isEmpty()) {
            throw new CairnException(name + ": the saved state has other hyper-parameters: " + String.join(", ", differ)
                    + "; make the optimizer with the same settings");
        }
        if (!(state.hyperParameters().get("lr") instanceof Double savedLr)) {
            throw new CairnException(name + ": the saved state has no learning rate 'lr'");
        }
        for (int i = 0; i < params.size(); i++) {
            OptimizerState.ParamState s = state.params().get(i);
            if (s == null) {
                continue;
            }
            if (!s.tensors().keySet().equals(new java.util.HashSet<>(stateNames()))) {
                throw new CairnException(name + ": the saved state of parameter " + i + " holds " + s.tensors().keySet()
                        + ", this optimizer keeps " + stateNames());
            }
            for (Map.Entry<String, Tensor> e : s.tensors().entrySet()) {
                if (!java.util.Arrays.equals(e.getValue().shape(), params.get(i).shape())) {
                    throw new dev.cairn.tensor.ShapeException(name + ": saved state '" + e.getKey() + "' of parameter " + i
                            + " has shape " + java.util.Arrays.toString(e.getValue().shape()) + ", the parameter has shape "
                            + java.util.Arrays.toString(params.get(i).shape()));
                }
            }
        }
        setLr(savedLr);
        if (state.hyperParameters().get("initial_lr") instanceof Double init) {
            initialLr = init;
        }
        try (var g = dev.cairn.autograd.GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                loadParamState(params.get(i), state.params().get(i));
            }
        }
    }

    /** A copy of saved state tensor {@code t} on {@code p}'s device, kept from any open scope. */
    protected static Tensor stateCopy(Tensor p, Tensor t) {
        Tensor moved = t.to(p.device());
        return TensorScope.forget(moved == t ? t.copy() : moved);
    }

    /** The saved tensor {@code key}, or an error naming the optimizer, parameter and key. */
    protected static Tensor required(OptimizerState.ParamState s, String key, String optimizer) {
        Tensor t = s.tensors().get(key);
        if (t == null) {
            throw new CairnException(optimizer + ": the saved parameter state has no '" + key + "' (has: " + s.tensors().keySet() + ")");
        }
        return t;
    }
}
