package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.Window;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * col2im ({@code CpuBackend.fold}) against a plain reference that adds the contributions to each element in the
 * scalar kernels' order (kernel row, kernel column, then window position, starting from +0), compared bit for
 * bit: unit-stride windows (the Vector API loop when it is on) with padding on either side, kernels from 1x1 to
 * 5x5 and wider than high, rows narrower than a vector, one vector wide and several vectors wide with a tail;
 * strided and dilated windows (the scalar loops); column rows spaced wider than a plane's positions; values
 * with NaN, infinities and signed zeros. Run with the Vector API on and (the plain-java execution) off.
 */
class FoldTest {
    private static final CpuBackend CPU = new CpuBackend();

    @Test
    void foldMatchesTheReferenceSumBitForBit() {
        Random r = new Random(5);
        float[] special = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0f, 0f, 1e-39f};
        // N, C, inH, inW, kh, kw, stride, pad, dilation, extra column-row spacing
        int[][] cases = {
            {2, 6, 14, 14, 5, 5, 1, 0, 1, 0}, // LeNet's second convolution
            {1, 1, 28, 28, 5, 5, 1, 2, 1, 0}, // LeNet's first, padded
            {2, 3, 7, 9, 3, 3, 1, 1, 1, 3},
            {1, 2, 5, 37, 3, 2, 1, 2, 1, 0},
            {1, 1, 4, 16, 1, 1, 1, 0, 1, 0},
            {3, 2, 6, 17, 2, 3, 1, 0, 1, 5},
            {1, 1, 3, 3, 3, 3, 1, 2, 1, 0}, // more padding than image: windows mostly outside
            {2, 3, 9, 11, 3, 3, 2, 1, 1, 0}, // stride 2
            {1, 2, 10, 12, 3, 3, 1, 2, 2, 0}, // dilation 2
        };
        for (int[] cs : cases) {
            int n = cs[0], c = cs[1], inH = cs[2], inW = cs[3], kh = cs[4], kw = cs[5];
            int stride = cs[6], pad = cs[7], dil = cs[8], extra = cs[9];
            int outH = (inH + 2 * pad - dil * (kh - 1) - 1) / stride + 1;
            int outW = (inW + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
            int positions = outH * outW;
            int rowStride = positions + extra;
            int rows = c * kh * kw;
            float[] cols = new float[n * rows * rowStride];
            for (int i = 0; i < cols.length; i++) {
                cols[i] = r.nextInt(40) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
            }
            Window win = new Window(c, inH, inW, kh, kw, stride, stride, pad, pad, dil, dil, outH, outW);
            StridedView v = new StridedView(CPU.upload(0, cols, 0, cols.length), 0, new int[] {n, rows, positions},
                    new int[] {rows * rowStride, rowStride, 1});
            Storage out = CPU.allocate(0, n * c * inH * inW);
            CPU.fold(v, win, out);
            float[] got = new float[n * c * inH * inW];
            CPU.download(out, 0, got, 0, got.length);
            float[] want = new float[got.length];
            for (int p = 0; p < n * c; p++) {
                int base = (p / c) * rows * rowStride + (p % c) * kh * kw * rowStride;
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        for (int oh = 0; oh < outH; oh++) {
                            for (int ow = 0; ow < outW; ow++) {
                                int ih = oh * stride - pad + i * dil;
                                int iw = ow * stride - pad + j * dil;
                                if (ih >= 0 && ih < inH && iw >= 0 && iw < inW) {
                                    want[p * inH * inW + ih * inW + iw] +=
                                            cols[base + (i * kw + j) * rowStride + oh * outW + ow];
                                }
                            }
                        }
                    }
                }
            }
            for (int e = 0; e < want.length; e++) {
                assertEquals(Float.floatToIntBits(want[e]), Float.floatToIntBits(got[e]), "element " + e + " of case "
                        + Arrays.toString(cs) + " (vector loop " + VectorSupport.ENABLED + ")");
            }
        }
    }
}
