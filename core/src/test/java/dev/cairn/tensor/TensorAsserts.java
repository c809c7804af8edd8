package dev.cairn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.junit.jupiter.api.function.Executable;

/** Small assertion helpers shared by the tensor tests. */
final class TensorAsserts {
    private TensorAsserts() {
    }

    /** Asserts {@code t} has {@code shape} and exactly the elements {@code expected} (NaN equals NaN). */
    static void assertTensor(float[] expected, int[] shape, Tensor t) {
        assertShape(shape, t);
        assertClose(expected, t.toFloatArray(), 0f);
    }

    /** Asserts {@code t} has {@code shape} and elements within {@code tol} of {@code expected}. */
    static void assertTensor(float[] expected, int[] shape, Tensor t, float tol) {
        assertShape(shape, t);
        assertClose(expected, t.toFloatArray(), tol);
    }

    static void assertShape(int[] shape, Tensor t) {
        assertArrayEquals(shape, t.shape(), () -> "shape: expected " + Arrays.toString(shape) + " but was "
                + Arrays.toString(t.shape()));
    }

    /**
     * Element-by-element comparison: NaN matches only NaN, infinities match only themselves, and
     * finite values match when {@code |e - a| <= tol * max(1, |e|)}.
     */
    static void assertClose(float[] expected, float[] actual, float tol) {
        assertEquals(expected.length, actual.length, "number of elements");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok;
            if (Float.isNaN(e) || Float.isNaN(a)) {
                ok = Float.isNaN(e) && Float.isNaN(a);
            } else if (Float.isInfinite(e) || Float.isInfinite(a)) {
                ok = e == a;
            } else {
                ok = Math.abs(e - a) <= tol * Math.max(1f, Math.abs(e));
            }
            if (!ok) {
                fail("element " + i + ": expected " + e + " but was " + a + " (tolerance " + tol + ")\n expected: "
                        + abbreviate(expected) + "\n actual:   " + abbreviate(actual));
            }
        }
    }

    private static String abbreviate(float[] a) {
        return a.length <= 40 ? Arrays.toString(a) : Arrays.toString(Arrays.copyOf(a, 40)) + "... (" + a.length + ")";
    }

    /** Asserts that {@code body} throws {@code type} whose message contains every one of {@code parts}. */
    static <T extends Throwable> T assertThrowsWith(Class<T> type, Executable body, String... parts) {
        T e = assertThrows(type, body);
        String msg = e.getMessage();
        for (String p : parts) {
            assertTrue(msg != null && msg.contains(p), () -> "message should contain '" + p + "': " + msg);
        }
        return e;
    }

    /** {@code [0, 1, ..., n-1]} as floats. */
    static float[] iota(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    /** Deterministic pseudo-random data in [-1, 1). */
    static float[] random(long seed, int n) {
        float[] out = new float[n];
        new Generator(seed).fillUniform(out, -1f, 1f);
        return out;
    }

    /** Row-major index helper: the flat offset of {@code idx} in a dense tensor of {@code shape}. */
    static int flat(int[] shape, int... idx) {
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            off = off * shape[i] + idx[i];
        }
        return off;
    }
}
