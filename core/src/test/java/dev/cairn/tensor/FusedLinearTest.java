package dev.cairn.tensor;

import static dev.cairn.tensor.TensorAsserts.assertClose;
import static dev.cairn.tensor.TensorAsserts.assertShape;
import static dev.cairn.tensor.TensorAsserts.assertTensor;
import static dev.cairn.tensor.TensorAsserts.assertThrowsWith;
import static dev.cairn.tensor.TensorAsserts.random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Tensor#linear} and {@link Tensor#linearRelu}: one GEMM with a fused bias + ReLU epilogue, checked against the unfused ops. */
class FusedLinearTest {
    private static final float TOL = 1e-5f;

    private static Tensor unfused(Tensor x, Tensor w, Tensor b, boolean relu) {
        Tensor y = x.matmul(w.t());
        if (b != null) {
            y = y.add(b);
        }
        return relu ? y.relu() : y;
    }

    private static void check(Tensor x, Tensor w, Tensor b) {
        for (boolean relu : new boolean[] {false, true}) {
            Tensor expected = unfused(x, w, b, relu);
            Tensor actual = fusedLinear(x, w, b, relu);
            assertShape(expected.shape(), actual);
            assertClose(expected.toFloatArray(), actual.toFloatArray(), TOL);
        }
    }

    @ParameterizedTest(name = "rows={0} in={1} out={2}")
    @CsvSource({"1, 1, 1", "3, 4, 5", "7, 31, 33", "33, 257, 7", "2, 5, 600", "300, 400, 200", "64, 300, 700"})
    void twoDimensionalInputWithAndWithoutBias(int rows, int in, int out) {
        Tensor x = Tensor.of(random(rows * 7L + in, rows * in), rows, in);
        Tensor w = Tensor.of(random(out * 13L + in, out * in), out, in);
        Tensor b = Tensor.of(random(out * 17L, out), out);
        check(x, w, b);
        check(x, w, null);
    }

    @Test
    void handComputedValues() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, -1, 0, 1}, 2, 3);
        Tensor w = Tensor.of(new float[] {1, 0, 0, 0, 1, 1, -1, -1, -1, 2, 0, 1}, 4, 3);
        Tensor b = Tensor.vector(0.5f, -10, 1, 0);
        // x @ w^T = [[1, 5, -6, 5], [-1, 1, 0, -1]]
        assertTensor(new float[] {1, 5, -6, 5, -1, 1, 0, -1}, new int[] {2, 4}, fusedLinear(x, w, null, false));
        assertTensor(new float[] {1.5f, -5, -5, 5, -0.5f, -9, 1, -1}, new int[] {2, 4}, fusedLinear(x, w, b, false));
        assertTensor(new float[] {1.5f, 0, 0, 5, 0, 0, 1, 0}, new int[] {2, 4}, fusedLinear(x, w, b, true));
        assertTensor(new float[] {1, 5, 0, 5, 0, 1, 0, 0}, new int[] {2, 4}, fusedLinear(x, w, null, true));
    }

    @Test
    void oneDimensionalInput() {
        Tensor x = Tensor.vector(random(1, 9));
        Tensor w = Tensor.of(random(2, 4 * 9), 4, 9);
        Tensor b = Tensor.vector(random(3, 4));
        assertShape(new int[] {4}, fusedLinear(x, w, b, false));
        check(x, w, b);
        check(x, w, null);
    }

    @Test
    void threeDimensionalInput() {
        Tensor x = Tensor.of(random(4, 2 * 5 * 6), 2, 5, 6);
        Tensor w = Tensor.of(random(5, 3 * 6), 3, 6);
        Tensor b = Tensor.vector(random(6, 3));
        assertShape(new int[] {2, 5, 3}, fusedLinear(x, w, b, true));
        check(x, w, b);
        check(x, w, null);
    }

    @Test
    void nonContiguousInputsAndWeights() {
        Tensor x = Tensor.of(random(7, 6 * 5), 6, 5).t();               // [5, 6], transposed view
        Tensor w = Tensor.of(random(8, 6 * 4), 6, 4).t();               // [4, 6], transposed view
        Tensor b = Tensor.scalar(0.25f).expand(4);                     // stride-0 bias
        check(x, w, b);
        check(x, Tensor.of(random(9, 4 * 6), 4, 6), b);
        Tensor x3 = Tensor.of(random(10, 6 * 2 * 3), 6, 2, 3).permute(1, 2, 0); // [2, 3, 6]
        check(x3, w, Tensor.vector(random(11, 4)));
        Tensor xe = Tensor.vector(random(12, 6)).expand(3, 6);          // stride-0 rows
        check(xe, w, null);
    }

    @Test
    void fusedReluKeepsNaN() {
        Tensor x = Tensor.of(new float[] {Float.NaN, 1, -1, 2}, 2, 2);
        Tensor w = Tensor.of(new float[] {1, 0, -1, 0}, 2, 2);
        // x @ w^T = [[NaN, NaN], [-1, 1]]; relu keeps NaN like torch.relu
        assertTensor(new float[] {Float.NaN, Float.NaN, 0, 1}, new int[] {2, 2}, fusedLinear(x, w, null, true));
        check(x, w, Tensor.vector(1, -5));
    }

    @Test
    void emptyBatchAndZeroInFeatures() {
        Tensor w = Tensor.of(random(13, 256 * 20), 256, 20);
        assertShape(new int[] {0, 256}, fusedLinear(Tensor.zeros(0, 20), w, Tensor.zeros(256), true));
        assertShape(new int[] {2, 0, 256}, fusedLinear(Tensor.zeros(2, 0, 20), w, null, false));
        // in_features = 0: the product is zero, leaving bias (then ReLU)
        Tensor b = Tensor.vector(1, -2, 3);
        assertTensor(new float[] {1, -2, 3, 1, -2, 3}, new int[] {2, 3}, fusedLinear(Tensor.zeros(2, 0),
                Tensor.zeros(3, 0), b, false));
        assertTensor(new float[] {1, 0, 3, 1, 0, 3}, new int[] {2, 3}, fusedLinear(Tensor.zeros(2, 0),
                Tensor.zeros(3, 0), b, true));
    }

    @Test
    void shapeErrors() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrowsWith(ShapeException.class, () -> fusedLinear(x, Tensor.zeros(3), null, false), "weight",
                "[3]");
        assertThrowsWith(ShapeException.class, () -> fusedLinear(x, Tensor.zeros(4, 5), null, false), "5",
                "[2, 3]");
        assertThrowsWith(ShapeException.class, () -> fusedLinear(x, Tensor.zeros(4, 3), Tensor.zeros(3), false),
                "bias", "[4]", "[3]");
        assertThrowsWith(ShapeException.class, () -> fusedLinear(Tensor.scalar(1), Tensor.zeros(4, 1), null,
                false), "[]");
    }

    private static Tensor fusedLinear(Tensor x, Tensor w, Tensor b, boolean relu) {
        return relu ? Tensor.linearRelu(x, w, b) : Tensor.linear(x, w, b);
    }
}
