package dev.cairn.backend;

/** Elementwise operations of two tensors broadcast to one shape. Comparisons give 1 or 0. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, GT, LT, EQ;

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
        };
    }
}
