package dev.cairn.backend.cpu;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops for the most frequent elementwise ops over dense arrays (ReLU, scalar arithmetic,
 * tensor arithmetic with equal or scalar-broadcast operands). Each loop names its operation as a
 * constant, which the JIT needs to turn it into vector instructions. Returns false for ops it does not
 * cover, so the caller runs its plain loop.
 */
final class VectorElementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorElementwise() {
    }

    static boolean unary(UnaryOp op, float s, float[] a, int off, float[] dst, int dOff, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        switch (op) {
            case RELU -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    v.blend(0f, v.compare(VectorOperators.LT, 0f)).intoArray(dst, dOff + i);
                }
            }
            case ADD_SCALAR -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, off + i).add(s).intoArray(dst, dOff + i);
                }
            }
            case MUL_SCALAR -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, off + i).mul(s).intoArray(dst, dOff + i);
                }
            }
            case DIV_SCALAR -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, off + i).div(s).intoArray(dst, dOff + i);
                }
            }
            default -> {
                return false;
            }
        }
        for (; i < n; i++) {
            dst[dOff + i] = op.apply(a[off + i], s);
        }
        return true;
    }

    /** {@code dst = a op b} where b advances by {@code sb} (1: same shape, 0: one broadcast value). */
    static boolean binary(BinaryOp op, float[] a, int ia, float[] b, int ib, int sb, float[] dst, int out, int n) {
        if (sb == 0) {
            UnaryOp scalarForm = switch (op) {
                case ADD -> UnaryOp.ADD_SCALAR;
                case MUL -> UnaryOp.MUL_SCALAR;
                case DIV -> UnaryOp.DIV_SCALAR;
                default -> null;
            };
            return scalarForm != null && unary(scalarForm, b[ib], a, ia, dst, out, n);
        }
        if (sb != 1) {
            return false;
        }
        int bound = S.loopBound(n);
        int i = 0;
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ia + i).add(FloatVector.fromArray(S, b, ib + i)).intoArray(dst, out + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ia + i).sub(FloatVector.fromArray(S, b, ib + i)).intoArray(dst, out + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ia + i).mul(FloatVector.fromArray(S, b, ib + i)).intoArray(dst, out + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ia + i).div(FloatVector.fromArray(S, b, ib + i)).intoArray(dst, out + i);
                }
            }
            default -> {
                return false;
            }
        }
        for (; i < n; i++) {
            dst[out + i] = op.apply(a[ia + i], b[ib + i]);
        }
        return true;
    }
}
