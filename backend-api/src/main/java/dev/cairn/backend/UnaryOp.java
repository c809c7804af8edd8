package dev.cairn.backend;

/**
 * Elementwise operations of one tensor and (for some) one scalar {@code s}. Comparisons give 1 or 0.
 * Backends implement each exactly as the formula says (NaN propagates as in IEEE arithmetic).
 */
public enum UnaryOp {
    /** x (a copy, used to make strided views contiguous). */
    IDENTITY,
    /** -x */
    NEG,
    /** |x| */
    ABS,
    /** {@code x < 0 ? 0 : x}; NaN and -0 stay as they are, as in PyTorch. */
    RELU,
    /** e^x */
    EXP,
    /** ln x */
    LOG,
    /** sqrt x */
    SQRT,
    /** sign of x: -1, 0 or 1; NaN and -0 give +0, as PyTorch 1.13's torch.sign (not Math.signum). */
    SIGN,
    /** x + s */
    ADD_SCALAR,
    /** x * s */
    MUL_SCALAR,
    /** x / s (a true division, not a multiplication by 1/s, to round exactly like PyTorch) */
    DIV_SCALAR,
    /** s - x */
    RSUB_SCALAR,
    /** s / x */
    RDIV_SCALAR,
    /** x ^ s */
    POW_SCALAR,
    /** {@code x > s} */
    GT_SCALAR,
    /** {@code x >= s} */
    GE_SCALAR,
    /** {@code x < s} */
    LT_SCALAR,
    /** {@code x <= s} */
    LE_SCALAR,
    /** x == s */
    EQ_SCALAR,
    /** x != s */
    NE_SCALAR,
    /** tanh x */
    TANH,
    /** 1 / (1 + e^-x) */
    SIGMOID,
    /** the error function erf x */
    ERF,
    /** sin x */
    SIN,
    /** cos x */
    COS,
    /** x &lt; s ? s : x (NaN stays NaN, as PyTorch's clamp) */
    CLAMP_MIN,
    /** x &gt; s ? s : x (NaN stays NaN) */
    CLAMP_MAX;

    /** Reference semantics on the host; the CPU backend's scalar path and tests use it. */
    public float apply(float x, float s) {
        return switch (this) {
            case IDENTITY -> x;
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case RELU -> x < 0f ? 0f : x; // NaN and -0 stay, as in PyTorch
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case SIGN -> x > 0f ? 1f : (x < 0f ? -1f : 0f); // torch.sign(nan) == 0, torch.sign(-0.) == +0
            case ADD_SCALAR -> x + s;
            case MUL_SCALAR -> x * s;
            case DIV_SCALAR -> x / s;
            case RSUB_SCALAR -> s - x;
            case RDIV_SCALAR -> s / x;
            case POW_SCALAR -> pow(x, s);
            case GT_SCALAR -> x > s ? 1f : 0f;
            case GE_SCALAR -> x >= s ? 1f : 0f;
            case LT_SCALAR -> x < s ? 1f : 0f;
            case LE_SCALAR -> x <= s ? 1f : 0f;
            case EQ_SCALAR -> x == s ? 1f : 0f;
            case NE_SCALAR -> x != s ? 1f : 0f;
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> 1f / (1f + (float) Math.exp(-x));
            case ERF -> (float) erf(x);
            case SIN -> (float) Math.sin(x);
            case COS -> (float) Math.cos(x);
            case CLAMP_MIN -> x < s ? s : x;
            case CLAMP_MAX -> x > s ? s : x;
        };
    }

    /**
     * The error function in double precision: its Maclaurin series below |x| = 2.5 (about 1e-13 relative
     * error), and above it the complementary function's Chebyshev fit from Numerical Recipes (erfcc,
     * fractional error below 1.2e-7 of a value under 4e-4), far inside float32's rounding either way.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double z = Math.abs(x);
        if (z < 2.5) {
            double term = x;
            double sum = x;
            double x2 = x * x;
            for (int n = 1; n < 80; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return 2.0 / Math.sqrt(Math.PI) * sum;
        }
        double t = 1.0 / (1.0 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }

    /** x^s with fast paths for the common exponents, matching {@code Math.pow} otherwise. */
    public static float pow(float x, float s) {
        if (s == 2f) {
            return x * x;
        }
        if (s == 1f) {
            return x;
        }
        if (s == 0.5f) {
            return (float) Math.sqrt(x);
        }
        return (float) Math.pow(x, s);
    }
}
