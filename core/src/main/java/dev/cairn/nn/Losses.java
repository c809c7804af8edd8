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

    /**
     * {@code log(softmax(x))} along {@code dim}, computed stably as {@code (x - m) - log(sum(exp(x - m)))}
     * where {@code m} is the (detached) maximum along {@code dim}; like {@code F.log_softmax}.
     */
    public static Tensor logSoftmax(Tensor x, int dim) {
        if (x.dim() == 0) {
            // a single element: log(softmax) is 0 (and its gradient too), as in PyTorch
            return x.sub(x);
        }
        int d = Shapes.wrapDim("logSoftmax", dim, x.dim());
        Tensor rowMax;
        try (var g = GradMode.noGrad()) {
            rowMax = x.max(d, true); // a constant: the result does not depend on it
        }
        Tensor shifted = x.sub(rowMax);
        Tensor logSumExp = shifted.exp().sum(d, true).log();
        return shifted.sub(logSumExp);
    }

    /** {@code softmax(x)} along {@code dim}: {@code exp(logSoftmax(x, dim))}, like {@code F.softmax}. */
    public static Tensor softmax(Tensor x, int dim) {
        return logSoftmax(x, dim).exp();
    }

    /**
     * Negative log-likelihood of the target classes, like {@code F.nll_loss} with mean reduction:
     * {@code logProbs} is {@code [N, C]} (or {@code [C]} for one sample), {@code targets} holds {@code N}
     * class indices in {@code [0, C)} as floats ({@code [N]}, or a 0-dim scalar for one sample).
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor targets) {
        return nll("nllLoss", logProbs, targets, false);
    }

    /**
     * Cross-entropy between class scores and target classes, like {@code F.cross_entropy} with mean
     * reduction: {@code logits} is {@code [N, C]} (or {@code [C]} for one sample), {@code targets} holds
     * {@code N} class indices in {@code [0, C)} as floats ({@code [N]}, or 0-dim for one sample). Uses a
     * numerically stable log-softmax, so very large or very small logits give a finite loss.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return nll("crossEntropy", logits, targets, true);
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
