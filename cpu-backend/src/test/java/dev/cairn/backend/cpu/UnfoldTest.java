package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.Window;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * im2col ({@code CpuBackend.unfold}) against a plain reference, bit for bit: narrow outputs of unit-stride
 * windows (the Vector API loop when it is on) with padding on either side and more padding than image, kernels
 * wider than high, image rows and planes spaced wider than the image (a view of a larger buffer), the last
 * plane ending at the end of the array; wider rows and strided or dilated windows (the scalar loops); NaN,
 * infinities and signed zeros copied as they are. Run with the Vector API on and (the plain-java execution) off.
 */
class UnfoldTest {
    private static final CpuBackend CPU = new CpuBackend();

    @Test
    void unfoldMatchesTheReferenceBitForBit() {
        Random r = new Random(3);
        float[] special = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0f, 1e-39f};
        // N, C, inH, inW, kh, kw, stride, pad, dilation, extra row stride
        int[][] cases = {
            {3, 6, 14, 14, 5, 5, 1, 0, 1, 0}, // LeNet's second convolution
            {2, 3, 7, 9, 3, 3, 1, 1, 1, 2},
            {1, 2, 5, 5, 5, 5, 1, 2, 1, 0},
            {1, 1, 3, 2, 3, 3, 1, 2, 1, 0}, // more padding than image
            {2, 2, 6, 12, 2, 3, 1, 1, 1, 4},
            {1, 1, 4, 17, 1, 1, 1, 0, 1, 0}, // 17 columns: one vector plus a tail where vectors are 16 wide
            {1, 1, 28, 28, 5, 5, 1, 2, 1, 0}, // LeNet's first: wide rows
            {2, 3, 9, 11, 3, 3, 2, 1, 1, 0}, // stride 2
            {1, 2, 10, 12, 3, 3, 1, 2, 2, 1}, // dilation 2
        };
        for (int[] cs : cases) {
            int n = cs[0], c = cs[1], inH = cs[2], inW = cs[3], kh = cs[4], kw = cs[5];
            int stride = cs[6], pad = cs[7], dil = cs[8];
            int rowStride = inW + cs[9];
            int planeStride = inH * rowStride;
            int outH = (inH + 2 * pad - dil * (kh - 1) - 1) / stride + 1;
            int outW = (inW + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
            int l = outH * outW;
            float[] x = new float[n * c * planeStride];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(20) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
            }
            Window win = new Window(c, inH, inW, kh, kw, stride, stride, pad, pad, dil, dil, outH, outW);
            StridedView v = new StridedView(CPU.upload(0, x, 0, x.length), 0, new int[] {n, c, inH, inW},
                    new int[] {c * planeStride, planeStride, rowStride, 1});
            Storage out = CPU.allocate(0, n * c * kh * kw * l);
            CPU.unfold(v, win, out);
            float[] got = new float[n * c * kh * kw * l];
            CPU.download(out, 0, got, 0, got.length);
            int e = 0;
            for (int p = 0; p < n * c; p++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        for (int oh = 0; oh < outH; oh++) {
                            for (int ow = 0; ow < outW; ow++, e++) {
                                int ih = oh * stride - pad + i * dil;
                                int iw = ow * stride - pad + j * dil;
                                float want = ih >= 0 && ih < inH && iw >= 0 && iw < inW
                                        ? x[p * planeStride + ih * rowStride + iw] : 0f;
                                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[e]), "element " + e
                                        + " of case " + Arrays.toString(cs) + " (vector loop " + VectorSupport.ENABLED + ")");
                            }
                        }
                    }
                }
            }
        }
    }
}
