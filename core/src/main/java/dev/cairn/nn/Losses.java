package dev.cairn.nn;

import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.CairnException;
import dev.cairn.tensor.DeviceException;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * Loss functions and (log-)softmax, as in {@code torch.nn.functional}, built from differentiable
 * Tensor ops so that their gradients come from autograd and they run on any device. Losses use mean
 * reduction.
 */
public final class Losses {
    private Losses() {
    }

    /**
     * Mean squared error {@code mean((input - target)^2)}, like {@code F.mse_loss} with mean reduction.
     * The shapes must be equal (PyTorch would broadcast them with a warning, which usually hides a bug
     * such as {@code [N, 1]} against {@code [N]}).
     */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        if (!java.util.Arrays.equals(input.shape(), target.shape())) {
            throw new ShapeException("mseLoss: input of shape " + Shapes.format(input.shape())
                    + " and target of shape " + Shapes.format(target.shape()) + " must have the same shape");
        }
        checkSameDevice("mseLoss", input, target);
        Tensor diff = input.sub(target);
        return diff.mul(diff).mean();
    }

    /** Mean absolute error {@code mean(|input - target|)}, like {@code F.l1_loss}; shapes must be equal. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, Reduction.MEAN);
    }

    /** Absolute error {@code |input - target|} reduced by {@code reduction}, like {@code F.l1_loss}. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("l1Loss", input, target);
        return reduction.apply(input.sub(target).abs());
    }

    /** {@link #smoothL1Loss(Tensor, Tensor, double, Reduction)} with {@code beta = 1} and mean reduction. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) {
        return smoothL1Loss(input, target, 1.0, Reduction.MEAN);
    }

    /**
     * The Huber-like loss of {@code F.smooth_l1_loss}: with {@code z = |input - target|}, {@code 0.5 z^2 / beta}
     * where {@code z < beta}, else {@code z - 0.5 beta}; {@code beta = 0} is the L1 loss. Shapes must be equal.
     */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, double beta, Reduction reduction) {
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new CairnException("smoothL1Loss: beta must be a finite number >= 0, got " + beta);
        }
        checkSameShape("smoothL1Loss", input, target);
        Tensor diff = input.sub(target);
        if (beta == 0) {
            // |diff| with PyTorch's gradient: sign(diff), but -1 where diff == 0 (its kernel tests diff <= -beta first)
            Tensor sign;
            try (var g = GradMode.noGrad()) {
                sign = diff.gt(0f).mul(2f).sub(1f);
            }
            return reduction.apply(diff.mul(sign));
        }
        Tensor z = diff.abs();
        // with c = min(z, beta): 0.5 c^2 / beta + (z - c); equal to both branches and finite for z = inf
        float b = (float) beta;
        Tensor c = z.minimum(Tensor.scalar(z.device(), b));
        return reduction.apply(c.mul(c).mul(0.5f).div(b).add(z.sub(c)));
    }

    /** {@link #binaryCrossEntropyWithLogits(Tensor, Tensor, Tensor, Tensor, Reduction)} without weights, mean reduction. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        return binaryCrossEntropyWithLogits(logits, target, null, null, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy of {@code sigmoid(logits)} against probabilities {@code target} (same shape),
     * like {@code F.binary_cross_entropy_with_logits}, computed stably as PyTorch does:
     * {@code (1 - t) x + m + log(exp(-m) + exp(-x - m))} with {@code m = max(-x, 0)}, so large logits
     * of either sign give finite losses. {@code weight} (may be null) rescales each element's loss;
     * {@code posWeight} (may be null, e.g. one value per class, broadcast along the last dimension) weighs
     * the positive term: {@code (1 - t) x + (1 + (pw - 1) t) (log(exp(-m) + exp(-x - m)) + m)}.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor weight, Tensor posWeight,
                                                      Reduction reduction) {
        if (!java.util.Arrays.equals(logits.shape(), target.shape())) {
            throw new ShapeException("binaryCrossEntropyWithLogits: target size " + Shapes.format(target.shape())
                    + " must be the same as input size " + Shapes.format(logits.shape()));
        }
        checkSameDevice("binaryCrossEntropyWithLogits", logits, target);
        Tensor m;
        try (var g = GradMode.noGrad()) {
            m = logits.neg().relu(); // the result does not depend on m: a constant for autograd
        }
        Tensor logSum = m.neg().exp().add(logits.neg().sub(m).exp()).log();
        Tensor oneMinusT = target.neg().add(1f);
        Tensor loss;
        if (posWeight != null) {
            checkSameDevice("binaryCrossEntropyWithLogits", logits, posWeight);
            Tensor logWeight = posWeight.sub(1f).mul(target).add(1f);
            loss = oneMinusT.mul(logits).add(logWeight.mul(logSum.add(m)));
        } else {
            loss = oneMinusT.mul(logits).add(m).add(logSum); // PyTorch's order of additions
        }
        if (weight != null) {
            checkSameDevice("binaryCrossEntropyWithLogits", logits, weight);
            loss = loss.mul(weight);
        }
        return reduction.apply(loss);
    }

    private static void checkSameShape(String op, Tensor input, Tensor target) {
        if (!java.util.Arrays.equals(input.shape(), target.shape())) {
            throw new ShapeException(op + ": input of shape " + Shapes.format(input.shape())
                    + " and target of shape " + Shapes.format(target.shape()) + " must have the same shape");
        }
        checkSameDevice(op, input, target);
    }

    /**
     * {@code log(softmax(x))} along {@code dim}, computed stably as {@code (x - max) - log(sum(exp(x - max)))},
     * like {@code F.log_softmax}: the fused {@link Tensor#logSoftmax} (one kernel forward, one backward).
     */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    /** {@code softmax(x)} along {@code dim}, like {@code F.softmax}: the fused {@link Tensor#softmax}. */
    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    /**
     * Negative log-likelihood of the target classes, like {@code F.nll_loss} with mean reduction:
     * {@code logProbs} is {@code [N, C]} (or {@code [C]} for one sample), {@code targets} holds {@code N}
     * class indices in {@code [0, C)} (int64, or integral floats; {@code [N]}, or a 0-dim scalar for one sample).
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor targets) {
        return nll("nllLoss", logProbs, targets, false);
    }

    /**
     * Cross-entropy between class scores and target classes, like {@code F.cross_entropy} with mean
     * reduction: {@code logits} is {@code [N, C]} (or {@code [C]} for one sample), {@code targets} holds
     * {@code N} class indices in {@code [0, C)} (int64, or integral floats; {@code [N]}, or 0-dim for one sample). Uses a
     * numerically stable log-softmax, so very large or very small logits give a finite loss.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return nll("crossEntropy", logits, targets, true);
    }

    /**
     * Cross-entropy as {@code F.cross_entropy(logits, targets, ignore_index=ignoreIndex,
     * label_smoothing=labelSmoothing)} with mean reduction. {@code logits} is {@code [N, C]}; {@code targets}
     * is either {@code [N]} class indices (int64, or integral floats), where rows whose target equals
     * {@code ignoreIndex} count neither in the sum nor in the mean, or {@code [N, C]} float class
     * probabilities. With {@code labelSmoothing} {@code e}, each target mixes {@code 1 - e} of itself with
     * {@code e} spread evenly over the {@code C} classes. Stable for very large or very small logits.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, long ignoreIndex, float labelSmoothing) {
        int[] ls = logits.shape();
        int[] ts = targets.shape();
        if (ls.length != 2) {
            throw new ShapeException("crossEntropy: expected input of shape [N, C], got " + Shapes.format(ls));
        }
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new CairnException("crossEntropy: label_smoothing must be in [0, 1], got " + labelSmoothing);
        }
        checkSameDevice("crossEntropy", logits, targets);
        int c = ls[1];
        Tensor logp = logSoftmax(logits, 1);
        if (java.util.Arrays.equals(ls, ts) && targets.dtype().isFloatingPoint()) {
            Tensor probs = labelSmoothing == 0f ? targets : targets.mul(1f - labelSmoothing).add(labelSmoothing / c);
            return logp.mul(probs).sum(1, false).neg().mean();
        }
        if (ts.length != 1 || ts[0] != ls[0]) {
            throw new ShapeException("crossEntropy: expected targets of shape [" + ls[0] + "] (class indices) or "
                    + Shapes.format(ls) + " (probabilities), got " + Shapes.format(ts));
        }
        long[] idx = targets.toLongArray();
        float[] raw = targets.dtype().isFloatingPoint() ? targets.toFloatArray() : null;
        long[] safe = new long[idx.length];
        boolean[] keep = new boolean[idx.length];
        for (int i = 0; i < idx.length; i++) {
            if (raw != null && raw[i] != Math.rint(raw[i])) {
                throw new CairnException("crossEntropy: target " + i + " is " + raw[i] + ", which is not a class index");
            }
            keep[i] = idx[i] != ignoreIndex;
            if (keep[i] && (idx[i] < 0 || idx[i] >= c)) {
                throw new CairnException("crossEntropy: target " + i + " is class index " + idx[i]
                        + ", which is out of range for " + c + " classes (valid: 0.." + (c - 1) + ", or the ignore_index "
                        + ignoreIndex + ")");
            }
            safe[i] = keep[i] ? idx[i] : 0;
        }
        Tensor picked = logp.gather(1, Tensor.of(safe, idx.length, 1).to(logits.device())).squeeze(1);
        Tensor perRow = picked.neg();
        if (labelSmoothing > 0f) {
            perRow = perRow.mul(1f - labelSmoothing).add(logp.mean(1, false).neg().mul(labelSmoothing));
        }
        Tensor kept = Tensor.of(keep, idx.length).to(logits.device());
        return Tensor.where(kept, perRow, Tensor.zeros(logits.device())).sum().div(kept.sum().to(
                dev.cairn.tensor.DType.FLOAT32));
    }

    private static Tensor nll(String op, Tensor scores, Tensor targets, boolean applyLogSoftmax) {
        int[] ls = scores.shape();
        int[] ts = targets.shape();
        Tensor s2 = scores;
        Tensor t1 = targets;
        if (ls.length == 1 && ts.length == 0) {
            s2 = scores.unsqueeze(0);
            t1 = targets.reshape(1);
        } else if (ls.length != 2) {
            throw new ShapeException(op + ": expected input of shape [N, C] (or [C] with a 0-dim target), got "
                    + Shapes.format(ls));
        } else if (ts.length != 1 || ts[0] != ls[0]) {
            throw new ShapeException(op + ": expected targets of shape [" + ls[0] + "] (one class index per row of the "
                    + Shapes.format(ls) + " input), got " + Shapes.format(ts));
        }
        checkSameDevice(op, scores, targets);
        int c = s2.shape()[1];
        checkClassIndices(op, t1, c);
        Tensor logProbs = applyLogSoftmax ? logSoftmax(s2, 1) : s2;
        Tensor classes = Tensor.arange(c).to(s2.device()).unsqueeze(0);
        Tensor oneHot = classes.eq(t1.detach().unsqueeze(1));
        // -inf log-probabilities of the other classes must not meet the mask's zeros (-inf * 0 is NaN), so
        // they are lifted to the most negative float; the target's own entry is left as it is (floor -inf),
        // so a -inf target log-probability still gives an infinite loss, as in PyTorch
        Tensor floor = oneHot.mul(-Float.MAX_VALUE).add(-Float.MAX_VALUE); // target: -inf (overflow), others: -MAX
        Tensor picked = logProbs.maximum(floor).mul(oneHot);
        return picked.sum(1, false).neg().mean();
    }

    /** Every target must be an integer in {@code [0, c)}; names the first that is not. */
    private static void checkClassIndices(String op, Tensor targets, int c) {
        float[] t = targets.toFloatArray();
        for (int i = 0; i < t.length; i++) {
            float v = t[i];
            if (v != Math.rint(v) || Float.isInfinite(v)) {
                throw new CairnException(op + ": target " + i + " is " + v + ", which is not a class index (an integer in [0, "
                        + c + "))");
            }
            if (c == 0) {
                throw new CairnException(op + ": the input has 0 classes, so target " + i + " (class index " + (long) v
                        + ") is out of range");
            }
            if (v < 0 || v >= c) {
                throw new CairnException(op + ": target " + i + " is class index " + (long) v + ", which is out of range for "
                        + c + " classes (valid: 0.." + (c - 1) + ")");
            }
        }
    }

    private static void checkSameDevice(String op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new DeviceException(op + ": input is on " + a.device() + " but target is on " + b.device()
                    + "; move both to the same device");
        }
    }
}
