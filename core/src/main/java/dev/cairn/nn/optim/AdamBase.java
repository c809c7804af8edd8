package dev.cairn.nn.optim;

import dev.cairn.autograd.GradMode;
import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Adam} and {@link AdamW} share: their hyper-parameters and checks, the per-parameter moment
 * state (which follows a parameter to its device and saves and loads with {@link OptimizerFiles}), and the
 * bias-corrected step. A subclass says only how weight decay enters and how the first moment is updated,
 * as PyTorch 1.13's two optimizers differ there (bit for bit). Not thread-safe: step from one thread.
 */
abstract sealed class AdamBase extends Optimizer permits Adam, AdamW {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;
    private final Map<Tensor, State> states = new IdentityHashMap<>();

    /** Per-parameter state: the step count and the moment estimates. */
    static final class State {
        long step;
        Tensor expAvg;
        Tensor expAvgSq;
        Tensor maxExpAvgSq;
    }

    /** {@code weightDecayName} is how the error for a bad weight decay names it. */
    AdamBase(String name, Iterable<? extends Tensor> params, double lr, double beta1, double beta2, double eps,
             double weightDecay, String weightDecayName, boolean amsgrad) {
        super(name, params, lr);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new CairnException(name + ": invalid beta parameter at index 0: " + beta1 + " (must be in [0, 1))");
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new CairnException(name + ": invalid beta parameter at index 1: " + beta2 + " (must be in [0, 1))");
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new CairnException(name + ": invalid epsilon value " + eps + " (must be a finite number >= 0)");
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new CairnException(name + ": invalid " + weightDecayName + " " + weightDecay
                    + " (must be a finite number >= 0)");
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

    /** The gradient the moments see: {@code grad}, or Adam's L2 term added to it. */
    abstract Tensor effectiveGradient(Tensor p, Tensor grad, double weightDecay);

    /** The parameter the update starts from: {@code p}, or AdamW's decoupled decay applied to it. */
    abstract Tensor decayedParameter(Tensor p, double lr, double weightDecay);

    /** The new first moment from the old one {@code m} and the gradient, in the subclass's PyTorch form. */
    abstract Tensor firstMoment(Tensor m, Tensor grad, double beta1);

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
                s.expAvg = follow(p, s.expAvg, "exp_avg");
                s.expAvgSq = follow(p, s.expAvgSq, "exp_avg_sq");
                if (amsgrad) {
                    s.maxExpAvgSq = follow(p, s.maxExpAvgSq, "max_exp_avg_sq");
                }
                s.step++;
                grad = effectiveGradient(p, grad, weightDecay);
                Tensor start = decayedParameter(p, lr, weightDecay);
                s.expAvg.copyFrom(firstMoment(s.expAvg, grad, beta1));
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
                assign(scope, p, start.sub(s.expAvg.div(denom).mul(stepSize)));
            }
        }
    }

    /** {@code state} on {@code p}'s device (moved once if the parameter moved), outliving the step's scope. */
    private static Tensor follow(Tensor p, Tensor state, String what) {
        Tensor moved = onDeviceOf(p, state, what);
        return moved == state ? state : TensorScope.forget(moved);
    }

    @Override
    protected Map<String, Object> hyperParameters() {
        Map<String, Object> h = new LinkedHashMap<>();
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
        Map<String, Tensor> t = new LinkedHashMap<>();
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
            String name = getClass().getSimpleName();
            s.step = state.step();
            s.expAvg = stateCopy(p, required(state, "exp_avg", name));
            s.expAvgSq = stateCopy(p, required(state, "exp_avg_sq", name));
            s.maxExpAvgSq = amsgrad ? stateCopy(p, required(state, "max_exp_avg_sq", name)) : null;
        }
        for (Tensor t : old) {
            if (t != null) {
                t.close();
            }
        }
    }
}
