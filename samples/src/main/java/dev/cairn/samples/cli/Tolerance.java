package dev.cairn.samples.cli;

import dev.cairn.tensor.Tensor;
import java.util.Arrays;

/**
 * The golden cases' tolerance for a float32 result computed in another summation order, per tensor:
 * the shapes must be equal, NaN must stand exactly where the reference has NaN, infinities must match
 * with their sign, and over the finite elements
 * <pre>
 *   max |actual - expected| &lt;= 1e-4 * (1 + max |expected|)   (the golden README's bound)
 *   max |actual - expected| &lt;= 1e-3 * max |expected|         (relative to the tensor's own size)
 * </pre>
 * The second bound keeps a tensor much smaller than 1 (or entirely zero) from passing with an answer of
 * zeros; it is reachable: a float64 rerun of every reference case uses at most 0.1% of it
 * ({@code scripts/check_cases.py}, docs/testing.md). {@code max |expected|} is taken over finite elements.
 * Stateless and thread-safe.
 */
public final class Tolerance {
    /** The golden README's absolute part: {@code 1e-4 * (1 + max |expected|)}. */
    public static final double ABSOLUTE = 1e-4;
    /** The part relative to the tensor's own size: {@code 1e-3 * max |expected|}. */
    public static final double RELATIVE = 1e-3;

    /**
     * The outcome of one comparison.
     *
     * @param ok whether {@code actual} is within the tolerance of {@code expected}
     * @param maxDiff the largest absolute difference over finite elements (NaN when the shapes differ or NaN
     *     positions differ, infinity when an infinity does not match)
     * @param tolerance the bound that {@code maxDiff} was held to
     * @param reason why the comparison failed before the differences were measured ("" otherwise)
     */
    public record Result(boolean ok, double maxDiff, double tolerance, String reason) {
    }

    private Tolerance() {
    }

    /** The bound for a reference whose largest finite magnitude is {@code maxAbsExpected}. */
    public static double bound(double maxAbsExpected) {
        return Math.min(ABSOLUTE * (1 + maxAbsExpected), RELATIVE * maxAbsExpected);
    }

    /** Compares {@code actual} with the reference {@code expected} (neither is modified). */
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
        double tol = bound(maxAbs);
        double maxDiff = 0;
        for (int i = 0; i < e.length; i++) {
            if (Float.isNaN(e[i]) != Float.isNaN(a[i])) {
                return new Result(false, Double.NaN, tol, "NaN mismatch at element " + i + ": " + a[i]
                        + " but expected " + e[i]);
            }
            if (Float.isInfinite(e[i]) || Float.isInfinite(a[i])) {
                if (e[i] != a[i]) {
                    return new Result(false, Double.POSITIVE_INFINITY, tol, "infinity mismatch at element " + i
                            + ": " + a[i] + " but expected " + e[i]);
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
