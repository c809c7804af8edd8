package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorLanes#sum} adds lanes in lane order in every JIT tier: values whose float32 sum depends on
 * the order, summed often enough for C2 to compile the method, must give the lane-order sum every time.
 */
class VectorLanesTest {
    @Test
    void sumsLanesInLaneOrderBeforeAndAfterCompilation() {
        int l = FloatVector.SPECIES_PREFERRED.length();
        float[] values = new float[l];
        for (int i = 0; i < l; i++) {
            // large and small values alternate: any other order rounds the small ones away differently
            values[i] = i % 2 == 0 ? (i % 4 == 0 ? 1e8f : -1e8f) : 1f + i;
        }
        values[l - 1] = 3e-3f;
        float expected = 0f;
        for (float v : values) {
            expected += v;
        }
        FloatVector v = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, values, 0);
        for (int round = 0; round < 200_000; round++) {
            float s = VectorLanes.sum(v);
            if (Float.floatToRawIntBits(s) != Float.floatToRawIntBits(expected)) {
                assertEquals(expected, s, 0f, "lane sum at call " + round + " differs from the lane-order sum");
            }
        }
    }

    @Test
    void orderMattersForTheseValues() {
        // the check above can fail: a pairwise (C2-style) sum of the same lanes gives other bits
        int l = FloatVector.SPECIES_PREFERRED.length();
        float[] values = new float[l];
        for (int i = 0; i < l; i++) {
            values[i] = i % 2 == 0 ? (i % 4 == 0 ? 1e8f : -1e8f) : 1f + i;
        }
        values[l - 1] = 3e-3f;
        float sequential = 0f;
        for (float v : values) {
            sequential += v;
        }
        float[] t = values.clone();
        for (int half = l / 2; half >= 1; half /= 2) {
            for (int i = 0; i < half; i++) {
                t[i] += t[i + half];
            }
        }
        org.junit.jupiter.api.Assertions.assertNotEquals(sequential, t[0],
                "the test values must tell the lane order from a pairwise order");
    }
}
