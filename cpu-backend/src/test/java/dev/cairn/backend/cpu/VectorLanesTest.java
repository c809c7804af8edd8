package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorLanes#sum} folds halves in one fixed order in every JIT tier: values whose float32 sum
 * depends on the order, summed often enough for C2 to compile the method, must give that sum every time.
 */
class VectorLanesTest {
    private static final int L = FloatVector.SPECIES_PREFERRED.length();

    /** Large and small values alternating: any other order rounds the small ones away differently. */
    private static float[] orderSensitive() {
        float[] values = new float[L];
        for (int i = 0; i < L; i++) {
            values[i] = i % 2 == 0 ? (i % 4 == 0 ? 1e8f : -1e8f) : 1f + i;
        }
        values[L - 1] = 3e-3f;
        return values;
    }

    private static float laneOrderSum(float[] values) {
        float s = 0f;
        for (float v : values) {
            s += v;
        }
        return s;
    }

    /** Lane i plus lane i + L/2, then + L/4, ... : the order {@link VectorLanes#sum} promises. */
    private static float foldedSum(float[] values) {
        float[] t = values.clone();
        for (int half = L / 2; half >= 1; half /= 2) {
            for (int i = 0; i < half; i++) {
                t[i] += t[i + half];
            }
        }
        return t[0];
    }

    @Test
    void foldsHalvesInOneOrderBeforeAndAfterCompilation() {
        float[] values = orderSensitive();
        float expected = foldedSum(values);
        FloatVector v = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, values, 0);
        for (int round = 0; round < 200_000; round++) {
            float s = VectorLanes.sum(v);
            if (Float.floatToRawIntBits(s) != Float.floatToRawIntBits(expected)) {
                assertEquals(expected, s, 0f, "lane sum at call " + round + " differs from the folded sum");
            }
        }
    }

    @Test
    void orderMattersForTheseValues() {
        // the check above can fail: a lane-by-lane sum (the interpreter's reduceLanes) gives other bits
        float[] values = orderSensitive();
        assertNotEquals(laneOrderSum(values), foldedSum(values),
                "the test values must tell the folded order from the lane order");
    }
}
