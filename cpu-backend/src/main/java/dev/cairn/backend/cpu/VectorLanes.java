package dev.cairn.backend.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * The sum of a vector's lanes in one fixed order (lane 0 first), for the Vector API kernels that end a
 * row with a horizontal sum. {@code reduceLanes(ADD)} leaves the order unspecified, and it does differ
 * between the JIT tiers (the interpreter and C1 add lane by lane, C2 folds halves), so a kernel using it
 * gave different bits for the same input depending on whether it had been compiled yet: a training run
 * with a fixed seed did not repeat itself. Called once per row, not per element, so the store and the
 * scalar adds cost little. Stateless and thread-safe.
 */
final class VectorLanes {
    private VectorLanes() {
    }

    /** {@code v[0] + v[1] + ... + v[L-1]}, added in that order in float32. */
    static float sum(FloatVector v) {
        float[] lanes = new float[v.length()];
        v.intoArray(lanes, 0);
        float s = 0f;
        for (float x : lanes) {
            s += x;
        }
        return s;
    }
}
