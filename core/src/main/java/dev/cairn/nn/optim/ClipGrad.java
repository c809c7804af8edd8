package dev.cairn.nn.optim;

import dev.cairn.autograd.GradMode;
import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_}. Call it between {@code backward()} and {@code step()}. */
public final class ClipGrad {
    private ClipGrad() {
    }

    /** {@link #clipGradNorm(Iterable, double, double, boolean)} with the 2-norm. */
    public static Tensor clipGradNorm(Iterable<? extends Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2.0, false);
    }

    /** {@link #clipGradNorm(Iterable, double, double, boolean)} without the non-finite check. */
    public static Tensor clipGradNorm(Iterable<? extends Tensor> params, double maxNorm, double normType) {
        return clipGradNorm(params, maxNorm, normType, false);
    }

    /**
     * Scales the gradients of {@code params} in place so that their total norm (the {@code normType}-norm
     * of all gradients together, {@code Double.POSITIVE_INFINITY} for the largest absolute value) is at
     * most {@code maxNorm}, exactly as PyTorch does: every gradient is multiplied by
     * {@code min(maxNorm / (total + 1e-6), 1)}. Parameters without a gradient are skipped.
     *
     * @return the total norm before clipping, as a 0-dim tensor on the first gradient's device (0 when
     *         no parameter has a gradient)
     * @throws CairnException with {@code errorIfNonfinite} when the total norm is NaN or infinite (then
     *         nothing is changed)
     */
    public static Tensor clipGradNorm(Iterable<? extends Tensor> params, double maxNorm, double normType,
                                      boolean errorIfNonfinite) {
        if (Double.isNaN(normType) || normType <= 0) {
            throw new CairnException("clipGradNorm: norm type must be > 0 (or infinity), got " + normType);
        }
        if (Double.isNaN(maxNorm)) {
            throw new CairnException("clipGradNorm: max norm is NaN");
        }
        List<Tensor> withGrad = new ArrayList<>();
        for (Tensor p : params) {
            if (p.grad() != null) {
                withGrad.add(p);
            }
        }
        if (withGrad.isEmpty()) {
            return Tensor.scalar(0f);
        }
        try (var g = GradMode.noGrad()) {
            var device = withGrad.get(0).grad().device();
            Tensor total = null;
            boolean inf = Double.isInfinite(normType);
            float pNorm = (float) normType;
            for (Tensor p : withGrad) {
                Tensor grad = p.grad().detach();
                Tensor norm;
                if (inf) {
                    norm = grad.numel() == 0 ? Tensor.scalar(grad.device(), 0f) : grad.abs().max();
                } else if (normType == 2) {
                    norm = grad.mul(grad).sum().sqrt();
                } else if (normType == 1) {
                    norm = grad.abs().sum();
                } else {
                    norm = grad.abs().pow(pNorm).sum().pow(1f / pNorm);
                }
                norm = norm.to(device);
                if (inf) {
                    total = total == null ? norm : total.maximum(norm);
                } else {
                    Tensor term = normType == 1 ? norm : normType == 2 ? norm.mul(norm) : norm.pow(pNorm);
                    total = total == null ? term : total.add(term);
                }
            }
            if (!inf) { // (sum of norm^p)^(1/p), as torch.norm(torch.stack(norms), p)
                total = normType == 1 ? total : normType == 2 ? total.sqrt() : total.pow(1f / pNorm);
            }
            if (errorIfNonfinite) {
                float v = total.item();
                if (Float.isNaN(v) || Float.isInfinite(v)) {
                    throw new CairnException("clipGradNorm: the total norm of order " + normType + " of the gradients is "
                            + v + ", so they cannot be clipped; pass errorIfNonfinite=false to clip anyway");
                }
            }
            // PyTorch: clip_coef = max_norm / (total + 1e-6), computed as reciprocal(total + 1e-6) * max_norm
            // the ones are filled on the device: no host round trip (uploading a scalar) per clip
            Tensor one = Tensor.full(device, 1f);
            Tensor coef = one.div(total.add(1e-6f)).mul((float) maxNorm).minimum(one);
            for (Tensor p : withGrad) {
                Tensor grad = p.grad();
                Tensor scaled = grad.mul(coef.to(grad.device()));
                try {
                    grad.copyFrom(scaled);
                } catch (CairnException e) {
                    p.setGrad(scaled); // a gradient that cannot be written in place (a view) is replaced
                }
            }
            return total;
        }
    }
}
