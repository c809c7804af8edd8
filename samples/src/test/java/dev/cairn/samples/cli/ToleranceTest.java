package dev.cairn.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The golden oracle on both sides: what it must accept and every way it must reject. */
class ToleranceTest {

    private static Tolerance.Result compare(float[] expected, float[] actual) {
        return Tolerance.compare(Tensor.of(expected, expected.length), Tensor.of(actual, actual.length));
    }

    @Test
    void equalTensorsPassWithZeroDifference() {
        Tolerance.Result r = compare(new float[] {1, -2, 0.5f}, new float[] {1, -2, 0.5f});
        assertTrue(r.ok());
        assertEquals(0.0, r.maxDiff());
        assertEquals(3e-4, r.tolerance(), 1e-12, "min(1e-4 (1 + 2), 1e-3 * 2)");
        assertEquals("", r.reason());
    }

    @Test
    void shapeMismatchFailsEvenWithTheSameElements() {
        float[] six = {1, 2, 3, 4, 5, 6};
        Tolerance.Result r = Tolerance.compare(Tensor.of(six, 2, 3), Tensor.of(six, 3, 2));
        assertFalse(r.ok());
        assertTrue(Double.isNaN(r.maxDiff()));
        assertEquals("shape [3, 2] but expected [2, 3]", r.reason());
        assertFalse(Tolerance.compare(Tensor.of(six, 6), Tensor.of(six, 1, 6)).ok(), "an extra dimension");
        assertFalse(Tolerance.compare(Tensor.scalar(1), Tensor.of(new float[] {1}, 1)).ok(), "0-dim vs [1]");
    }

    @Test
    void nanMustStandExactlyWhereTheReferenceHasNaN() {
        assertTrue(compare(new float[] {Float.NaN, 1}, new float[] {Float.NaN, 1}).ok());

        Tolerance.Result numberForNaN = compare(new float[] {Float.NaN, 1}, new float[] {0, 1});
        assertFalse(numberForNaN.ok());
        assertTrue(numberForNaN.reason().startsWith("NaN mismatch at element 0"), numberForNaN.reason());

        Tolerance.Result nanForNumber = compare(new float[] {1, 2}, new float[] {1, Float.NaN});
        assertFalse(nanForNumber.ok());
        assertTrue(nanForNumber.reason().startsWith("NaN mismatch at element 1"), nanForNumber.reason());
    }

    @Test
    void infinitiesMustMatchWithTheirSign() {
        float inf = Float.POSITIVE_INFINITY;
        assertTrue(compare(new float[] {inf, -inf, 1}, new float[] {inf, -inf, 1}).ok());

        Tolerance.Result sign = compare(new float[] {1, inf}, new float[] {1, -inf});
        assertFalse(sign.ok());
        assertEquals(Double.POSITIVE_INFINITY, sign.maxDiff());
        assertTrue(sign.reason().startsWith("infinity mismatch at element 1"), sign.reason());

        assertFalse(compare(new float[] {1, inf}, new float[] {1, Float.MAX_VALUE}).ok(), "finite for +inf");
        assertFalse(compare(new float[] {1, 2}, new float[] {1, -inf}).ok(), "-inf for a finite value");
    }

    @Test
    void infinitiesAndNaNDoNotWidenTheTolerance() {
        // max |expected| is over finite elements only: 1e-4 (1 + 1) = 2e-4, not infinite
        Tolerance.Result r = compare(new float[] {Float.POSITIVE_INFINITY, Float.NaN, 1}, new float[] {
            Float.POSITIVE_INFINITY, Float.NaN, 1.01f});
        assertFalse(r.ok());
        assertEquals(2e-4, r.tolerance(), 1e-12);
    }

    @Test
    void justOverTheAbsoluteBoundFailsJustUnderPasses() {
        // max |e| = 2: min(1e-4 * 3, 1e-3 * 2) = 3e-4
        float[] e = {1, -2, 0.25f};
        assertFalse(compare(e, new float[] {1, -2 - 3.03e-4f, 0.25f}).ok(), "1% over");
        assertFalse(compare(e, new float[] {1 + 3.03e-4f, -2, 0.25f}).ok(), "1% over on a smaller element");
        assertTrue(compare(e, new float[] {1, -2 - 2.97e-4f, 0.25f}).ok(), "1% under");
        assertTrue(compare(e, new float[] {1 - 2.9e-4f, -2 + 2.9e-4f, 0.25f + 2.9e-4f}).ok(), "every element near");
    }

    @Test
    void justOverTheRelativeBoundFailsForSmallTensors() {
        // max |e| = 0.05: min(1e-4 * 1.05, 1e-3 * 0.05) = 5e-5
        float[] e = {0.05f, -0.02f};
        assertEquals(5e-5, compare(e, e).tolerance(), 1e-10);
        assertFalse(compare(e, new float[] {0.05f, -0.02f + 5.1e-5f}).ok());
        assertTrue(compare(e, new float[] {0.05f, -0.02f + 4.9e-5f}).ok());
    }

    @Test
    void zerosDoNotPassForATinyReference() {
        // the old absolute-only bound 1e-4 (1 + max|e|) accepted zeros for these chimera-sized gradients
        float[] tiny = {5e-5f, -2e-5f, 1e-6f};
        assertFalse(compare(tiny, new float[3]).ok());
        assertTrue(compare(tiny, new float[] {5.002e-5f, -2e-5f, 1e-6f}).ok(), "0.04% off passes");
    }

    @Test
    void anAllZeroReferenceAcceptsOnlyZeros() {
        assertTrue(compare(new float[4], new float[4]).ok());
        assertTrue(compare(new float[] {0}, new float[] {-0f}).ok(), "-0 equals 0");
        Tolerance.Result r = compare(new float[4], new float[] {0, 1e-7f, 0, 0});
        assertFalse(r.ok());
        assertEquals(0.0, r.tolerance());
    }

    @Test
    void largeValuesUseTheAbsoluteBound() {
        // max |e| = 1000: min(1e-4 * 1001, 1e-3 * 1000) = 0.1001
        float[] e = {1000, -3};
        assertEquals(0.1001, compare(e, e).tolerance(), 1e-9);
        assertTrue(compare(e, new float[] {1000.0625f, -3}).ok());
        assertFalse(compare(e, new float[] {1000, -3.125f}).ok());
    }

    @Test
    void boundIsTheSmallerOfTheTwo() {
        assertEquals(0.0, Tolerance.bound(0));
        assertEquals(1e-6, Tolerance.bound(1e-3), 1e-15);
        assertEquals(1e-4 * 1.2, Tolerance.bound(0.2), 1e-15, "just past the crossover at 1/9");
        assertEquals(1e-3 / 9 * 1.0, Tolerance.bound(1.0 / 9), 1e-12, "the two parts meet at 1/9");
    }
}
