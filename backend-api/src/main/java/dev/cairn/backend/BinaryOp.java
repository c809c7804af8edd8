package dev.cairn.backend;

/**
 * Elementwise operations of two tensors broadcast to one shape. Comparisons give 1 or 0. The fused
 * gradients take the output's gradient as {@code a} and the op's input as {@code b}. The CUDA backend finds
 * each op's kernel by its name ({@code binary_<op>_<dtype>}), never by the ordinal.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, GT, LT, EQ,
    /** {@code a * gelu'(b)}: exact GELU's gradient, in one pass */
    GELU_BACKWARD,
    /** {@code a * d/db geluTanh(b)}: the tanh approximation's gradient, in one pass */
    GELU_TANH_BACKWARD;

    /** Reference semantics on the host; the CPU backend and tests use it. */
    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> UnaryOp.pow(a, b);
            case MAXIMUM -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
            case MINIMUM -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.min(a, b);
            case GT -> a > b ? 1f : 0f;
            case LT -> a < b ? 1f : 0f;
            case EQ -> a == b ? 1f : 0f;
            case GELU_BACKWARD -> (float) (a * UnaryOp.geluDerivative(b));
            case GELU_TANH_BACKWARD -> (float) (a * UnaryOp.geluTanhDerivative(b));
        };
    }
}
