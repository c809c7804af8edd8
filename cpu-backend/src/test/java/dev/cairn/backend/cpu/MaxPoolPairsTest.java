package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.Window;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 2x2, stride-2 max pooling loop against a plain reference of PyTorch's CPU rule (the first maximum in
 * window order wins, a NaN replaces the running maximum), on planes with ties, NaNs and infinities, odd sizes
 * (the last row and column left out), row strides wider than the row, and enough planes to split; rows of
 * more windows than a vector holds (whole vectors and a tail), and a last plane that ends the array (the masked
 * loads of the vector loop must not reach past it). Under the plain-Java rerun the scalar loop is checked.
 */
class MaxPoolPairsTest {
    private static final CpuBackend CPU = new CpuBackend();

    @Test
    void pairsLoopMatchesTheReferenceRule() {
        Random r = new Random(11);
        float[] special = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 1f, 1f, -0f, 0f};
        // N, C, H, W, extra row stride: rows wider than the plane (a view of a padded buffer) or dense (the last
        // row ends at the end of the array, where the vector loop must not read past it); widths with one window,
        // a partial vector of windows, several vectors and a tail
        for (int[] dims : new int[][] {{1, 1, 4, 4, 3}, {2, 3, 7, 9, 3}, {8, 16, 24, 25, 3}, {1, 1, 2, 2, 0},
            {3, 2, 28, 28, 0}, {2, 5, 10, 10, 0}, {2, 3, 6, 41, 0}, {1, 2, 5, 67, 1}, {2, 3, 6, 70, 0},
            {1, 2, 5, 67, 0}, {3, 1, 2, 2, 0}, {2, 2, 4, 33, 1}}) {
            int n = dims[0];
            int c = dims[1];
            int h = dims[2];
            int w = dims[3];
            int rowStride = w + dims[4];
            int planeStride = h * rowStride;
            float[] x = new float[n * c * planeStride];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(6) == 0 ? special[r.nextInt(special.length)] : (float) r.nextInt(4);
            }
            Storage sx = CPU.upload(0, x, 0, x.length);
            StridedView v = new StridedView(sx, 0, new int[] {n, c, h, w},
                    new int[] {c * planeStride, planeStride, rowStride, 1});
            int oh = h / 2;
            int ow = w / 2;
            Window win = new Window(c, h, w, 2, 2, 2, 2, 0, 0, 1, 1, oh, ow);
            Storage out = CPU.allocate(0, n * c * oh * ow);
            Storage idx = CPU.allocate(0, n * c * oh * ow);
            CPU.maxPool2d(v, win, out, idx);
            float[] got = new float[n * c * oh * ow];
            float[] where = new float[got.length];
            CPU.download(out, 0, got, 0, got.length);
            CPU.download(idx, 0, where, 0, where.length);
            for (int p = 0; p < n * c; p++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float max = Float.NEGATIVE_INFINITY;
                        int best = 2 * i * w + 2 * j;
                        for (int di = 0; di < 2; di++) {
                            for (int dj = 0; dj < 2; dj++) {
                                float e = x[p * planeStride + (2 * i + di) * rowStride + 2 * j + dj];
                                if (e > max || e != e) {
                                    max = e;
                                    best = (2 * i + di) * w + 2 * j + dj;
                                }
                            }
                        }
                        int o = (p * oh + i) * ow + j;
                        String at = "plane " + p + " window (" + i + ", " + j + ") of " + java.util.Arrays.toString(dims)
                                + " (vector loop " + VectorSupport.ENABLED + ")";
                        assertEquals(Float.floatToIntBits(max), Float.floatToIntBits(got[o]), "max at " + at);
                        assertEquals(best, (int) where[o], "index at " + at);
                    }
                }
            }
        }
    }
}
