package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.UnaryOp;
import org.junit.jupiter.api.Test;

/** The Vector API elementwise loops give bit-for-bit the results of the reference formulas, tails included. */
class VectorElementwiseTest {
    private static float[] awkward(int n) {
        float[] special = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -1.5f, 2.25f,
            Float.MIN_VALUE, -Float.MAX_VALUE, 1e-30f};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i < special.length ? special[i] : (float) Math.sin(i) * (i % 7);
        }
        return x;
    }

    @Test
    void unaryOpsMatchTheReference() {
        for (int n : new int[] {16, 17, 33, 100}) {
            float[] a = awkward(n + 3);
            for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.ADD_SCALAR, UnaryOp.MUL_SCALAR, UnaryOp.DIV_SCALAR,
                UnaryOp.NEG, UnaryOp.ABS, UnaryOp.RSUB_SCALAR, UnaryOp.GT_SCALAR, UnaryOp.GE_SCALAR, UnaryOp.LT_SCALAR,
                UnaryOp.LE_SCALAR, UnaryOp.EQ_SCALAR, UnaryOp.NE_SCALAR, UnaryOp.CLAMP_MIN, UnaryOp.CLAMP_MAX,
                UnaryOp.LEAKY_RELU}) {
                // scalars that some elements equal (a comparison's edge) and the signed zeros
                for (float scalar : new float[] {0.75f, 2.25f, 0f, -0f, Float.NaN}) {
                    float[] out = new float[n + 1];
                    assertTrue(VectorElementwise.unary(op, scalar, a, 3, out, 1, n));
                    for (int i = 0; i < n; i++) {
                        float want = op.apply(a[3 + i], scalar);
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[1 + i]),
                                op + " with " + scalar + " of " + a[3 + i] + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void exactTranscendentalFormsMatchTheReference() {
        for (int n : new int[] {16, 17, 33, 100}) {
            float[] a = awkward(n + 3);
            for (UnaryOp op : new UnaryOp[] {UnaryOp.SQRT, UnaryOp.SIGN, UnaryOp.RDIV_SCALAR}) {
                assertMatchesBits(op, 0.75f, a, n);
                assertMatchesBits(op, -0f, a, n);
            }
            for (float exponent : new float[] {2f, 0.5f, 1f, 3f, -1f, -2f, -0.5f}) {
                assertMatchesBits(UnaryOp.POW_SCALAR, exponent, a, n);
            }
        }
    }

    @Test
    void powersWithOtherExponentsStayWithinAFewUlpsOfMathPow() {
        float[] x = spread();
        float[] out = new float[x.length];
        for (float exponent : new float[] {1.7f, -2.5f, 4f, 0.25f, 1e-3f}) {
            float[] big = new float[1024];
            for (int r = 0; r < 1500; r++) { // compiled code runs the vector pow (see warm)
                VectorElementwise.unary(UnaryOp.POW_SCALAR, exponent, big, 0, big, 0, big.length);
            }
            assertTrue(VectorElementwise.unary(UnaryOp.POW_SCALAR, exponent, x, 0, out, 0, x.length));
            for (int i = 0; i < x.length; i++) {
                float want = (float) Math.pow(x[i], exponent);
                String what = "pow(" + x[i] + ", " + exponent + "): " + out[i] + ", reference " + want;
                if (Float.isNaN(want) || Float.isInfinite(want) || want == 0) {
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[i]), what);
                } else {
                    assertTrue(Math.abs(out[i] - Math.pow(x[i], exponent)) <= 4 * Math.ulp(want), what);
                }
            }
        }
    }

    private static void assertMatchesBits(UnaryOp op, float scalar, float[] a, int n) {
        float[] out = new float[n + 1];
        assertTrue(VectorElementwise.unary(op, scalar, a, 3, out, 1, n), op + " is covered");
        for (int i = 0; i < n; i++) {
            float want = op.apply(a[3 + i], scalar);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[1 + i]),
                    op + " with " + scalar + " of " + a[3 + i] + " at " + i);
        }
    }

    /** Values across each function's range, its special values and the edges of erf's two formulas. */
    private static float[] spread() {
        java.util.List<Float> v = new java.util.ArrayList<>(java.util.List.of(Float.NaN, 0f, -0f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e-20f,
                1e-5f, -3e-4f, 0.99999994f, 1f, -1f, 1.0000001f, 88.7f, -87.3f, -103f, 89f, 3.9f, -4.5f, 10f,
                1e4f, -3e5f, 123456.7f, Float.MIN_NORMAL));
        for (int i = -600; i <= 600; i++) {
            v.add(i / 100f); // -6 .. 6 in steps of 0.01
        }
        for (int i = 1; i < 40; i++) {
            v.add((float) Math.pow(1.7, i) / 1000f);
            v.add((float) -Math.pow(1.9, i) / 3000f);
        }
        float[] x = new float[v.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = v.get(i);
        }
        return x;
    }

    @Test
    void approximateTranscendentalsStayWithinAFewUlpsOfTheReference() {
        float[] x = spread();
        // log of a negative value is NaN; keep the domain's edge cases (0, -0, infinities) in
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.SIN, UnaryOp.COS, UnaryOp.ERF}) {
            warm(op);
            float[] out = new float[x.length];
            assertTrue(VectorElementwise.unary(op, 0f, x, 0, out, 0, x.length), op + " is covered");
            for (int i = 0; i < x.length; i++) {
                double want = reference(op, x[i]);
                float rounded = (float) want;
                String what = op + " of " + x[i] + ": " + out[i] + ", reference " + want;
                if (Float.isNaN(rounded) || Float.isInfinite(rounded) || rounded == 0) {
                    assertEquals(Float.floatToIntBits(rounded), Float.floatToIntBits(out[i]), what);
                } else {
                    // within 4 units in the last place of the float result (the vector math is about 1)
                    assertTrue(Math.abs(out[i] - want) <= 4 * Math.ulp(rounded), what);
                }
            }
        }
    }

    /**
     * Runs the op's loop until the JIT has compiled it: interpreted, the Vector API computes each lane with the
     * scalar Math functions, and only compiled code runs the vector math these tests are about.
     */
    private static void warm(UnaryOp op) {
        float[] x = spread();
        float[] out = new float[x.length];
        for (int r = 0; r < 3000; r++) {
            VectorElementwise.unary(op, 0f, x, 0, out, 0, x.length);
        }
    }

    private static double reference(UnaryOp op, float x) {
        return switch (op) {
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case ERF -> UnaryOp.erf(x);
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    @Test
    void approximateOpsGiveAValueTheSameBitsWhereverItLies() {
        // the vector body and the padded last vector run one formula: a value at index 0 and in the tail agree
        float[] x = spread();
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.SIN, UnaryOp.COS, UnaryOp.ERF,
            UnaryOp.POW_SCALAR, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.GELU, UnaryOp.GELU_TANH}) {
            warm(op);
            for (int tail = 1; tail < 16; tail += 7) {
                for (int i = 0; i < x.length; i++) {
                    float[] row = new float[16 + tail];
                    java.util.Arrays.fill(row, x[i]);
                    float[] out = new float[row.length];
                    assertTrue(VectorElementwise.unary(op, 0f, row, 0, out, 0, row.length));
                    for (int j = 1; j < row.length; j++) {
                        assertEquals(Float.floatToIntBits(out[0]), Float.floatToIntBits(out[j]),
                                op + " of " + x[i] + " at index " + j + " of " + row.length);
                    }
                }
            }
        }
    }

    @Test
    void reluKeepsNaNAndZeroesNegatives() {
        float[] a = {Float.NaN, -1f, 3f, Float.NEGATIVE_INFINITY, 0f, -0f, 5f, -2f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, -9f};
        float[] out = new float[a.length];
        VectorElementwise.unary(UnaryOp.RELU, 0f, a, 0, out, 0, a.length);
        assertTrue(Float.isNaN(out[0]));
        assertEquals(0f, out[1]);
        assertEquals(3f, out[2]);
        assertEquals(0f, out[3]);
        assertEquals(0f, out[16]);
    }

    @Test
    void binaryOpsMatchTheReferenceForEqualAndBroadcastOperands() {
        for (int n : new int[] {16, 31, 64}) {
            float[] a = awkward(n);
            float[] b = awkward(n + 5);
            for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}) {
                for (int sb : new int[] {0, 1}) {
                    float[] out = new float[n];
                    boolean done = VectorElementwise.binary(op, a, 0, b, 5, sb, out, 0, n);
                    if (op == BinaryOp.SUB && sb == 0) {
                        continue; // not covered: the caller's plain loop runs
                    }
                    assertTrue(done, op + " sb=" + sb);
                    for (int i = 0; i < n; i++) {
                        float want = op.apply(a[i], b[5 + i * sb]);
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[i]), op + " sb=" + sb + " at " + i);
                    }
                }
            }
        }
    }
}
