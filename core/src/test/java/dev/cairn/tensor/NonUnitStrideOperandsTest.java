package dev.cairn.tensor;

import static dev.cairn.tensor.TensorAsserts.assertTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cairn.nn.F;
import org.junit.jupiter.api.Test;

/**
 * Operands that neither GEMM layout can read in place (no unit stride in the last two dimensions, or a
 * leading dimension shorter than a row, as broadcast views have) take the copy fallback of matmul, bmm
 * and linear. Results and gradients must equal those of the same values made contiguous first; the
 * small-integer values make every product exact, so equality is checked bit for bit.
 */
class NonUnitStrideOperandsTest {

    /** [[1],[2],[3]] broadcast to [3, 4]: strides [1, 0]. */
    private static Tensor columnBroadcast() {
        return Tensor.of(new float[] {1, 2, 3}, 3, 1).expand(3, 4);
    }

    @Test
    void matmulWithBroadcastOperandsOnBothSides() {
        Tensor a = columnBroadcast();                                        // strides [1, 0]
        Tensor b = Tensor.of(new float[] {1, -1}, 1, 2).expand(4, 2);        // strides [0, 1], ld 0 < 2
        assertFalse(a.isContiguous() || b.isContiguous());
        // every row of a is i*[1,1,1,1]; every row of b is [1,-1]: a @ b = [[4i, -4i]]
        assertTensor(new float[] {4, -4, 8, -8, 12, -12}, new int[] {3, 2}, a.matmul(b));
        assertTensor(new float[] {4, -4, 8, -8, 12, -12}, new int[] {3, 2}, a.mm(b));
        assertArrayEquals(a.contiguous().matmul(b.contiguous()).toFloatArray(), a.matmul(b).toFloatArray());
    }

    @Test
    void batchedOperandPermutedSoNoInnerDimensionIsUnitStride() {
        // base [m=2, k=3, b=2] contiguous; permute(2, 0, 1) gives [b, m, k] with strides [1, 6, 2]
        Tensor base = Tensor.arange(12).reshape(2, 3, 2);
        Tensor a = base.permute(2, 0, 1);
        Tensor w = Tensor.arange(12).sub(5).reshape(2, 3, 2);
        assertArrayEquals(new int[] {1, 6, 2}, a.strides());
        Tensor expected = a.contiguous().bmm(w);
        assertArrayEquals(expected.toFloatArray(), a.bmm(w).toFloatArray());
        assertArrayEquals(expected.toFloatArray(), a.matmul(w).toFloatArray());
        // batch 0 of a is [[0,2,4],[6,8,10]], of w [[-5,-4],[-3,-2],[-1,0]]: [[-10,-4],[-64,-40]]
        assertArrayEquals(new float[] {-10, -4, -64, -40}, java.util.Arrays.copyOf(a.bmm(w).toFloatArray(), 4));
    }

    @Test
    void gradientsThroughTheCopyFallbackReachTheBroadcastSource() {
        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {1, -1, 2, 0, 0, 1, 3, 1}, 4, 2).requiresGrad(true);
        col.expand(3, 4).matmul(b).sum().backward();
        // d/dcol_i = sum over j,n of b[j,n] = 7; d/db[j,n] = sum_i col_i = 6
        assertTensor(new float[] {7, 7, 7}, new int[] {3, 1}, col.grad());
        assertTensor(new float[] {6, 6, 6, 6, 6, 6, 6, 6}, new int[] {4, 2}, b.grad());
    }

    @Test
    void linearWithBroadcastInputWeightAndBias() {
        Tensor x = columnBroadcast();                                          // [3, 4], strides [1, 0]
        Tensor w = Tensor.of(new float[] {1, 2}, 2, 1).expand(2, 4);            // [out 2, in 4], strides [1, 0]
        Tensor bias = Tensor.scalar(0.5f).expand(2);                           // strides [0]
        // y[i, o] = sum_j x[i, j] * w[o, j] + 0.5 = 4 * (i+1) * (o+1) + 0.5
        float[] expected = {4.5f, 8.5f, 8.5f, 16.5f, 12.5f, 24.5f};
        assertTensor(expected, new int[] {3, 2}, F.linear(x, w, bias));
        assertTensor(new float[] {4.5f, 8.5f, 8.5f, 16.5f, 12.5f, 24.5f}, new int[] {3, 2}, F.linearRelu(x, w, bias));
        assertTensor(new float[] {0, 0, 0, 0, 0, 0}, new int[] {3, 2}, F.linearRelu(x, w.neg(), bias.neg()));
        assertArrayEquals(F.linear(x.contiguous(), w.contiguous(), bias.contiguous()).toFloatArray(),
                F.linear(x, w, bias).toFloatArray());
    }

    @Test
    void linearWithAThreeDimensionalPermutedInput() {
        Tensor x = Tensor.arange(24).reshape(2, 4, 3).permute(0, 2, 1);        // [2, 3, 4], not contiguous
        Tensor w = Tensor.arange(8).sub(3).reshape(2, 4);
        Tensor expected = F.linear(x.contiguous(), w, null);
        assertArrayEquals(new int[] {2, 3, 2}, F.linear(x, w, null).shape());
        assertArrayEquals(expected.toFloatArray(), F.linear(x, w, null).toFloatArray());
        // x[0,0,:] = [0,3,6,9], w[0] = [-3,-2,-1,0]: -12
        assertArrayEquals(new float[] {-12}, new float[] {F.linear(x, w, null).toFloatArray()[0]});
    }
}
