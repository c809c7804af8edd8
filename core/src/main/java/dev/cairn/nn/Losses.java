package dev.cairn.nn;

import dev.cairn.autograd.GradMode;
import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.DeviceException;
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
     * {@code e} spread evenly over the {@code C} classes. Stable for very large or very small logits. Class
     * indices are checked on the CPU, naming the first bad target; on other devices they are not read back
     * (no host round trip) and the gather kernel reports an out-of-range one, as PyTorch's CUDA kernels do.
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
        if (targets.device().isCpu()) {
            checkTargets(targets, c, ignoreIndex);
        }
        Tensor idx = classIndices(targets, c, ignoreIndex);
        Tensor keep = idx.ne(deviceLong(idx.device(), ignoreIndex));
        Tensor safe = Tensor.where(keep, idx, Tensor.full(idx.device(), DType.INT64, 0f));
        Tensor picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1);
        Tensor perRow = picked.neg();
        if (labelSmoothing > 0f) {
            perRow = perRow.mul(1f - labelSmoothing).add(logp.mean(1, false).neg().mul(labelSmoothing));
        }
        return Tensor.where(keep, perRow, Tensor.zeros(logits.device())).sum().div(keep.sum().to(DType.FLOAT32));
    }

    /** crossEntropy's targets on the CPU: integers, each a class in {@code [0, c)} or {@code ignoreIndex}. */
    private static void checkTargets(Tensor targets, int c, long ignoreIndex) {
        long[] idx = targets.toLongArray();
        float[] raw = targets.dtype().isFloatingPoint() ? targets.toFloatArray() : null;
        for (int i = 0; i < idx.length; i++) {
            if (raw != null && raw[i] != Math.rint(raw[i])) {
                throw new CairnException("crossEntropy: target " + i + " is " + raw[i] + ", which is not a class index");
            }
            if (idx[i] != ignoreIndex && (idx[i] < 0 || idx[i] >= c)) {
                throw new CairnException("crossEntropy: target " + i + " is class index " + idx[i]
                        + ", which is out of range for " + c + " classes (valid: 0.." + (c - 1) + ", or the ignore_index "
                        + ignoreIndex + ")");
            }
        }
    }

    /**
     * The targets as int64 class indices where they are, without reading them back. Float targets convert
     * as {@code to(INT64)} does, except that on devices other than the CPU (where they were not checked) a
     * value that is not an integer becomes an out-of-range class ({@code c}, or {@code c + 1} when {@code c}
     * is the ignore index), so that the gather kernel's index check reports it instead of a wrong class.
     */
    private static Tensor classIndices(Tensor targets, int c, Long ignoreIndex) {
        Tensor t = targets.detach();
        if (t.dtype() == DType.INT64) {
            return t;
        }
        Tensor idx = t.to(DType.INT64);
        if (t.device().isCpu() || !t.dtype().isFloatingPoint()) {
            return idx;
        }
        Tensor notIntegral = idx.to(t.dtype()).ne(t);
        float outOfRange = ignoreIndex != null && ignoreIndex == c ? c + 1f : c;
        return Tensor.where(notIntegral, Tensor.full(t.device(), DType.INT64, outOfRange), idx);
    }

    /** A 0-dim int64 tensor of {@code value} on {@code device}: filled there, or uploaded where a float cannot hold it. */
    private static Tensor deviceLong(Device device, long value) {
        if (Math.abs(value) <= (1L << 24)) {
            return Tensor.full(device, DType.INT64, (float) value);
        }
        return Tensor.of(new long[] {value}).to(device);
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
        if (t1.device().isCpu()) {
            checkClassIndices(op, t1, c);
        }
        Tensor logProbs = applyLogSoftmax ? logSoftmax(s2, 1) : s2;
        // each row's target log-probability, picked where it is (a -inf one gives an infinite loss, as in PyTorch)
        return logProbs.gather(1, classIndices(t1, c, null).unsqueeze(1)).squeeze(1).neg().mean();
    }

    /** Every target must be an integer in {@code [0, c)}; names the first that is not (CPU targets only). */
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
