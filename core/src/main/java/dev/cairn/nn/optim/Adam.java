package dev.cairn.nn.optim;

import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.CairnException;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam, with exactly {@code torch.optim.Adam}'s update (weight decay as an L2 term added to the
 * gradient, not AdamW's decoupled decay). For each parameter {@code p} with gradient {@code g}, at
 * its step {@code t = 1, 2, ...}:
 *
 * <pre>
 *   g = g + weight_decay * p
 *   m = m + (1 - beta1) * (g - m)                 (m starts at 0; torch's lerp)
 *   v = beta2 * v + (1 - beta2) * g * g           (v starts at 0)
 *   vmax = max(vmax, v)                           (amsgrad only; then v = vmax below)
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * The bias corrections are computed in double precision, as Python floats are in PyTorch.
 */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;
    private final Map<Tensor, State> states = new IdentityHashMap<>();

    /** Per-parameter state: the step count and the moment estimates. */
    private static final class State {
        long step;
        Tensor expAvg;
        Tensor expAvgSq;
        Tensor maxExpAvgSq;
    }

    /** Adam with PyTorch's defaults except the learning rate: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(Iterable<? extends Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** Adam with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(Iterable<? extends Tensor> params) {
        this(params, 1e-3);
    }

    public Adam(Iterable<? extends Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, false);
    }

    /**
     * @param beta1       decay of the running mean of gradients, in [0, 1)
     * @param beta2       decay of the running mean of squared gradients, in [0, 1)
     * @param eps         added to the denominator, {@code >= 0}
     * @param weightDecay L2 penalty factor added to the gradient, {@code >= 0}
     * @param amsgrad     use the maximum of past squared-gradient averages (AMSGrad)
     */
    public Adam(Iterable<? extends Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                boolean amsgrad) {
        super("Adam", params, lr);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new CairnException("Adam: invalid beta parameter at index 0: " + beta1 + " (must be in [0, 1))");
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new CairnException("Adam: invalid beta parameter at index 1: " + beta2 + " (must be in [0, 1))");
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new CairnException("Adam: invalid epsilon value " + eps + " (must be a finite number >= 0)");
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new CairnException("Adam: invalid weight decay " + weightDecay + " (must be a finite number >= 0)");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.amsgrad = amsgrad;
        for (Tensor p : parameters()) {
            State s = new State();
            s.expAvg = Tensor.zeros(p.device(), p.shape());
            s.expAvgSq = Tensor.zeros(p.device(), p.shape());
            if (amsgrad) {
                s.maxExpAvgSq = Tensor.zeros(p.device(), p.shape());
            }
            states.put(p, s);
        }
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public boolean amsgrad() {
        return amsgrad;
    }

    /** How many steps have updated {@code p} (0 before the first). */
    public long stepCount(Tensor p) {
        State s = states.get(p);
        return s == null ? 0 : s.step;
    }

    /** The running mean of {@code p}'s gradients (null before its first step); do not modify it. */
    public Tensor expAvg(Tensor p) {
        State s = states.get(p);
        return s == null || s.step == 0 ? null : s.expAvg;
    }

    /** The running mean of {@code p}'s squared gradients (null before its first step); do not modify it. */
    public Tensor expAvgSq(Tensor p) {
        State s = states.get(p);
        return s == null || s.step == 0 ? null : s.expAvgSq;
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
                State s = states.get(p);
                s.expAvg = follow(scope, p, s.expAvg, "exp_avg");
                s.expAvgSq = follow(scope, p, s.expAvgSq, "exp_avg_sq");
                if (amsgrad) {
                    s.maxExpAvgSq = follow(scope, p, s.maxExpAvgSq, "max_exp_avg_sq");
                }
                s.step++;
                if (weightDecay != 0) {
                    grad = grad.add(p.mul((float) weightDecay));
                }
                s.expAvg.copyFrom(s.expAvg.add(grad.sub(s.expAvg).mul((float) (1 - beta1))));
                s.expAvgSq.copyFrom(s.expAvgSq.mul((float) beta2).add(grad.mul(grad).mul((float) (1 - beta2))));
                double biasCorrection1 = 1 - Math.pow(beta1, s.step);
                double biasCorrection2 = 1 - Math.pow(beta2, s.step);
                float stepSize = (float) (lr / biasCorrection1);
                float biasCorrection2Sqrt = (float) Math.sqrt(biasCorrection2);
                Tensor second = s.expAvgSq;
                if (amsgrad) {
                    s.maxExpAvgSq.copyFrom(s.maxExpAvgSq.maximum(s.expAvgSq));
                    second = s.maxExpAvgSq;
                }
                Tensor denom = second.sqrt().div(biasCorrection2Sqrt).add((float) eps);
                Tensor updated = p.sub(s.expAvg.div(denom).mul(stepSize));
                assign(scope, p, updated);
            }
        }
    }

    private static Tensor follow(TensorScope scope, Tensor p, Tensor state, String what) {
        Tensor moved = onDeviceOf(p, state, what);
        return moved == state ? state : TensorScope.forget(moved);
    }

    @Override
    protected Map<String, Object> hyperParameters() {
        Map<String, Object> h = new java.util.LinkedHashMap<>();
        h.put("lr", lr());
        h.put("beta1", beta1);
        h.put("beta2", beta2);
        h.put("eps", eps);
        h.put("weight_decay", weightDecay);
        h.put("amsgrad", amsgrad);
        return h;
    }

    @Override
    protected List<String> stateNames() {
        return amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    protected OptimizerState.ParamState paramState(Tensor p) {
        State s = states.get(p);
        if (s.step == 0) {
            return null;
        }
        Map<String, Tensor> t = new java.util.LinkedHashMap<>();
        t.put("exp_avg", s.expAvg);
        t.put("exp_avg_sq", s.expAvgSq);
        if (amsgrad) {
            t.put("max_exp_avg_sq", s.maxExpAvgSq);
        }
        return new OptimizerState.ParamState(s.step, t);
    }

    @Override
    protected void loadParamState(Tensor p, OptimizerState.ParamState state) {
        State s = states.get(p);
        Tensor[] old = {s.expAvg, s.expAvgSq, s.maxExpAvgSq};
        if (state == null) {
            s.step = 0;
            s.expAvg = TensorScope.forget(Tensor.zeros(p.device(), p.shape()));
            s.expAvgSq = TensorScope.forget(Tensor.zeros(p.device(), p.shape()));
            s.maxExpAvgSq = amsgrad ? TensorScope.forget(Tensor.zeros(p.device(), p.shape())) : null;
        } else {
            s.step = state.step();
            s.expAvg = stateCopy(p, required(state, "exp_avg", "Adam"));
            s.expAvgSq = stateCopy(p, required(state, "exp_avg_sq", "Adam"));
            s.maxExpAvgSq = amsgrad ? stateCopy(p, required(state, "max_exp_avg_sq", "Adam")) : null;
        }
        for (Tensor t : old) {
            if (t != null) {
                t.close();
            }
        }
    }
}
