package dev.cairn.tensor;

import static dev.cairn.tensor.TensorAsserts.assertShape;
import static dev.cairn.tensor.TensorAsserts.assertTensor;
import static dev.cairn.tensor.TensorAsserts.assertThrowsWith;
import static dev.cairn.tensor.TensorAsserts.iota;
import static dev.cairn.tensor.TensorAsserts.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReductionTest {
    private static final float NAN = Float.NaN;

    /** [[1, 2, 3], [4, 5, 6]] */
    private static Tensor m() {
        return Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    }

    @Test
    void sumAndMeanOfAll() {
        assertTensor(new float[] {21}, new int[0], m().sum());
        assertTensor(new float[] {3.5f}, new int[0], m().mean());
        assertTensor(new float[] {7}, new int[0], Tensor.scalar(7).sum());
        assertTensor(new float[] {7}, new int[0], Tensor.scalar(7).mean());
        assertTensor(new float[] {6}, new int[0], Tensor.vector(1, 2, 3).sum());
    }

    @Test
    void sumAndMeanOverADim() {
        assertTensor(new float[] {5, 7, 9}, new int[] {3}, m().sum(0, false));
        assertTensor(new float[] {5, 7, 9}, new int[] {1, 3}, m().sum(0, true));
        assertTensor(new float[] {6, 15}, new int[] {2}, m().sum(1, false));
        assertTensor(new float[] {6, 15}, new int[] {2, 1}, m().sum(1, true));
        assertTensor(new float[] {6, 15}, new int[] {2}, m().sum(-1, false));
        assertTensor(new float[] {5, 7, 9}, new int[] {1, 3}, m().sum(-2, true));
        assertTensor(new float[] {2.5f, 3.5f, 4.5f}, new int[] {3}, m().mean(0, false));
        assertTensor(new float[] {2, 5}, new int[] {2, 1}, m().mean(-1, true));
        assertTensor(new float[] {2, 5}, new int[] {2}, m().mean(1, false));
        assertTensor(new float[] {4}, new int[0], Tensor.scalar(4).sum(0, false));
        assertTensor(new float[] {4}, new int[0], Tensor.scalar(4).mean(-1, true));
    }

    @Test
    void sumOver3dDims() {
        float[] d = iota(24);
        Tensor t = Tensor.of(d, 2, 3, 4);
        float[] s0 = new float[12];
        float[] s1 = new float[8];
        float[] s2 = new float[6];
        float[] s02 = new float[3];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    float v = d[i * 12 + j * 4 + k];
                    s0[j * 4 + k] += v;
                    s1[i * 4 + k] += v;
                    s2[i * 3 + j] += v;
                    s02[j] += v;
                }
            }
        }
        assertTensor(s0, new int[] {3, 4}, t.sum(0, false));
        assertTensor(s1, new int[] {2, 4}, t.sum(1, false));
        assertTensor(s1, new int[] {2, 1, 4}, t.sum(-2, true));
        assertTensor(s2, new int[] {2, 3}, t.sum(2, false));
        assertTensor(s02, new int[] {3}, t.sum(new int[] {0, 2}, false));
        assertTensor(s02, new int[] {1, 3, 1}, t.sum(new int[] {2, 0}, true));
        assertTensor(s02, new int[] {3}, t.sum(new int[] {-1, -3}, false));
        assertTensor(new float[] {276}, new int[0], t.sum(new int[] {0, 1, 2}, false));
        assertTensor(new float[] {276}, new int[] {1, 1, 1}, t.sum(new int[] {0, 1, 2}, true));
        assertThrowsWith(ShapeException.class, () -> t.sum(new int[] {1, -2}, false), "more than once");
    }

    @Test
    void reductionsOnNonContiguousViews() {
        Tensor t = m().t(); // [[1, 4], [2, 5], [3, 6]]
        assertTensor(new float[] {21}, new int[0], t.sum());
        assertTensor(new float[] {6, 15}, new int[] {2}, t.sum(0, false));
        assertTensor(new float[] {5, 7, 9}, new int[] {3, 1}, t.sum(1, true));
        assertTensor(new float[] {2.5f, 3.5f, 4.5f}, new int[] {3}, t.mean(1, false));
        assertTensor(new float[] {6}, new int[0], t.max());
        assertTensor(new float[] {3, 6}, new int[] {2}, t.max(0, false));
        assertTensor(new float[] {1, 2, 3}, new int[] {3}, t.min(1, false));
        assertTensor(new float[] {0, 0, 0}, new int[] {3}, t.argmin(1, false));
        // argmax over all indexes the logical (row-major) order of the view: 6 is at [2, 1] -> 5
        assertTensor(new float[] {5}, new int[0], t.argmax());

        Tensor e = Tensor.vector(1, 2, 3).expand(4, 3); // stride 0 rows
        assertTensor(new float[] {24}, new int[0], e.sum());
        assertTensor(new float[] {4, 8, 12}, new int[] {3}, e.sum(0, false));
        assertTensor(new float[] {6, 6, 6, 6}, new int[] {4}, e.sum(1, false));
        assertTensor(new float[] {2}, new int[0], e.mean());

        float[] d = random(11, 60);
        Tensor p = Tensor.of(d, 3, 4, 5).permute(2, 0, 1); // [5, 3, 4]
        float[] expected = new float[5 * 4];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 5; k++) {
                    expected[k * 4 + j] += d[i * 20 + j * 5 + k];
                }
            }
        }
        assertTensor(expected, new int[] {5, 4}, p.sum(1, false), 1e-6f);
    }

    @Test
    void sumAccumulatesPrecisely() {
        Tensor t = Tensor.full(0.1f, 1_000_000);
        assertEquals(100000.0, t.sum().item(), 0.01);
        assertEquals(0.1, t.mean().item(), 1e-6);
    }

    @Test
    void maxAndMinOfAll() {
        Tensor t = Tensor.of(new float[] {3, -1, 7, 7, 0, -5}, 2, 3);
        assertTensor(new float[] {7}, new int[0], t.max());
        assertTensor(new float[] {-5}, new int[0], t.min());
        assertTensor(new float[] {Float.NEGATIVE_INFINITY}, new int[0], Tensor.full(Float.NEGATIVE_INFINITY, 3).max());
        assertTensor(new float[] {4}, new int[0], Tensor.scalar(4).max());
    }

    @Test
    void maxAndMinPropagateNaN() {
        Tensor t = Tensor.vector(1, NAN, 3);
        assertTrue(Float.isNaN(t.max().item()));
        assertTrue(Float.isNaN(t.min().item()));
        assertTrue(Float.isNaN(Tensor.vector(NAN, 1).max().item()));
        assertTrue(Float.isNaN(Tensor.vector(5, 1, NAN).min().item()));
        assertTensor(new float[] {NAN, 4}, new int[] {2}, Tensor.of(new float[] {1, NAN, 3, 4}, 2, 2).max(1, false));
        assertTensor(new float[] {NAN, 3}, new int[] {2}, Tensor.of(new float[] {NAN, 2, 3, 4}, 2, 2).min(1, false));
        assertTrue(Float.isNaN(Tensor.vector(1, NAN).sum().item()));
        // argmax treats NaN as the largest value, as PyTorch does
        assertTensor(new float[] {1}, new int[0], Tensor.vector(1, NAN, 3).argmax());
        assertTensor(new float[] {1, 0}, new int[] {2}, Tensor.of(new float[] {1, NAN, NAN, 4}, 2, 2).argmin(1, false));
    }

    @Test
    void maxMinArgmaxArgminOverADim() {
        // [[1, 5, 5], [7, 2, 7], [0, 0, -1]]
        Tensor t = Tensor.of(new float[] {1, 5, 5, 7, 2, 7, 0, 0, -1}, 3, 3);
        assertTensor(new float[] {5, 7, 0}, new int[] {3}, t.max(1, false));
        assertTensor(new float[] {5, 7, 0}, new int[] {3, 1}, t.max(-1, true));
        assertTensor(new float[] {7, 5, 7}, new int[] {3}, t.max(0, false));
        assertTensor(new float[] {1, 2, -1}, new int[] {3}, t.min(1, false));
        assertTensor(new float[] {0, 0, -1}, new int[] {1, 3}, t.min(0, true));
        // ties resolve to the first index
        assertTensor(new float[] {1, 0, 0}, new int[] {3}, t.argmax(1, false));
        assertTensor(new float[] {1, 0, 1}, new int[] {3}, t.argmax(0, false));
        assertTensor(new float[] {1, 0, 1}, new int[] {1, 3}, t.argmax(-2, true));
        assertTensor(new float[] {0, 1, 2}, new int[] {3, 1}, t.argmin(1, true));
        assertTensor(new float[] {2, 2, 2}, new int[] {3}, t.argmin(0, false));
        assertTensor(new float[] {0, 0, 0}, new int[] {3}, Tensor.ones(3, 4).argmax(1, false));
        assertTensor(new float[] {0}, new int[0], Tensor.scalar(3).argmax(0, false));
        assertTensor(new float[] {3}, new int[0], Tensor.scalar(3).max(0, true));
    }

    @Test
    void maxOver3dMatchesLoop() {
        float[] d = random(12, 2 * 5 * 3);
        Tensor t = Tensor.of(d, 2, 5, 3);
        float[] mx = new float[6];
        float[] am = new float[6];
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < 3; k++) {
                float best = Float.NEGATIVE_INFINITY;
                int at = -1;
                for (int j = 0; j < 5; j++) {
                    float v = d[i * 15 + j * 3 + k];
                    if (v > best) {
                        best = v;
                        at = j;
                    }
                }
                mx[i * 3 + k] = best;
                am[i * 3 + k] = at;
            }
        }
        assertTensor(mx, new int[] {2, 3}, t.max(1, false));
        assertTensor(am, new int[] {2, 1, 3}, t.argmax(1, true));
    }

    @Test
    void argmaxOfAllFindsTheFirstFlatIndex() {
        Tensor t = Tensor.of(new float[] {3, 9, 1, 9, 9, 0}, 2, 3);
        assertTensor(new float[] {1}, new int[0], t.argmax());
        assertTensor(new float[] {0}, new int[0], Tensor.zeros(2, 2).argmax());
        assertTensor(new float[] {0}, new int[0], Tensor.scalar(-2).argmax());
    }

    @Test
    void emptyReductions() {
        assertTensor(new float[] {0}, new int[0], Tensor.zeros(0).sum());
        assertTensor(new float[] {0}, new int[0], Tensor.zeros(0, 3).sum());
        assertTrue(Float.isNaN(Tensor.zeros(0).mean().item()), "mean of an empty tensor is NaN");
        assertTrue(Float.isNaN(Tensor.zeros(0, 3).mean().item()));
        assertTensor(new float[] {0, 0, 0}, new int[] {3}, Tensor.zeros(0, 3).sum(0, false));
        assertTensor(new float[] {NAN, NAN, NAN}, new int[] {3}, Tensor.zeros(0, 3).mean(0, false));
        assertTensor(new float[0], new int[] {0}, Tensor.zeros(0, 3).sum(1, false));
        assertTensor(new float[0], new int[] {0}, Tensor.zeros(0, 3).max(1, false));
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(0).max(), "empty", "[0]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(0, 3).min(), "empty", "[0, 3]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(0).argmax(), "empty");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(0, 3).max(0, false), "size 0");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(0, 3).argmin(0, false), "size 0");
    }

    /** An empty tensor whose zero-sized dimension is not the first. */
    @Test
    void emptyReductionsWithAZeroSizedInnerDimension() {
        assertTensor(new float[] {0}, new int[0], Tensor.zeros(3, 0).sum());
        assertTrue(Float.isNaN(Tensor.zeros(3, 0).mean().item()));
        assertTensor(new float[] {0, 0, 0}, new int[] {3}, Tensor.zeros(3, 0).sum(1, false));
        assertTensor(new float[] {0, 0, 0}, new int[] {3, 1}, Tensor.zeros(3, 0).sum(-1, true));
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(3, 0).max(), "empty", "[3, 0]");
    }

    @Test
    void reductionResultsAreZeroDimScalars() {
        Tensor s = m().sum();
        assertShape(new int[0], s);
        assertEquals(21f, s.item());
        assertShape(new int[0], m().max());
        assertShape(new int[0], m().argmax());
    }
}
