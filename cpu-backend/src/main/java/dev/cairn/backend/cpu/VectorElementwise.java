package dev.cairn.backend.cpu;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops for the most frequent elementwise ops over dense arrays (ReLU, scalar arithmetic,
 * tanh, sigmoid, both GELUs and their fused gradients, tensor arithmetic with equal or scalar-broadcast
 * operands). The GELUs use the same formulas as {@link UnaryOp#gelu} and {@link UnaryOp#geluTanh} in float32. Each loop names its operation as a
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
            case NEG -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, off + i).neg().intoArray(dst, dOff + i);
                }
            }
            case ABS -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, off + i).abs().intoArray(dst, dOff + i);
                }
            }
            case RSUB_SCALAR -> {
                FloatVector sv = FloatVector.broadcast(S, s);
                for (; i < bound; i += L) {
                    sv.sub(FloatVector.fromArray(S, a, off + i)).intoArray(dst, dOff + i);
                }
            }
            // comparisons with a scalar give 1 or 0 (ReLU's gradient mask, clamp's); NaN compares false
            // except for NE, as Java's operators. Each loop spells its comparison as a constant: passed in
            // as a parameter it was not intrinsified and ran lane by lane (18% of a LeNet training epoch)
            case GT_SCALAR -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    ZERO.blend(1f, v.compare(VectorOperators.GT, s)).intoArray(dst, dOff + i);
                }
            }
            case GE_SCALAR -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    ZERO.blend(1f, v.compare(VectorOperators.GE, s)).intoArray(dst, dOff + i);
                }
            }
            case LT_SCALAR -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    ZERO.blend(1f, v.compare(VectorOperators.LT, s)).intoArray(dst, dOff + i);
                }
            }
            case LE_SCALAR -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    ZERO.blend(1f, v.compare(VectorOperators.LE, s)).intoArray(dst, dOff + i);
                }
            }
            case EQ_SCALAR -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    ZERO.blend(1f, v.compare(VectorOperators.EQ, s)).intoArray(dst, dOff + i);
                }
            }
            case NE_SCALAR -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    ZERO.blend(1f, v.compare(VectorOperators.NE, s)).intoArray(dst, dOff + i);
                }
            }
            // x < s ? s : x (NaN stays NaN, -0 stays -0 against a 0 bound, as the scalar rule)
            case CLAMP_MIN -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    v.blend(s, v.compare(VectorOperators.LT, s)).intoArray(dst, dOff + i);
                }
            }
            case CLAMP_MAX -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    v.blend(s, v.compare(VectorOperators.GT, s)).intoArray(dst, dOff + i);
                }
            }
            case TANH -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, off + i).lanewise(VectorOperators.TANH).intoArray(dst, dOff + i);
                }
            }
            case SIGMOID -> {
                for (; i < bound; i += L) {
                    FloatVector e = FloatVector.fromArray(S, a, off + i).neg().lanewise(VectorOperators.EXP);
                    ONE.div(e.add(1f)).intoArray(dst, dOff + i);
                }
            }
            case GELU -> {
                for (; i < bound; i += L) {
                    FloatVector x = FloatVector.fromArray(S, a, off + i);
                    x.mul(normalCdf(x)).intoArray(dst, dOff + i);
                }
            }
            case GELU_TANH -> {
                for (; i < bound; i += L) {
                    FloatVector x = FloatVector.fromArray(S, a, off + i);
                    x.mul(sigmoidTwoU(x)).intoArray(dst, dOff + i);
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

    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final FloatVector ZERO = FloatVector.zero(S);
    private static final float SQRT1_2 = (float) UnaryOp.SQRT1_2;
    private static final float BETA = (float) UnaryOp.GELU_BETA;
    private static final float KAPPA = (float) UnaryOp.GELU_KAPPA;
    private static final float INV_SQRT_2PI = 0.3989422804014327f;

    /**
     * {@code Phi(x) = 0.5 erfc(-x / sqrt 2)} with {@link UnaryOp#erfcNonNegative}'s fit in float32; the
     * {@code e^(-z^2)} factor is split as {@code e^(-h^2) e^((h - z)(h + z))} with {@code h} the top 12 bits of
     * {@code z} ({@code h^2} is exact), so the far tail keeps its relative precision.
     */
    private static FloatVector normalCdf(FloatVector x) {
        FloatVector z = x.abs().mul(SQRT1_2).min(20f); // erfc(20) is 0 in float; keeps inf - inf out
        FloatVector t = ONE.div(z.mul(0.5f).add(1f));
        // the degree-9 polynomial in Estrin's form: pairs, then pairs of pairs, a chain four steps deep, not nine
        FloatVector t2 = t.mul(t);
        FloatVector t4 = t2.mul(t2);
        FloatVector p01 = t.mul(1.00002368f).add(-1.26551223f);
        FloatVector p23 = t.mul(0.09678418f).add(0.37409196f);
        FloatVector p45 = t.mul(0.27886807f).add(-0.18628806f);
        FloatVector p67 = t.mul(1.48851587f).add(-1.13520398f);
        FloatVector p89 = t.mul(0.17087277f).add(-0.82215223f);
        FloatVector p03 = p23.mul(t2).add(p01);
        FloatVector p47 = p67.mul(t2).add(p45);
        FloatVector poly = p89.mul(t4).add(p47).mul(t4).add(p03);
        FloatVector h = z.reinterpretAsInts().and(0xfffff000).reinterpretAsFloats();
        FloatVector erfc = t.mul(h.mul(h).neg().lanewise(VectorOperators.EXP))
                .mul(h.sub(z).mul(h.add(z)).add(poly).lanewise(VectorOperators.EXP));
        FloatVector half = erfc.mul(0.5f);
        return half.blend(ONE.sub(half), x.compare(VectorOperators.GE, 0f));
    }

    /** {@code sigmoid(2u)} with {@code u = sqrt(2/pi) (x + 0.044715 x^3)}: {@code 0.5 (1 + tanh u)} without cancellation. */
    private static FloatVector sigmoidTwoU(FloatVector x) {
        FloatVector u = x.mul(x).mul(x).mul(KAPPA).add(x).mul(BETA);
        return ONE.div(u.mul(-2f).lanewise(VectorOperators.EXP).add(1f));
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
            case GELU_BACKWARD -> {
                for (; i < bound; i += L) {
                    FloatVector x = FloatVector.fromArray(S, b, ib + i);
                    FloatVector pdf = x.mul(x).mul(-0.5f).lanewise(VectorOperators.EXP).mul(INV_SQRT_2PI);
                    FloatVector.fromArray(S, a, ia + i).mul(x.fma(pdf, normalCdf(x))).intoArray(dst, out + i);
                }
            }
            case GELU_TANH_BACKWARD -> {
                for (; i < bound; i += L) {
                    FloatVector x = FloatVector.fromArray(S, b, ib + i);
                    FloatVector sg = sigmoidTwoU(x);
                    FloatVector inner = x.mul(x).mul(3f * KAPPA).add(1f).mul(BETA);
                    FloatVector d = x.mul(2f).mul(sg).mul(ONE.sub(sg)).mul(inner).add(sg);
                    FloatVector.fromArray(S, a, ia + i).mul(d).intoArray(dst, out + i);
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
