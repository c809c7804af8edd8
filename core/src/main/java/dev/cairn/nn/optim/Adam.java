package dev.cairn.nn.optim;

import dev.cairn.tensor.Tensor;

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
public final class Adam extends AdamBase {
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
        super("Adam", params, lr, beta1, beta2, eps, weightDecay, "weight decay", amsgrad);
    }

    /** Adam adds the L2 term {@code weight_decay * p} to the gradient. */
    @Override
    Tensor effectiveGradient(Tensor p, Tensor grad, double weightDecay) {
        return weightDecay == 0 ? grad : grad.add(p.mul((float) weightDecay));
    }

    @Override
    Tensor decayedParameter(Tensor p, double lr, double weightDecay) {
        return p;
    }

    /** {@code m + (1 - beta1) * (g - m)}: torch's lerp. */
    @Override
    Tensor firstMoment(Tensor m, Tensor grad, double beta1) {
        return m.add(grad.sub(m).mul((float) (1 - beta1)));
    }
}
