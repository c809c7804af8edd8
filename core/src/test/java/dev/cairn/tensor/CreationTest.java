package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.Device;
import static dev.cairn.tensor.TensorAsserts.assertShape;
import static dev.cairn.tensor.TensorAsserts.assertTensor;
import static dev.cairn.tensor.TensorAsserts.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CreationTest {

    @Test
    void ofKeepsDataShapeAndRowMajorStrides() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(data, 2, 3);
        assertTensor(new float[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3}, t);
        assertArrayEquals(new int[] {3, 1}, t.strides());
        assertEquals(2, t.dim());
        assertEquals(6, t.numel());
        assertEquals(3, t.size(1));
        assertEquals(2, t.size(-2));
        assertTrue(t.isContiguous());
        assertEquals(DType.FLOAT32, t.dtype());
        assertEquals(Device.cpu(), t.device());
        data[0] = 100; // the tensor holds a copy
        assertEquals(1f, t.toFloatArray()[0]);
    }

    @Test
    void ofWithNoShapeIsAZeroDimScalar() {
        Tensor t = Tensor.of(new float[] {7});
        assertShape(new int[0], t);
        assertEquals(0, t.dim());
        assertEquals(1, t.numel());
        assertEquals(7f, t.item());
    }

    @Test
    void vectorAndScalar() {
        assertTensor(new float[] {1, -2, 3.5f}, new int[] {3}, Tensor.vector(1, -2, 3.5f));
        assertTensor(new float[0], new int[] {0}, Tensor.vector());
        Tensor s = Tensor.scalar(2.5f);
        assertShape(new int[0], s);
        assertArrayEquals(new int[0], s.strides());
        assertEquals(2.5f, s.item());
    }

    @Test
    void zerosOnesFull() {
        assertTensor(new float[6], new int[] {2, 3}, Tensor.zeros(2, 3));
        assertTensor(new float[] {1, 1, 1, 1}, new int[] {4}, Tensor.ones(4));
        assertTensor(new float[] {-1.5f, -1.5f, -1.5f}, new int[] {3, 1}, Tensor.full(-1.5f, 3, 1));
        assertTensor(new float[] {3}, new int[0], Tensor.full(3f));
        assertTensor(new float[0], new int[] {0, 3}, Tensor.zeros(0, 3));
        assertTensor(new float[] {Float.NaN, Float.NaN}, new int[] {2}, Tensor.full(Float.NaN, 2));
        assertTensor(new float[] {Float.POSITIVE_INFINITY}, new int[] {1}, Tensor.full(Float.POSITIVE_INFINITY, 1));
    }

    @Test
    void negativeSizeIsRejected() {
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, -1), "-1", "[2, -1]");
    }

    @Test
    void dataLengthMismatchNamesTheShape() {
        assertThrowsWith(ShapeException.class, () -> Tensor.of(new float[5], 2, 3), "5", "[2, 3]", "6");
        assertThrowsWith(ShapeException.class, () -> Tensor.of(new float[2]), "2", "[]");
    }

    @Test
    void seededRandIsReproducible() {
        float[] a = Tensor.rand(new Generator(42), 3, 5).toFloatArray();
        float[] b = Tensor.rand(new Generator(42), 3, 5).toFloatArray();
        float[] c = Tensor.rand(new Generator(43), 3, 5).toFloatArray();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c), "another seed gives other numbers");

        float[] n1 = Tensor.randn(new Generator(7), 11).toFloatArray();
        float[] n2 = Tensor.randn(new Generator(7), 11).toFloatArray();
        assertArrayEquals(n1, n2);
    }

    @Test
    void manualSeedMakesTheGlobalGeneratorReproducible() {
        Generator.manualSeed(123);
        float[] a = Tensor.rand(4, 4).toFloatArray();
        float[] na = Tensor.randn(9).toFloatArray();
        Generator.manualSeed(123);
        float[] b = Tensor.rand(4, 4).toFloatArray();
        float[] nb = Tensor.randn(9).toFloatArray();
        assertArrayEquals(a, b);
        assertArrayEquals(na, nb);
    }

    @Test
    void randIsUniformInHalfOpenUnitInterval() {
        Tensor t = Tensor.rand(new Generator(1), 100, 100);
        assertShape(new int[] {100, 100}, t);
        double sum = 0;
        for (float v : t.toFloatArray()) {
            assertTrue(v >= 0f && v < 1f, "rand value out of [0, 1): " + v);
            sum += v;
        }
        assertEquals(0.5, sum / 10000, 0.02);
    }

    /**
     * Seed 63433462 makes the generator's first double 0.99999998926..., which rounds to 1.0f when
     * narrowed to float: rand() then yields exactly 1, outside torch.rand's [0, 1).
     */
    @Test
    void randNeverYieldsOne() {
        float v = Tensor.rand(new Generator(63433462L), 1).item();
        assertTrue(v < 1f, "rand() yielded " + v + ", outside [0, 1)");
    }

    @Test
    void randnHasZeroMeanAndUnitStd() {
        float[] d = Tensor.randn(new Generator(2024), 10000).toFloatArray();
        double sum = 0;
        for (float v : d) {
            assertTrue(Float.isFinite(v));
            sum += v;
        }
        double mean = sum / d.length;
        double sq = 0;
        for (float v : d) {
            sq += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(sq / (d.length - 1));
        assertEquals(0.0, mean, 0.05);
        assertEquals(1.0, std, 0.05);
    }

    @Test
    void randOfEmptyAndScalarShapes() {
        assertShape(new int[] {0, 4}, Tensor.rand(new Generator(3), 0, 4));
        Tensor s = Tensor.randn(new Generator(3));
        assertShape(new int[0], s);
        assertTrue(Float.isFinite(s.item()));
    }

    @Test
    void arangeIntegerEnd() {
        assertTensor(new float[] {0, 1, 2, 3, 4}, new int[] {5}, Tensor.arange(5));
        assertTensor(new float[0], new int[] {0}, Tensor.arange(0));
        assertTensor(new float[] {0, 1, 2}, new int[] {3}, Tensor.arange(2.5f));
    }

    /**
     * PyTorch 1.13 raises for these (checked with torch.arange on each argument list): a NaN or infinite
     * bound ("unsupported range"), a step whose sign points away from end ("upper bound and larger bound
     * inconsistent with step sign"), a zero or NaN step, and a count that overflows; an empty range with
     * either sign ({@code arange(0, 0, -1)}, {@code arange(0., -5., -inf)}) is an empty tensor.
     */
    @Test
    void arangeRaisesLikePyTorch() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        assertArangeFails("unsupported range", () -> Tensor.arange(0, nan, 1));
        assertArangeFails("unsupported range", () -> Tensor.arange(nan, 5, 1));
        assertArangeFails("unsupported range", () -> Tensor.arange(nan));
        assertArangeFails("unsupported range", () -> Tensor.arange(0, inf, 1));
        assertArangeFails("unsupported range", () -> Tensor.arange(-inf, 0, 1));
        assertArangeFails("inconsistent with step sign", () -> Tensor.arange(0, 5, -1));
        assertArangeFails("inconsistent with step sign", () -> Tensor.arange(5, 0, 1));
        assertArangeFails("inconsistent with step sign", () -> Tensor.arange(-3));
        assertArangeFails("inconsistent with step sign", () -> Tensor.arange(0, 5, -inf));
        assertArangeFails("step must be nonzero", () -> Tensor.arange(0, 5, 0));
        assertArangeFails("step must be nonzero", () -> Tensor.arange(0, 5, nan));
        assertArangeFails("overflow", () -> Tensor.arange(0, 5, 1e-30f));
        assertTensor(new float[0], new int[] {0}, Tensor.arange(0, 0, -1));
        assertTensor(new float[0], new int[] {0}, Tensor.arange(5, 5, 1));
        assertTensor(new float[0], new int[] {0}, Tensor.arange(0, -5, -inf));
        assertTensor(new float[0], new int[] {0}, Tensor.arange(0, 5, inf));
    }

    private static void assertArangeFails(String expected, org.junit.jupiter.api.function.Executable call) {
        CairnException e = assertThrows(CairnException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void arangeWithSteps() {
        assertTensor(new float[] {2, 5, 8}, new int[] {3}, Tensor.arange(2, 10, 3));
        assertTensor(new float[] {0, 0.25f, 0.5f, 0.75f}, new int[] {4}, Tensor.arange(0, 1, 0.25f));
        assertTensor(new float[] {5, 4, 3, 2, 1}, new int[] {5}, Tensor.arange(5, 0, -1));
        assertTensor(new float[] {1, 0.5f, 0, -0.5f}, new int[] {4}, Tensor.arange(1, -1, -0.5f));
        assertTensor(new float[] {-3, -2, -1}, new int[] {3}, Tensor.arange(-3, 0, 1));
        // torch.arange(0, 1, 0.1) has 10 elements
        Tensor tenths = Tensor.arange(0, 1, 0.1f);
        assertShape(new int[] {10}, tenths);
        float[] expected = new float[10];
        for (int i = 0; i < 10; i++) {
            expected[i] = i * 0.1f;
        }
        assertTensor(expected, new int[] {10}, tenths, 1e-6f);
    }

    /**
     * 0.3f / 0.1f is 3.0000000745 in double (both are rounded up as floats), so ceil gives 4 and the
     * last element, (float) (3 * 0.1f), equals end: arange must never include end.
     */
    @Test
    void arangeExcludesEndEvenWhenFloatRoundingMakesTheRatioOvershoot() {
        Tensor t = Tensor.arange(0, 0.3f, 0.1f);
        for (float v : t.toFloatArray()) {
            assertTrue(v < 0.3f, "arange(0, 0.3, 0.1) contains " + v + ", which is not below end 0.3");
        }
        assertTensor(new float[] {0, 0.1f, 0.2f}, new int[] {3}, t, 1e-6f);
    }

    @Test
    void arangeEmptyRanges() {
        assertTensor(new float[0], new int[] {0}, Tensor.arange(3, 3, 1));
        assertTensor(new float[0], new int[] {0}, Tensor.arange(3, 3, -1));
    }

    @Test
    void arangeZeroStepIsAnError() {
        assertThrowsWith(CairnException.class, () -> Tensor.arange(0, 1, 0), "step");
        assertThrowsWith(CairnException.class, () -> Tensor.arange(0, 1, Float.NaN), "step");
    }
}
