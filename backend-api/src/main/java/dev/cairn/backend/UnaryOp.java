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
    CLAMP_MAX,
    /** GELU, exact: {@code x * Phi(x)} with the normal CDF {@code Phi(x) = erfc(-x / sqrt 2) / 2} (see {@link #gelu}) */
    GELU,
    /** GELU, tanh approximation: {@code 0.5 x (1 + tanh(u))}, {@code u = sqrt(2/pi) (x + 0.044715 x^3)} (see {@link #geluTanh}) */
    GELU_TANH,
    /** {@code x > 0 ? x : x * s} (leaky ReLU with negative slope {@code s}); NaN stays NaN, as PyTorch's */
    LEAKY_RELU;

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
            case GELU -> (float) gelu(x);
            case GELU_TANH -> (float) geluTanh(x);
            case LEAKY_RELU -> x > 0f ? x : x * s;
        };
    }

    /** {@code 1 / sqrt 2} */
    public static final double SQRT1_2 = 0.7071067811865476;
    /** {@code sqrt(2 / pi)}, the tanh approximation's factor */
    public static final double GELU_BETA = 0.7978845608028654;
    /** the tanh approximation's cubic coefficient */
    public static final double GELU_KAPPA = 0.044715;

    /**
     * The complementary error function {@code erfc z} for {@code z >= 0} with a relative error below 1.2e-7
     * everywhere (Numerical Recipes' erfcc Chebyshev fit), so that {@code Phi(x)} keeps its precision in the
     * far negative tail where {@code 1 + erf} would cancel. The same formula runs in every GELU kernel.
     */
    public static double erfcNonNegative(double z) {
        double t = 1.0 / (1.0 + 0.5 * z);
        return t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
    }

    /** The normal CDF {@code Phi(x) = 0.5 erfc(-x / sqrt 2)}, accurate relative to its value in both tails. */
    public static double normalCdf(double x) {
        double half = 0.5 * erfcNonNegative(Math.abs(x) * SQRT1_2);
        return x < 0 ? half : 1.0 - half;
    }

    /** Exact GELU {@code x * Phi(x)}: -inf gives NaN and +inf gives +inf, as PyTorch's {@code 0.5 x (1 + erf(x / sqrt 2))}. */
    public static double gelu(double x) {
        return x * normalCdf(x);
    }

    /**
     * The tanh-approximated GELU, {@code 0.5 x (1 + tanh u)}, evaluated as {@code x * sigmoid(2u)} (the same
     * value without the cancellation of {@code 1 + tanh u} for negative {@code u}).
     */
    public static double geluTanh(double x) {
        double u = GELU_BETA * (x + GELU_KAPPA * x * x * x);
        return x / (1.0 + Math.exp(-2.0 * u));
    }

    /** d/dx of exact GELU, {@code Phi(x) + x phi(x)} (PyTorch's GeluBackward). */
    public static double geluDerivative(double x) {
        return normalCdf(x) + x * Math.exp(-0.5 * x * x) * 0.3989422804014327;
    }

    /**
     * d/dx of the tanh approximation, PyTorch's {@code 0.5 (1 + t) + 0.5 x (1 - t^2) u'} with {@code t = tanh u},
     * written with {@code s = sigmoid(2u)} ({@code 1 + t = 2s}, {@code 1 - t^2 = 4 s (1 - s)}).
     */
    public static double geluTanhDerivative(double x) {
        double u = GELU_BETA * (x + GELU_KAPPA * x * x * x);
        double s = 1.0 / (1.0 + Math.exp(-2.0 * u));
        return s + 2.0 * x * s * (1.0 - s) * GELU_BETA * (1.0 + 3.0 * GELU_KAPPA * x * x);
    }

    /**
     * The error function in double precision: its Maclaurin series below |x| = 2.5 (about 1e-13 relative
     * error), and above it the complementary function's Chebyshev fit from Numerical Recipes (erfcc,
     * fractional error below 1.2e-7 of a value under 4e-4), far inside float32's rounding either way.
     */
    public static double erf(double x) {
        if (Double.isNaN(x) || x == 0) {
            return x; // NaN, and either zero with its sign (erf is odd: erf(-0) = -0, as PyTorch's)
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

    /**
     * x^s. The exponents PyTorch computes by multiplication in float (its {@code pow_tensor_scalar_optimized_kernel})
     * are computed so here too: 2 ({@code x * x}), 3 ({@code x * x * x}), -1 ({@code 1 / x}), -2 ({@code 1 / (x * x)}),
     * 0.5 (the square root) and -0.5 ({@code 1 / sqrt x}); 1 is x; any other exponent is {@code Math.pow} in double.
     */
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
        if (s == 3f) {
            return x * x * x;
        }
        if (s == -1f) {
            return 1f / x;
        }
        if (s == -2f) {
            return 1f / (x * x);
        }
        if (s == -0.5f) {
            return 1f / (float) Math.sqrt(x);
        }
        return (float) Math.pow(x, s);
    }
}
