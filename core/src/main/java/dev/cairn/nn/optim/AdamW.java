package dev.cairn.nn.optim;

import dev.cairn.tensor.Tensor;

/**
 * Adam with decoupled weight decay, with exactly {@code torch.optim.AdamW}'s update (PyTorch 1.13): the
 * decay shrinks the parameter directly instead of being added to the gradient. For each parameter
 * {@code p} with gradient {@code g}, at its step {@code t = 1, 2, ...}:
 *
 * <pre>
 *   p = p * (1 - lr * weight_decay)
 *   m = beta1 * m + (1 - beta1) * g               (m starts at 0)
 *   v = beta2 * v + (1 - beta2) * g * g           (v starts at 0)
 *   vmax = max(vmax, v)                           (amsgrad only; then v = vmax below)
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. The bias corrections
 * are computed in double precision, as Python floats are in PyTorch. Not thread-safe: step from one thread.
 */
public final class AdamW extends AdamBase {
    /** AdamW with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
    public AdamW(Iterable<? extends Tensor> params) {
        this(params, 1e-3);
    }

    /** AdamW with PyTorch's defaults except the learning rate. */
    public AdamW(Iterable<? extends Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 1e-2, false);
    }

    /** AdamW with the given learning rate and weight decay, other settings PyTorch's defaults. */
    public AdamW(Iterable<? extends Tensor> params, double lr, double weightDecay) {
        this(params, lr, 0.9, 0.999, 1e-8, weightDecay, false);
    }

    /**
     * @param beta1       decay of the running mean of gradients, in [0, 1)
     * @param beta2       decay of the running mean of squared gradients, in [0, 1)
     * @param eps         added to the denominator, {@code >= 0}
     * @param weightDecay decoupled decay factor, {@code >= 0}: each step multiplies the parameter by
     *                    {@code 1 - lr * weightDecay}
     * @param amsgrad     use the maximum of past squared-gradient averages (AMSGrad)
     */
    public AdamW(Iterable<? extends Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                 boolean amsgrad) {
        super("AdamW", params, lr, beta1, beta2, eps, weightDecay, "weight_decay value", amsgrad);
    }

    @Override
    Tensor effectiveGradient(Tensor p, Tensor grad, double weightDecay) {
        return grad;
    }

    /** AdamW shrinks the parameter itself: {@code p * (1 - lr * weight_decay)}. */
    @Override
    Tensor decayedParameter(Tensor p, double lr, double weightDecay) {
        return weightDecay == 0 ? p : p.mul((float) (1 - lr * weightDecay));
    }

    /** {@code beta1 * m + (1 - beta1) * g}, as PyTorch 1.13's AdamW writes it. */
    @Override
    Tensor firstMoment(Tensor m, Tensor grad, double beta1) {
        return m.mul((float) beta1).add(grad.mul((float) (1 - beta1)));
    }
}
