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
    /** x < 0 ? 0 : x; NaN and -0 stay as they are, as in PyTorch. */
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
    /** x > s */
    GT_SCALAR,
    /** x >= s */
    GE_SCALAR,
    /** x < s */
    LT_SCALAR,
    /** x <= s */
    LE_SCALAR,
    /** x == s */
    EQ_SCALAR,
    /** x != s */
    NE_SCALAR;

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
        };
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
