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
                UnaryOp.LE_SCALAR, UnaryOp.EQ_SCALAR, UnaryOp.NE_SCALAR, UnaryOp.CLAMP_MIN, UnaryOp.CLAMP_MAX}) {
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
