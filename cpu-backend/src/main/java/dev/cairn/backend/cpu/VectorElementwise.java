package dev.cairn.backend.cpu;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.UnaryOp;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops over dense arrays: the unary ops (ReLU, leaky ReLU, scalar arithmetic and comparisons, clamps (also
 * both bounds in one pass), sign, reciprocal, square root, powers, exp, log, sin, cos, erf, tanh, sigmoid, both
 * GELUs), tensor arithmetic with equal or scalar-broadcast operands and the GELUs' fused gradients, comparisons into
 * bools, {@code where}, bool and / or, and a line's maximum or minimum. The GELUs and erf use the same formulas as
 * {@link UnaryOp#gelu}, {@link UnaryOp#geluTanh} and {@link UnaryOp#erfcNonNegative} in float32; exp, log, sin, cos,
 * tanh and pow are the Vector API's (the JDK's vector math library where the CPU has one). Each loop names its
 * operation as a constant, which the JIT needs to turn it into vector instructions. The methods that return a boolean
 * return false for what they do not cover, so the caller runs its plain loop.
 */
final class VectorElementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED;
    private static final int BL = B.length();

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
            case LEAKY_RELU -> { // x > 0 ? x : x * s (NaN: not > 0, NaN * s stays NaN)
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    v.mul(s).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(dst, dOff + i);
                }
            }
            case TANH -> i = tanhLoop(a, off, dst, dOff, bound);
            case SIGMOID -> i = sigmoidLoop(a, off, dst, dOff, bound);
            case GELU -> i = geluLoop(a, off, dst, dOff, bound);
            case GELU_TANH -> i = geluTanhLoop(a, off, dst, dOff, bound);
            case EXP -> i = expLoop(a, off, dst, dOff, bound);
            case LOG -> i = logLoop(a, off, dst, dOff, bound);
            case SIN -> i = sinLoop(a, off, dst, dOff, bound);
            case COS -> i = cosLoop(a, off, dst, dOff, bound);
            case ERF -> i = erfLoop(a, off, dst, dOff, bound);
            // correctly rounded, as the reference's double square root rounded to float
            case SQRT -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, off + i).sqrt().intoArray(dst, dOff + i);
                }
            }
            case RDIV_SCALAR -> {
                FloatVector sv = FloatVector.broadcast(S, s);
                for (; i < bound; i += L) {
                    sv.div(FloatVector.fromArray(S, a, off + i)).intoArray(dst, dOff + i);
                }
            }
            // 1, -1 or 0 by the sign; NaN and both zeros give +0 (the reference's rule)
            case SIGN -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, a, off + i);
                    ZERO.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f))
                            .intoArray(dst, dOff + i);
                }
            }
            // UnaryOp#pow's formulas for its special exponents (the same bits); any other exponent the Vector API's
            // pow (within an ulp or so of Math.pow in double, which the plain loop runs)
            case POW_SCALAR -> i = powLoop(s, a, off, dst, dOff, bound);
            default -> {
                return false;
            }
        }
        if (i < n && APPROXIMATE.contains(op)) {
            // the last partial vector through the same vector formula (from a padded copy), so that a value
            // gives the same bits wherever it lies in the tensor
            float[] in = new float[L];
            float[] out = new float[L];
            System.arraycopy(a, off + i, in, 0, n - i);
            unary(op, s, in, 0, out, 0, L);
            System.arraycopy(out, 0, dst, dOff + i, n - i);
            return true;
        }
        for (; i < n; i++) {
            dst[dOff + i] = op.apply(a[off + i], s);
        }
        return true;
    }

    /**
     * {@code dst[i] = CLAMP_MAX(CLAMP_MIN(a[i], min), max)} over {@code n} dense floats in one pass, the same bits
     * as the two {@link UnaryOp}s one after the other.
     */
    static void clamp(float min, float max, float[] a, int off, float[] dst, int dOff, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, off + i);
            v = v.blend(min, v.compare(VectorOperators.LT, min));
            v.blend(max, v.compare(VectorOperators.GT, max)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = UnaryOp.CLAMP_MAX.apply(UnaryOp.CLAMP_MIN.apply(a[off + i], min), max);
        }
    }

    // The transcendental loops live in methods of their own: inside the large switch above, the JIT's inlining
    // budget ran out before their formulas (normalCdf, erf), which then ran as calls on boxed vectors, 2-3x slower.
    // Each returns the index where its vector loop stopped.

    private static int tanhLoop(float[] a, int off, float[] dst, int dOff, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, off + i).lanewise(VectorOperators.TANH).intoArray(dst, dOff + i);
        }
        return i;
    }

    private static int sigmoidLoop(float[] a, int off, float[] dst, int dOff, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector e = FloatVector.fromArray(S, a, off + i).neg().lanewise(VectorOperators.EXP);
            ONE.div(e.add(1f)).intoArray(dst, dOff + i);
        }
        return i;
    }

    private static int geluLoop(float[] a, int off, float[] dst, int dOff, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, a, off + i);
            x.mul(normalCdf(x)).intoArray(dst, dOff + i);
        }
        return i;
    }

    private static int geluTanhLoop(float[] a, int off, float[] dst, int dOff, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, a, off + i);
            x.mul(sigmoidTwoU(x)).intoArray(dst, dOff + i);
        }
        return i;
    }

    private static int expLoop(float[] a, int off, float[] dst, int dOff, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, off + i).lanewise(VectorOperators.EXP).intoArray(dst, dOff + i);
        }
        return i;
    }

    private static int logLoop(float[] a, int off, float[] dst, int dOff, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, off + i).lanewise(VectorOperators.LOG).intoArray(dst, dOff + i);
        }
        return i;
    }

    private static int sinLoop(float[] a, int off, float[] dst, int dOff, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, off + i).lanewise(VectorOperators.SIN).intoArray(dst, dOff + i);
        }
        return i;
    }

    private static int cosLoop(float[] a, int off, float[] dst, int dOff, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, off + i).lanewise(VectorOperators.COS).intoArray(dst, dOff + i);
        }
        return i;
    }

    private static int powLoop(float s, float[] a, int off, float[] dst, int dOff, int bound) {
        int i = 0;
        if (s == 2f) {
            for (; i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, a, off + i);
                v.mul(v).intoArray(dst, dOff + i);
            }
        } else if (s == 1f) {
            System.arraycopy(a, off, dst, dOff, bound);
            i = bound;
        } else if (s == 0.5f) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, off + i).sqrt().intoArray(dst, dOff + i);
            }
        } else if (s == 3f) {
            for (; i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, a, off + i);
                v.mul(v).mul(v).intoArray(dst, dOff + i);
            }
        } else if (s == -1f) {
            for (; i < bound; i += L) {
                ONE.div(FloatVector.fromArray(S, a, off + i)).intoArray(dst, dOff + i);
            }
        } else if (s == -2f) {
            for (; i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, a, off + i);
                ONE.div(v.mul(v)).intoArray(dst, dOff + i);
            }
        } else if (s == -0.5f) {
            for (; i < bound; i += L) {
                ONE.div(FloatVector.fromArray(S, a, off + i).sqrt()).intoArray(dst, dOff + i);
            }
        } else {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, off + i).lanewise(VectorOperators.POW, s).intoArray(dst, dOff + i);
            }
        }
        return i;
    }

    private static int erfLoop(float[] a, int off, float[] dst, int dOff, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            erf(FloatVector.fromArray(S, a, off + i)).intoArray(dst, dOff + i);
        }
        return i;
    }

    /**
     * The ops whose vector formula may round differently from {@link UnaryOp#apply} (within a few ulps): their
     * tails run the vector formula too. The others give the reference's bits in either form.
     */
    private static final java.util.Set<UnaryOp> APPROXIMATE = java.util.EnumSet.of(UnaryOp.EXP, UnaryOp.LOG,
            UnaryOp.SIN, UnaryOp.COS, UnaryOp.ERF, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.GELU, UnaryOp.GELU_TANH,
            UnaryOp.POW_SCALAR);

    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final FloatVector ZERO = FloatVector.zero(S);
    private static final float SQRT1_2 = (float) UnaryOp.SQRT1_2;
    private static final float BETA = (float) UnaryOp.GELU_BETA;
    private static final float KAPPA = (float) UnaryOp.GELU_KAPPA;
    private static final float INV_SQRT_2PI = 0.3989422804014327f;

    /**
     * {@code Phi(x) = 0.5 erfc(-x / sqrt 2)}, accurate relative to its value in both tails.
     */
    private static FloatVector normalCdf(FloatVector x) {
        FloatVector half = erfcNonNegative(x.abs().mul(SQRT1_2)).mul(0.5f);
        return half.blend(ONE.sub(half), x.compare(VectorOperators.GE, 0f));
    }

    /**
     * {@code erf x}: below |x| = 1 its Maclaurin series to the x^21 term (the next is under 1.2e-9 of the
     * value), from 1 on {@code 1 - erfc |x|} with the sign of x ({@link #erfcNonNegative}; erfc is at most 0.16
     * there, so the subtraction loses nothing). NaN stays NaN, the infinities give 1 and -1.
     */
    static FloatVector erf(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector series = FloatVector.broadcast(S, ERF_SERIES[ERF_SERIES.length - 1]);
        for (int k = ERF_SERIES.length - 2; k >= 0; k--) {
            series = series.fma(x2, FloatVector.broadcast(S, ERF_SERIES[k]));
        }
        series = series.mul(x);
        FloatVector far = ONE.sub(erfcNonNegative(x.abs()));
        far = far.blend(far.neg(), x.compare(VectorOperators.LT, 0f));
        return far.blend(series, x.abs().compare(VectorOperators.LT, 1f));
    }

    /** The series' coefficients in x^2: {@code 2/sqrt(pi) (-1)^n / (n! (2n + 1))} for n = 0..10. */
    private static final float[] ERF_SERIES = new float[11];

    static {
        double factorial = 1;
        for (int n = 0; n < ERF_SERIES.length; n++) {
            factorial *= Math.max(n, 1);
            ERF_SERIES[n] = (float) (2.0 / Math.sqrt(Math.PI) * (n % 2 == 0 ? 1 : -1) / (factorial * (2 * n + 1)));
        }
    }

    /**
     * {@code erfc z} for {@code z >= 0} (or NaN) with {@link UnaryOp#erfcNonNegative}'s fit in float32, its
     * polynomial in fused multiply-adds. The exponent {@code -z^2 + poly} is summed from {@code z^2}'s rounded
     * value and its exact rounding error (one fused multiply-add), so that the one exp keeps the far tail's
     * relative precision: {@code scripts/GeluAccuracy.java} gives GELU within 1.4e-5 of the double formula over
     * [-14, -3) and 1e-6 above; splitting the exponent over two exps instead gained little (1.0e-5) for 1.5x
     * the time.
     */
    private static FloatVector erfcNonNegative(FloatVector zIn) {
        FloatVector z = zIn.min(20f); // erfc(20) is 0 in float; keeps inf - inf out
        FloatVector t = ONE.div(z.fma(0.5f, 1f));
        // the degree-9 polynomial in Estrin's form: pairs, then pairs of pairs, a chain four steps deep, not nine;
        // each step one fused multiply-add
        FloatVector t2 = t.mul(t);
        FloatVector t4 = t2.mul(t2);
        FloatVector p01 = t.fma(1.00002368f, -1.26551223f);
        FloatVector p23 = t.fma(0.09678418f, 0.37409196f);
        FloatVector p45 = t.fma(0.27886807f, -0.18628806f);
        FloatVector p67 = t.fma(1.48851587f, -1.13520398f);
        FloatVector p89 = t.fma(0.17087277f, -0.82215223f);
        FloatVector p03 = p23.fma(t2, p01);
        FloatVector p47 = p67.fma(t2, p45);
        FloatVector poly = p89.fma(t4, p47).fma(t4, p03);
        FloatVector sq = z.mul(z);
        FloatVector sqError = z.fma(z, sq.neg()); // z^2 - sq, exactly
        return t.mul(poly.sub(sqError).sub(sq).lanewise(VectorOperators.EXP));
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
            case GELU_BACKWARD -> i = geluBackwardLoop(a, ia, b, ib, dst, out, bound);
            case GELU_TANH_BACKWARD -> i = geluTanhBackwardLoop(a, ia, b, ib, dst, out, bound);
            default -> {
                return false;
            }
        }
        for (; i < n; i++) {
            dst[out + i] = op.apply(a[ia + i], b[ib + i]);
        }
        return true;
    }

    /** {@code g * gelu'(x)} with g from {@code a} and x from {@code b} (in a method of its own, as the unary loops). */
    private static int geluBackwardLoop(float[] a, int ia, float[] b, int ib, float[] dst, int out, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, b, ib + i);
            FloatVector pdf = x.mul(x).mul(-0.5f).lanewise(VectorOperators.EXP).mul(INV_SQRT_2PI);
            FloatVector.fromArray(S, a, ia + i).mul(x.fma(pdf, normalCdf(x))).intoArray(dst, out + i);
        }
        return i;
    }

    /** {@code g * geluTanh'(x)} with g from {@code a} and x from {@code b}. */
    private static int geluTanhBackwardLoop(float[] a, int ia, float[] b, int ib, float[] dst, int out, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, b, ib + i);
            FloatVector sg = sigmoidTwoU(x);
            FloatVector inner = x.mul(x).mul(3f * KAPPA).add(1f).mul(BETA);
            FloatVector d = x.mul(2f).mul(sg).mul(ONE.sub(sg)).mul(inner).add(sg);
            FloatVector.fromArray(S, a, ia + i).mul(d).intoArray(dst, out + i);
        }
        return i;
    }

    /**
     * {@code out = a op b} as bools over a dense row of {@code a}, where {@code b} advances by {@code sb} (1: a
     * dense row, 0: one value for the whole row); NaN compares as Java's operators do (false, except NE).
     * False (nothing done) for other strides, so the caller runs its plain loop.
     */
    static boolean compare(CompareOp op, float[] a, int ia, float[] b, int ib, int sb, boolean[] out, int o, int n) {
        if (sb != 0 && sb != 1) {
            return false;
        }
        int bound = S.loopBound(n);
        int i = switch (op) {
            case EQ -> sb == 1 ? eqLoop(a, ia, b, ib, out, o, bound) : eqScalarLoop(a, ia, b[ib], out, o, bound);
            case NE -> sb == 1 ? neLoop(a, ia, b, ib, out, o, bound) : neScalarLoop(a, ia, b[ib], out, o, bound);
            case LT -> sb == 1 ? ltLoop(a, ia, b, ib, out, o, bound) : ltScalarLoop(a, ia, b[ib], out, o, bound);
            case LE -> sb == 1 ? leLoop(a, ia, b, ib, out, o, bound) : leScalarLoop(a, ia, b[ib], out, o, bound);
            case GT -> sb == 1 ? gtLoop(a, ia, b, ib, out, o, bound) : gtScalarLoop(a, ia, b[ib], out, o, bound);
            case GE -> sb == 1 ? geLoop(a, ia, b, ib, out, o, bound) : geScalarLoop(a, ia, b[ib], out, o, bound);
        };
        for (; i < n; i++) {
            out[o + i] = op.test(a[ia + i], b[ib + i * sb]);
        }
        return true;
    }

    // One loop per comparison, each naming its operator as a constant (passed in, it ran lane by lane).

    private static int eqLoop(float[] a, int ia, float[] b, int ib, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.EQ, FloatVector.fromArray(S, b, ib + i))
                    .intoArray(out, o + i);
        }
        return i;
    }

    private static int neLoop(float[] a, int ia, float[] b, int ib, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.NE, FloatVector.fromArray(S, b, ib + i))
                    .intoArray(out, o + i);
        }
        return i;
    }

    private static int ltLoop(float[] a, int ia, float[] b, int ib, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.LT, FloatVector.fromArray(S, b, ib + i))
                    .intoArray(out, o + i);
        }
        return i;
    }

    private static int leLoop(float[] a, int ia, float[] b, int ib, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.LE, FloatVector.fromArray(S, b, ib + i))
                    .intoArray(out, o + i);
        }
        return i;
    }

    private static int gtLoop(float[] a, int ia, float[] b, int ib, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.GT, FloatVector.fromArray(S, b, ib + i))
                    .intoArray(out, o + i);
        }
        return i;
    }

    private static int geLoop(float[] a, int ia, float[] b, int ib, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.GE, FloatVector.fromArray(S, b, ib + i))
                    .intoArray(out, o + i);
        }
        return i;
    }

    private static int eqScalarLoop(float[] a, int ia, float s, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.EQ, s).intoArray(out, o + i);
        }
        return i;
    }

    private static int neScalarLoop(float[] a, int ia, float s, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.NE, s).intoArray(out, o + i);
        }
        return i;
    }

    private static int ltScalarLoop(float[] a, int ia, float s, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.LT, s).intoArray(out, o + i);
        }
        return i;
    }

    private static int leScalarLoop(float[] a, int ia, float s, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.LE, s).intoArray(out, o + i);
        }
        return i;
    }

    private static int gtScalarLoop(float[] a, int ia, float s, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.GT, s).intoArray(out, o + i);
        }
        return i;
    }

    private static int geScalarLoop(float[] a, int ia, float s, boolean[] out, int o, int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ia + i).compare(VectorOperators.GE, s).intoArray(out, o + i);
        }
        return i;
    }

    /**
     * {@code dst = mask ? x : y} over a dense row of the mask, where x and y each advance by 1 (a dense row) or 0
     * (one value for the row: masked fill). False (nothing done) for other strides.
     */
    static boolean where(boolean[] mask, int ic, float[] x, int ia, int sa, float[] y, int ib, int sb, float[] dst,
                         int o, int n) {
        if ((sa != 0 && sa != 1) || (sb != 0 && sb != 1)) {
            return false;
        }
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector fx = sa == 1 ? FloatVector.fromArray(S, x, ia + i) : FloatVector.broadcast(S, x[ia]);
            FloatVector fy = sb == 1 ? FloatVector.fromArray(S, y, ib + i) : FloatVector.broadcast(S, y[ib]);
            fy.blend(fx, VectorMask.fromArray(S, mask, ic + i)).intoArray(dst, o + i);
        }
        for (; i < n; i++) {
            dst[o + i] = mask[ic + i] ? x[ia + i * sa] : y[ib + i * sb];
        }
        return true;
    }

    /**
     * {@code out = u & v} ({@code and}) or {@code u | v} over dense rows of bools, as byte vectors of 0 and 1
     * (64 bools a step with AVX-512, where float-lane masks took 16).
     */
    static void andOr(boolean and, boolean[] u, int iu, boolean[] v, int iv, boolean[] out, int o, int n) {
        int bound = B.loopBound(n);
        int i = 0;
        if (and) {
            for (; i < bound; i += BL) {
                ByteVector.fromBooleanArray(B, u, iu + i).and(ByteVector.fromBooleanArray(B, v, iv + i))
                        .intoBooleanArray(out, o + i);
            }
        } else {
            for (; i < bound; i += BL) {
                ByteVector.fromBooleanArray(B, u, iu + i).or(ByteVector.fromBooleanArray(B, v, iv + i))
                        .intoBooleanArray(out, o + i);
            }
        }
        for (; i < n; i++) {
            out[o + i] = and ? u[iu + i] & v[iv + i] : u[iu + i] | v[iv + i];
        }
    }

    /**
     * The largest ({@code max}) or smallest of {@code a[start, start + n)}, {@code n >= 16}, over vector lanes:
     * NaN where there is one (not necessarily the first NaN's bits), and where the extreme is a zero either zero.
     * The caller falls back to its ordered walk for those two cases.
     */
    static float extremum(boolean max, float[] a, int start, int n) {
        int bound = S.loopBound(n);
        FloatVector b0 = FloatVector.fromArray(S, a, start);
        FloatVector b1 = b0;
        FloatVector b2 = b0;
        FloatVector b3 = b0;
        int i = L;
        // lanewise max and min are Math.max and Math.min: a NaN sticks. Four chains side by side: one chain of
        // Math.max steps (several instructions each) ran at a quarter of the loads' rate.
        if (max) {
            for (; i + 4 * L <= bound; i += 4 * L) {
                b0 = b0.max(FloatVector.fromArray(S, a, start + i));
                b1 = b1.max(FloatVector.fromArray(S, a, start + i + L));
                b2 = b2.max(FloatVector.fromArray(S, a, start + i + 2 * L));
                b3 = b3.max(FloatVector.fromArray(S, a, start + i + 3 * L));
            }
            for (; i < bound; i += L) {
                b0 = b0.max(FloatVector.fromArray(S, a, start + i));
            }
            b0 = b0.max(b1).max(b2.max(b3));
        } else {
            for (; i + 4 * L <= bound; i += 4 * L) {
                b0 = b0.min(FloatVector.fromArray(S, a, start + i));
                b1 = b1.min(FloatVector.fromArray(S, a, start + i + L));
                b2 = b2.min(FloatVector.fromArray(S, a, start + i + 2 * L));
                b3 = b3.min(FloatVector.fromArray(S, a, start + i + 3 * L));
            }
            for (; i < bound; i += L) {
                b0 = b0.min(FloatVector.fromArray(S, a, start + i));
            }
            b0 = b0.min(b1).min(b2.min(b3));
        }
        float r = max ? b0.reduceLanes(VectorOperators.MAX) : b0.reduceLanes(VectorOperators.MIN);
        for (; i < n; i++) {
            float v = a[start + i];
            r = max ? Math.max(r, v) : Math.min(r, v);
        }
        return r;
    }

    /** The first {@code i} with {@code a[start + i] == v} ({@code v} not NaN), or {@code n} if there is none. */
    static int firstEqual(float[] a, int start, int n, float v) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            VectorMask<Float> hit = FloatVector.fromArray(S, a, start + i).compare(VectorOperators.EQ, v);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        for (; i < n; i++) {
            if (a[start + i] == v) {
                return i;
            }
        }
        return n;
    }
}
