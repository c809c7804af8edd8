package dev.cairn.samples.cli;

import dev.cairn.tensor.Tensor;
import java.util.Arrays;

/**
 * The golden cases' tolerance for float32 computed in another summation order:
 * {@code max |actual - expected| <= 1e-4 * (1 + max |expected|)}, NaN where the reference has NaN.
 */
public final class Tolerance {
    /** The outcome of one comparison. */
    public record Result(boolean ok, double maxDiff, double tolerance, String reason) {
    }

    private Tolerance() {
    }

    public static Result compare(Tensor expected, Tensor actual) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            return new Result(false, Double.NaN, 0, "shape " + Arrays.toString(actual.shape()) + " but expected "
                    + Arrays.toString(expected.shape()));
        }
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double maxAbs = 0;
        for (float v : e) {
            if (Float.isFinite(v)) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        double tol = 1e-4 * (1 + maxAbs);
        double maxDiff = 0;
        for (int i = 0; i < e.length; i++) {
            if (Float.isNaN(e[i]) != Float.isNaN(a[i])) {
                return new Result(false, Double.NaN, tol, "NaN mismatch at element " + i);
            }
            if (Float.isInfinite(e[i]) || Float.isInfinite(a[i])) {
                if (e[i] != a[i]) {
                    return new Result(false, Double.POSITIVE_INFINITY, tol, "infinity mismatch at element " + i);
                }
                continue;
            }
            if (!Float.isNaN(e[i])) {
                maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - e[i]));
            }
        }
        return new Result(maxDiff <= tol, maxDiff, tol, "");
    }
}
