package dev.cairn.backend;

/** Comparisons of two operands of one dtype, giving bool; NaN compares false except with {@code NE}. */
public enum CompareOp {
    EQ, NE, LT, LE, GT, GE;

    /** Reference semantics for floating-point operands. */
    public boolean test(double a, double b) {
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }

    /** Reference semantics for integer and bool operands. */
    public boolean test(long a, long b) {
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }
}
