package dev.cairn.tensor;

import dev.cairn.CairnException;
import static dev.cairn.tensor.TensorAsserts.assertTensor;
import static dev.cairn.tensor.TensorAsserts.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import org.junit.jupiter.api.Test;

class ElementwiseTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final int[] S23 = {2, 3};

    private static Tensor a() {
        return Tensor.of(new float[] {1, -2, 3, -4, 5, 0.5f}, 2, 3);
    }

    private static Tensor b() {
        return Tensor.of(new float[] {2, 4, -1, 8, 0.5f, 2}, 2, 3);
    }

    @Test
    void arithmeticWithTensors() {
        assertTensor(new float[] {3, 2, 2, 4, 5.5f, 2.5f}, S23, a().add(b()));
        assertTensor(new float[] {-1, -6, 4, -12, 4.5f, -1.5f}, S23, a().sub(b()));
        assertTensor(new float[] {2, -8, -3, -32, 2.5f, 1}, S23, a().mul(b()));
        assertTensor(new float[] {0.5f, -0.5f, -3, -0.5f, 10, 0.25f}, S23, a().div(b()));
    }

    @Test
    void arithmeticWithScalars() {
        assertTensor(new float[] {3, 0, 5, -2, 7, 2.5f}, S23, a().add(2));
        assertTensor(new float[] {-1, -4, 1, -6, 3, -1.5f}, S23, a().sub(2));
        assertTensor(new float[] {-3, 6, -9, 12, -15, -1.5f}, S23, a().mul(-3));
        assertTensor(new float[] {0.25f, -0.5f, 0.75f, -1, 1.25f, 0.125f}, S23, a().div(4));
        // division is a true division: 1/3 is rounded once, not computed as 1 * (1/3)
        assertArrayEquals(new float[] {1f / 3f, 2f / 3f, 10f / 3f}, Tensor.vector(1, 2, 10).div(3).toFloatArray());
    }

    @Test
    void resultsAreNewTensors() {
        Tensor x = a();
        assertNotSame(x, x.add(0));
        assertNotSame(x, x.mul(1));
    }

    @Test
    void leakyReluKeepsNaNAndNegativeZeroAndHasTheSlopeAsGradientAtZero() {
        Tensor x = Tensor.vector(2f, -3f, 0f, -0f, Float.NaN).requiresGrad(true);
        float[] y = x.leakyRelu(0.25f).toFloatArray();
        assertEquals(2f, y[0]);
        assertEquals(-0.75f, y[1]);
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(y[2]));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(y[3]));
        assertEquals(true, Float.isNaN(y[4]));
        x.leakyRelu(0.25f).sum().backward();
        assertArrayEquals(new float[] {1f, 0.25f, 0.25f, 0.25f, 0.25f}, x.grad().toFloatArray());
    }

    @Test
    void clampPassesTheGradientInsideTheBoundsIncludedAndTakesTheUpperBoundWhenTheyCross() {
        Tensor x = Tensor.vector(-2f, -0.5f, 0f, 0.5f, 2f, Float.NaN).requiresGrad(true);
        float[] y = x.clamp(-0.5f, 0.5f).toFloatArray();
        assertArrayEquals(new float[] {-0.5f, -0.5f, 0f, 0.5f, 0.5f, Float.NaN}, y);
        x.clamp(-0.5f, 0.5f).sum().backward();
        // PyTorch's mask: x >= min && x <= max (NaN compares false)
        assertArrayEquals(new float[] {0f, 1f, 1f, 1f, 0f, 0f}, x.grad().toFloatArray());
        Tensor z = Tensor.vector(-2f, 0f, 2f).requiresGrad(true);
        assertArrayEquals(new float[] {-1f, -1f, -1f}, z.clamp(1f, -1f).toFloatArray());
        z.clamp(1f, -1f).sum().backward();
        assertArrayEquals(new float[] {0f, 0f, 0f}, z.grad().toFloatArray());
        // a strided source and an integer one
        Tensor m = Tensor.of(new float[] {-3, -1, 0, 1, 2, 3}, 2, 3).transpose(0, 1);
        assertTensor(new float[] {-2, 1, -1, 2, 0, 2}, new int[] {3, 2}, m.clamp(-2f, 2f));
        assertTensor(new float[] {0, 0, 0, 1, 1, 1}, S23, Tensor.of(new float[] {-3, -1, 0, 1, 2, 3}, 2, 3)
                .to(dev.cairn.DType.INT64).clamp(0f, 1f));
    }

    @Test
    void powWithTheExponentsComputedByMultiplication() {
        Tensor x = Tensor.vector(1.5f, -2f, 0.1f, 4f);
        float[] v = x.toFloatArray();
        float[] cube = x.pow(3f).toFloatArray();
        float[] inverse = x.pow(-1f).toFloatArray();
        float[] inverseSquare = x.pow(-2f).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            // PyTorch's float formulas for these exponents, bit for bit
            assertEquals(Float.floatToIntBits(v[i] * v[i] * v[i]), Float.floatToIntBits(cube[i]));
            assertEquals(Float.floatToIntBits(1f / v[i]), Float.floatToIntBits(inverse[i]));
            assertEquals(Float.floatToIntBits(1f / (v[i] * v[i])), Float.floatToIntBits(inverseSquare[i]));
        }
        assertEquals(Float.floatToIntBits(1f / (float) Math.sqrt(4f)), Float.floatToIntBits(x.pow(-0.5f).toFloatArray()[3]));
    }

    @Test
    void pow() {
        Tensor x = Tensor.vector(1, 2, 3, 4);
        assertTensor(new float[] {1, 4, 9, 16}, new int[] {4}, x.pow(2));
        assertTensor(new float[] {1, 8, 27, 64}, new int[] {4}, x.pow(3), 1e-6f);
        assertTensor(new float[] {1, (float) Math.sqrt(2), (float) Math.sqrt(3), 2}, new int[] {4}, x.pow(0.5f), 1e-6f);
        assertTensor(new float[] {1, 0.5f, 1f / 3, 0.25f}, new int[] {4}, x.pow(-1), 1e-6f);
        assertTensor(new float[] {1, 1, 1, 1}, new int[] {4}, x.pow(0));
        assertTensor(new float[] {8, 9, 1, 0.5f}, new int[] {4},
                Tensor.vector(2, 3, 5, 4).pow(Tensor.vector(3, 2, 0, -0.5f)), 1e-6f);
        assertTensor(new float[] {NAN}, new int[] {1}, Tensor.vector(-8).pow(1f / 3));
        assertTensor(new float[] {1}, new int[] {1}, Tensor.vector(NAN).pow(0));
    }

    @Test
    void unaryMath() {
        Tensor x = Tensor.vector(-2, -0.5f, 0, 1, 4);
        int[] s = {5};
        assertTensor(new float[] {2, 0.5f, -0f, -1, -4}, s, x.neg());
        assertTensor(new float[] {2, 0.5f, 0, 1, 4}, s, x.abs());
        assertTensor(new float[] {0, 0, 0, 1, 4}, s, x.relu());
        assertTensor(new float[] {-1, -1, 0, 1, 1}, s, x.sign());
        float[] exp = new float[5];
        float[] in = x.toFloatArray();
        for (int i = 0; i < 5; i++) {
            exp[i] = (float) Math.exp(in[i]);
        }
        assertTensor(exp, s, x.exp(), 1e-6f);
        assertTensor(new float[] {0, (float) Math.log(2), 1, (float) Math.log(10)}, new int[] {4},
                Tensor.vector(1, 2, (float) Math.E, 10).log(), 1e-6f);
        assertTensor(new float[] {0, 1, 1.5f, 3}, new int[] {4}, Tensor.vector(0, 1, 2.25f, 9).sqrt());
    }

    @Test
    void unaryMathOutsideTheDomain() {
        assertTensor(new float[] {Float.NEGATIVE_INFINITY, NAN, NAN}, new int[] {3}, Tensor.vector(0, -1, NAN).log());
        assertTensor(new float[] {NAN, INF}, new int[] {2}, Tensor.vector(-1, INF).sqrt());
        assertTensor(new float[] {0, INF, 1}, new int[] {3}, Tensor.vector(Float.NEGATIVE_INFINITY, INF, 0).exp());
        assertTensor(new float[] {INF}, new int[] {1}, Tensor.vector(100).exp());
    }

    @Test
    void nanAndInfinityFlowThroughAsInPyTorch() {
        Tensor x = Tensor.vector(NAN, INF, Float.NEGATIVE_INFINITY, 0);
        int[] s = {4};
        assertTensor(new float[] {NAN, INF, 0, 0}, s, x.relu());
        assertTensor(new float[] {NAN, INF, INF, 0}, s, x.abs());
        // torch.sign(nan) is 0 in PyTorch 1.13 (checked with /usr/bin/python3), not NaN as Math.signum gives
        assertTensor(new float[] {0, 1, -1, 0}, s, x.sign());
        assertTensor(new float[] {NAN, INF, Float.NEGATIVE_INFINITY, 0}, s, x.neg().neg());
        assertTensor(new float[] {NAN, NAN, NAN, 0}, s, x.mul(0));
        assertTensor(new float[] {NAN, NAN, NAN, NAN}, s, Tensor.zeros(4).mul(Tensor.vector(NAN, INF, Float.NEGATIVE_INFINITY, NAN)));
        assertTensor(new float[] {NAN, NAN}, new int[] {2}, Tensor.vector(INF, 0).sub(Tensor.vector(INF, 0).mul(Tensor.vector(1, INF))));
        assertTensor(new float[] {INF, Float.NEGATIVE_INFINITY, NAN}, new int[] {3}, Tensor.vector(1, -1, 0).div(0));
        assertTensor(new float[] {INF, Float.NEGATIVE_INFINITY, NAN}, new int[] {3},
                Tensor.vector(1, -1, 0).div(Tensor.zeros(3)));
    }

    /** The same ops on a non-contiguous operand take another kernel path; results must not change. */
    @Test
    void unaryOpsOnNonContiguousViews() {
        Tensor x = Tensor.of(new float[] {-1, NAN, 4, -0.5f, 9, 0}, 2, 3).t(); // [[-1,-0.5],[NaN,9],[4,0]]
        int[] s = {3, 2};
        assertTensor(new float[] {0, 0, NAN, 9, 4, 0}, s, x.relu());
        assertTensor(new float[] {1, 0.5f, NAN, -9, -4, -0f}, s, x.neg());
        assertTensor(new float[] {1, 0.5f, NAN, 9, 4, 0}, s, x.abs());
        assertTensor(new float[] {1, 1.5f, NAN, 11, 6, 2}, s, x.add(2));
        assertTensor(new float[] {-2, -1, NAN, 18, 8, 0}, s, x.mul(2));
        assertTensor(new float[] {-0.5f, -0.25f, NAN, 4.5f, 2, 0}, s, x.div(2));
        assertTensor(new float[] {1, 0.25f, NAN, 81, 16, 0}, s, x.pow(2));
        assertTensor(new float[] {0, 0, 0, 1, 1, 0}, s, x.gt(0));
        assertTensor(new float[] {-1, -1, 0, 1, 1, 0}, s, x.sign());
    }

    /** PyTorch 1.13: torch.sign([nan, -0., 2., -3.]) == [0., 0., 1., -1.] with +0 (signbit false) for nan and -0. */
    @Test
    void signOfNaNAndNegativeZeroIsPositiveZeroAsInPyTorch() {
        float[] got = Tensor.vector(NAN, -0f, 2, -3).sign().toFloatArray();
        assertEquals(0, Float.floatToRawIntBits(got[0]), "sign(NaN) is +0");
        assertEquals(0, Float.floatToRawIntBits(got[1]), "sign(-0) is +0");
        assertEquals(1f, got[2]);
        assertEquals(-1f, got[3]);
    }

    /** abs's gradient is grad * sign(x): PyTorch 1.13 gives [0, 0, 1, -1] for x = [nan, -0, 2, -3]. */
    @Test
    void absGradientAtNaNAndZeroIsZeroAsInPyTorch() {
        Tensor x = Tensor.vector(NAN, -0f, 2, -3).requiresGrad(true);
        x.abs().sum().backward();
        assertTensor(new float[] {0, 0, 1, -1}, new int[] {4}, x.grad());
    }

    @Test
    void maximumAndMinimumPropagateNaN() {
        Tensor x = Tensor.vector(1, 5, NAN, -INF, 2);
        Tensor y = Tensor.vector(3, 2, 0, -1, NAN);
        assertTensor(new float[] {3, 5, NAN, -1, NAN}, new int[] {5}, x.maximum(y));
        assertTensor(new float[] {1, 2, NAN, -INF, NAN}, new int[] {5}, x.minimum(y));
    }

    @Test
    void comparisonsWithScalars() {
        Tensor x = Tensor.vector(1, 2, 3, NAN);
        int[] s = {4};
        assertTensor(new float[] {0, 0, 1, 0}, s, x.gt(2));
        assertTensor(new float[] {0, 1, 1, 0}, s, x.ge(2));
        assertTensor(new float[] {1, 0, 0, 0}, s, x.lt(2));
        assertTensor(new float[] {1, 1, 0, 0}, s, x.le(2));
        assertTensor(new float[] {0, 1, 0, 0}, s, x.eq(2));
        assertTensor(new float[] {1, 0, 1, 1}, s, x.ne(2));
        assertTensor(new float[] {0, 0, 0, 0}, s, x.eq(NAN));
        assertTensor(new float[] {1, 1, 1, 1}, s, x.ne(NAN));
        assertTensor(new float[] {1, 1, 1, 0}, s, x.lt(INF));
    }

    @Test
    void comparisonsWithTensors() {
        Tensor x = Tensor.vector(1, 2, 3, NAN, -0f);
        Tensor y = Tensor.vector(2, 2, 2, NAN, 0f);
        int[] s = {5};
        assertTensor(new float[] {0, 0, 1, 0, 0}, s, x.gt(y));
        assertTensor(new float[] {1, 0, 0, 0, 0}, s, x.lt(y));
        assertTensor(new float[] {0, 1, 0, 0, 1}, s, x.eq(y));
    }

    @Test
    void closedOperandsAreRejected() {
        Tensor x = Tensor.vector(1, 2);
        Tensor y = Tensor.vector(3, 4);
        y.close();
        assertThrowsWith(CairnException.class, () -> x.add(y), "closed", "[2]");
        assertThrowsWith(CairnException.class, () -> y.add(x), "closed");
        assertThrowsWith(CairnException.class, () -> y.relu(), "closed");
    }
}
