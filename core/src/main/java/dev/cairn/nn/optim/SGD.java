package dev.cairn.nn.optim;

import dev.cairn.autograd.GradMode;
import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, weight decay (L2) and Nesterov
 * momentum, with exactly {@code torch.optim.SGD}'s update rule. For each parameter {@code p} with
 * gradient {@code g}:
 *
 * <pre>
 *   d = g + weight_decay * p
 *   if momentum != 0:
 *       buf = d                                           (first step)
 *       buf = momentum * buf + (1 - dampening) * d        (later steps)
 *       d = nesterov ? d + momentum * buf : buf
 *   p = p - lr * d
 * </pre>
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;
    /** Per parameter (with momentum only): the buffer, allocated up front, and whether it holds a value yet. */
    private final Map<Tensor, Tensor> momentumBuffers = new IdentityHashMap<>();
    private final Map<Tensor, Boolean> started = new IdentityHashMap<>();

    /** Plain SGD: {@code p -= lr * grad}. */
    public SGD(Iterable<? extends Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    /** SGD with momentum (no dampening, no weight decay). */
    public SGD(Iterable<? extends Tensor> params, double lr, double momentum) {
        this(params, lr, momentum, 0, 0, false);
    }

    /** SGD with momentum and weight decay. */
    public SGD(Iterable<? extends Tensor> params, double lr, double momentum, double weightDecay) {
        this(params, lr, momentum, 0, weightDecay, false);
    }

    /**
     * @param momentum    momentum factor, {@code >= 0} (0: none)
     * @param dampening   dampening of the momentum, {@code 0} unless you know better
     * @param weightDecay L2 penalty factor added to the gradient, {@code >= 0}
     * @param nesterov    Nesterov momentum (needs momentum {@code > 0} and dampening 0)
     */
    public SGD(Iterable<? extends Tensor> params, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov) {
        super("SGD", params, lr);
        if (!(momentum >= 0) || Double.isInfinite(momentum)) {
            throw new CairnException("SGD: invalid momentum " + momentum + " (must be a finite number >= 0)");
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new CairnException("SGD: invalid weight decay " + weightDecay + " (must be a finite number >= 0)");
        }
        if (Double.isNaN(dampening) || Double.isInfinite(dampening)) {
            throw new CairnException("SGD: invalid dampening " + dampening);
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new CairnException("SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum "
                    + momentum + ", dampening " + dampening);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        if (momentum != 0) {
            for (Tensor p : parameters()) {
                momentumBuffers.put(p, Tensor.zeros(p.device(), p.shape()));
            }
        }
    }

    public double momentum() {
        return momentum;
    }

    public double dampening() {
        return dampening;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public boolean nesterov() {
        return nesterov;
    }

    /** The momentum buffer of {@code p} (null before its first step or without momentum); do not modify it. */
    public Tensor momentumBuffer(Tensor p) {
        return started.containsKey(p) ? momentumBuffers.get(p) : null;
    }

    @Override
    public void step() {
        double lr = lr();
        try (var g = GradMode.noGrad(); var scope = TensorScope.open()) {
            for (Tensor p : parameters()) {
                Tensor grad = p.grad();
                if (grad == null) {
                    continue;
                }
                Tensor d = grad;
                if (weightDecay != 0) {
                    d = d.add(p.mul((float) weightDecay));
                }
                if (momentum != 0) {
                    Tensor buf = onDeviceOf(p, momentumBuffers.get(p), "momentum_buffer");
                    if (buf != momentumBuffers.get(p)) {
                        momentumBuffers.put(p, TensorScope.forget(buf));
                    }
                    if (started.put(p, Boolean.TRUE) == null) {
                        buf.copyFrom(d);
                    } else {
                        Tensor update = dampening == 0 ? d : d.mul((float) (1 - dampening));
                        buf.copyFrom(buf.mul((float) momentum).add(update));
                    }
                    d = nesterov ? d.add(buf.mul((float) momentum)) : buf;
                }
                Tensor updated = p.sub(d.mul((float) lr));
                assign(scope, p, updated);
            }
        }
    }

    @Override
    protected Map<String, Object> hyperParameters() {
        Map<String, Object> h = new java.util.LinkedHashMap<>();
        h.put("lr", lr());
        h.put("momentum", momentum);
        h.put("dampening", dampening);
        h.put("weight_decay", weightDecay);
        h.put("nesterov", nesterov);
        return h;
    }

    @Override
    protected List<String> stateNames() {
        return momentum == 0 ? List.of() : List.of("momentum_buffer");
    }

    @Override
    protected OptimizerState.ParamState paramState(Tensor p) {
        Tensor buf = momentumBuffer(p);
        return buf == null ? null : new OptimizerState.ParamState(0, Map.of("momentum_buffer", buf));
    }

    @Override
    protected void loadParamState(Tensor p, OptimizerState.ParamState state) {
        if (state == null || momentum == 0) {
            started.remove(p);
            return;
        }
        Tensor old = momentumBuffers.put(p, stateCopy(p, required(state, "momentum_buffer", "SGD")));
        started.put(p, Boolean.TRUE);
        if (old != null) {
            old.close();
        }
    }
}
