package dev.cairn.tensor;

import static dev.cairn.tensor.TensorAsserts.assertShape;
import static dev.cairn.tensor.TensorAsserts.assertTensor;
import static dev.cairn.tensor.TensorAsserts.assertThrowsWith;
import static dev.cairn.tensor.TensorAsserts.iota;
import static dev.cairn.tensor.TensorAsserts.random;

import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

class BroadcastTest {

    /** Reference: {@code out[i, j] = f(a[i, 0], b[0, j])} for a [3, 1] and b [1, 4]. */
    private static float[] outer(float[] col, float[] row, java.util.function.DoubleBinaryOperator f) {
        float[] out = new float[col.length * row.length];
        for (int i = 0; i < col.length; i++) {
            for (int j = 0; j < row.length; j++) {
                out[i * row.length + j] = (float) f.applyAsDouble(col[i], row[j]);
            }
        }
        return out;
    }

    @Test
    void columnByRow() {
        float[] c = {1, 2, 3};
        float[] r = {10, 20, 30, 40};
        Tensor a = Tensor.of(c, 3, 1);
        Tensor b = Tensor.of(r, 1, 4);
        int[] s = {3, 4};
        assertTensor(outer(c, r, (x, y) -> (float) x + (float) y), s, a.add(b));
        assertTensor(outer(c, r, (x, y) -> (float) x - (float) y), s, a.sub(b));
        assertTensor(outer(r, c, (x, y) -> (float) x - (float) y), new int[] {4, 3}, b.t().sub(a.t()));
        assertTensor(outer(c, r, (x, y) -> (float) x * (float) y), s, a.mul(b));
        assertTensor(outer(c, r, (x, y) -> (float) x / (float) y), s, a.div(b));
        assertTensor(outer(c, r, (x, y) -> x > y ? 1 : 0), s, a.gt(b));
        assertTensor(outer(c, r, (x, y) -> Math.max(x, y)), s, a.maximum(b));
        assertTensor(outer(c, r, (x, y) -> Math.min(x, y)), s, b.minimum(a));
    }

    @Test
    void matrixAndRowVector() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor v = Tensor.vector(10, 20, 30);
        int[] s = {2, 3};
        assertTensor(new float[] {11, 22, 33, 14, 25, 36}, s, m.add(v));
        assertTensor(new float[] {9, 18, 27, 6, 15, 24}, s, v.sub(m));
        assertTensor(new float[] {-9, -18, -27, -6, -15, -24}, s, m.sub(v));
        assertTensor(new float[] {10, 40, 90, 40, 100, 180}, s, v.mul(m));
        assertTensor(new float[] {10, 10, 10, 2.5f, 4, 5}, s, v.div(m));
        assertTensor(new float[] {1, 4, 27, 4, 25, 216}, s, m.pow(Tensor.vector(1, 2, 3)));
        assertTensor(new float[] {0, 1, 0, 0, 0, 1}, s, m.eq(Tensor.vector(0, 2, 0)).add(m.eq(Tensor.vector(0, 0, 6))));
        assertTensor(new float[] {1, 0, 0, 1, 0, 0}, s, m.lt(Tensor.vector(2, 2, 2)).add(m.eq(4)));
    }

    @Test
    void zeroDimScalarWithMatrix() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor s0 = Tensor.scalar(2);
        int[] s = {2, 3};
        assertTensor(new float[] {3, 4, 5, 6, 7, 8}, s, s0.add(m));
        assertTensor(new float[] {3, 4, 5, 6, 7, 8}, s, m.add(s0));
        assertTensor(new float[] {1, 0, -1, -2, -3, -4}, s, s0.sub(m));
        assertTensor(new float[] {-1, 0, 1, 2, 3, 4}, s, m.sub(s0));
        assertTensor(new float[] {2, 1, 2f / 3, 0.5f, 0.4f, 1f / 3}, s, s0.div(m));
        assertTensor(new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3}, s, m.div(s0));
        assertTensor(new float[] {1, 4, 9, 16, 25, 36}, s, m.pow(s0));
        assertTensor(new float[] {2, 4, 8, 16, 32, 64}, s, s0.pow(m));
        assertTensor(new float[] {0, 0, 1, 1, 1, 1}, s, m.gt(s0));
        assertTensor(new float[] {1, 0, 0, 0, 0, 0}, s, m.lt(s0));
    }

    @Test
    void zeroDimWithZeroDim() {
        assertTensor(new float[] {6}, new int[0], Tensor.scalar(2).mul(Tensor.scalar(3)));
        assertTensor(new float[] {5}, new int[] {1}, Tensor.scalar(2).add(Tensor.vector(3)));
    }

    @Test
    void emptyWithVector() {
        Tensor e = Tensor.zeros(0, 20);
        Tensor v = Tensor.ones(20);
        assertTensor(new float[0], new int[] {0, 20}, e.add(v));
        assertTensor(new float[0], new int[] {0, 20}, v.mul(e));
        assertTensor(new float[0], new int[] {0, 20}, e.gt(v));
        assertTensor(new float[0], new int[] {0, 20}, e.maximum(Tensor.scalar(1)));
        assertTensor(new float[0], new int[] {0}, Tensor.zeros(0).add(Tensor.vector(1)));
        assertTensor(new float[0], new int[] {0, 20}, e.relu());
        assertTensor(new float[0], new int[] {0, 20}, e.add(1));
    }

    @Test
    void sizeOneWithLonger() {
        Tensor one = Tensor.vector(10);
        Tensor five = Tensor.vector(1, 2, 3, 4, 5);
        assertTensor(new float[] {11, 12, 13, 14, 15}, new int[] {5}, one.add(five));
        assertTensor(new float[] {9, 8, 7, 6, 5}, new int[] {5}, one.sub(five));
        assertTensor(new float[] {-9, -8, -7, -6, -5}, new int[] {5}, five.sub(one));
        assertTensor(new float[] {10, 5, 10f / 3, 2.5f, 2}, new int[] {5}, one.div(five));
    }

    @Test
    void fourDimensionalBroadcast() {
        int[] sa = {2, 1, 3, 1};
        int[] sb = {4, 1, 5};
        float[] a = random(1, 6);
        float[] b = random(2, 20);
        int[] so = {2, 4, 3, 5};
        float[] add = new float[2 * 4 * 3 * 5];
        float[] mul = new float[add.length];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 3; k++) {
                    for (int l = 0; l < 5; l++) {
                        float x = a[TensorAsserts.flat(sa, i, 0, k, 0)];
                        float y = b[TensorAsserts.flat(sb, j, 0, l)];
                        int o = TensorAsserts.flat(so, i, j, k, l);
                        add[o] = x + y;
                        mul[o] = x * y;
                    }
                }
            }
        }
        Tensor ta = Tensor.of(a, sa);
        Tensor tb = Tensor.of(b, sb);
        assertTensor(add, so, ta.add(tb));
        assertTensor(add, so, tb.add(ta));
        assertTensor(mul, so, ta.mul(tb));
    }

    @Test
    void leadingBatchDimension() {
        // [2, 3] op [2, 1, 3] -> [2, 2, 3]
        Tensor a = Tensor.of(iota(6), 2, 3);
        Tensor b = Tensor.of(new float[] {100, 200, 300, 400, 500, 600}, 2, 1, 3);
        assertTensor(new float[] {100, 201, 302, 103, 204, 305, 400, 501, 602, 403, 504, 605}, new int[] {2, 2, 3},
                a.add(b));
    }

    @Test
    void nonContiguousOperands() {
        // t is [[0, 3], [1, 4], [2, 5]] viewed through a transpose
        Tensor t = Tensor.of(iota(6), 2, 3).t();
        Tensor c = Tensor.of(new float[] {10, 20, 30, 40, 50, 60}, 3, 2);
        int[] s = {3, 2};
        assertTensor(new float[] {10, 23, 31, 44, 52, 65}, s, t.add(c));
        assertTensor(new float[] {10, 23, 31, 44, 52, 65}, s, c.add(t));
        assertTensor(new float[] {0, 6, 2, 8, 4, 10}, s, t.add(t));
        assertTensor(new float[] {-10, -17, -29, -36, -48, -55}, s, t.sub(c));
        // transposed [3, 2] with a row [2]
        assertTensor(new float[] {0, 30, 1, 40, 2, 50}, s, t.mul(Tensor.vector(1, 10)));
        // transposed [3, 2] with a column [3, 1] that is itself a view
        Tensor col = Tensor.of(new float[] {1, 2, 3}, 1, 3).t();
        assertTensor(new float[] {0, 3, 2, 8, 6, 15}, s, t.mul(col));
        // expanded view with a transposed view
        Tensor e = Tensor.vector(100, 200).expand(3, 2);
        assertTensor(new float[] {100, 203, 101, 204, 102, 205}, s, e.add(t));
        assertTensor(new float[] {1, 1, 1, 1, 1, 1}, s, e.gt(t));
        // two broadcast-expanded operands
        Tensor ecol = Tensor.of(new float[] {1, 2, 3}, 3, 1).expand(3, 2);
        assertTensor(new float[] {101, 201, 102, 202, 103, 203}, s, ecol.add(e));
    }

    @Test
    void nonContiguous3dOperands() {
        float[] data = random(3, 24);
        Tensor p = Tensor.of(data, 2, 3, 4).permute(2, 0, 1); // [4, 2, 3]
        float[] row = random(4, 3);
        Tensor r = Tensor.vector(row);
        float[] expected = new float[24];
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    expected[k * 6 + i * 3 + j] = data[i * 12 + j * 4 + k] - row[j];
                }
            }
        }
        assertTensor(expected, new int[] {4, 2, 3}, p.sub(r));
    }

    @Test
    void largeBroadcastMatchesLoop() {
        float[] a = random(5, 64 * 33);
        float[] b = random(6, 33);
        Tensor ta = Tensor.of(a, 64, 33);
        Tensor tb = Tensor.of(b, 33);
        float[] expected = new float[a.length];
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 33; j++) {
                expected[i * 33 + j] = a[i * 33 + j] * b[j];
            }
        }
        assertTensor(expected, new int[] {64, 33}, ta.mul(tb));
        float[] expectedT = new float[a.length];
        for (int j = 0; j < 33; j++) {
            for (int i = 0; i < 64; i++) {
                expectedT[j * 64 + i] = a[i * 33 + j] * b[j];
            }
        }
        assertTensor(expectedT, new int[] {33, 64}, ta.t().mul(tb.unsqueeze(1)));
    }

    @Test
    void incompatibleShapesNameBothShapes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(4);
        for (BinaryOperator<Tensor> op : java.util.List.<BinaryOperator<Tensor>>of(Tensor::add, Tensor::sub,
                Tensor::mul, Tensor::div, Tensor::pow, Tensor::maximum, Tensor::minimum, Tensor::gt, Tensor::lt,
                Tensor::eq)) {
            assertThrowsWith(ShapeException.class, () -> op.apply(a, b), "[2, 3]", "[4]");
        }
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(3, 1).add(Tensor.zeros(2, 4, 5)), "[3, 1]",
                "[2, 4, 5]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(0).add(Tensor.zeros(2)), "[0]", "[2]");
    }

    @Test
    void broadcastDoesNotChangeOperands() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor b = Tensor.vector(1, 2);
        assertShape(new int[] {3, 2}, a.add(b));
        assertTensor(new float[] {1, 2, 3}, new int[] {3, 1}, a);
        assertTensor(new float[] {1, 2}, new int[] {2}, b);
    }
}
