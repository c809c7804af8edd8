package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code gather} of floats along every dimension, with dense, permuted and broadcast sources and indices
 * smaller than the source, against {@code out[i][j][k] = src[index[i][j][k]][j][k]} (for dimension 0) walked here.
 */
class GatherTest {
    private static final CpuBackend CPU = new CpuBackend();

    private static float[] reference(float[] data, StridedView src, int dim, long[] idx, StridedView index) {
        int[] shape = index.shape();
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            int off = src.offset();
            int at = index.offset();
            for (int k = shape.length - 1, rem = i; k >= 0; k--) {
                int c = rem % shape[k];
                rem /= shape[k];
                at += c * index.strides()[k];
                if (k != dim) {
                    off += c * src.strides()[k];
                }
            }
            off += (int) idx[at] * src.strides()[dim];
            out[i] = data[off];
        }
        return out;
    }

    @Test
    void everyDimensionAndLayoutMatchesTheWalk() {
        float[] data = new float[400];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.25f - 9f;
        }
        Storage sd = CPU.upload(0, data, 0, data.length);
        StridedView[] sources = {
            new StridedView(sd, 0, new int[] {4, 6, 5}, new int[] {30, 5, 1}),   // dense
            new StridedView(sd, 2, new int[] {4, 6, 5}, new int[] {1, 20, 4}),   // permuted
            new StridedView(sd, 7, new int[] {4, 6, 5}, new int[] {0, 5, 1}),    // broadcast first dimension
        };
        Random r = new Random(3);
        for (StridedView src : sources) {
            for (int dim = 0; dim < 3; dim++) {
                int[] ishape = {3, 4, 5}; // smaller than the source along every dimension but the last
                int n = 60;
                long[] idx = new long[n + 2];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = r.nextInt(src.shape()[dim]);
                }
                Storage si = CPU.upload(0, DType.INT64, idx, 0, idx.length);
                for (StridedView index : new StridedView[] {
                    new StridedView(si, 0, ishape, new int[] {20, 5, 1}),
                    new StridedView(si, 2, ishape, new int[] {1, 3, 12})}) { // index not dense either
                    Storage out = CPU.allocate(0, n);
                    CPU.gather(src, dim, index, out);
                    float[] got = new float[n];
                    CPU.download(out, 0, got, 0, n);
                    assertArrayEquals(reference(data, src, dim, idx, index), got, "dim " + dim + ", source strides "
                            + Arrays.toString(src.strides()) + ", index strides " + Arrays.toString(index.strides()));
                }
            }
        }
    }

    @Test
    void anIndexOutOfRangeNamesTheOpTheValueAndTheSize() {
        Storage sd = CPU.upload(0, new float[12], 0, 12);
        StridedView src = new StridedView(sd, 0, new int[] {3, 4}, new int[] {4, 1});
        Storage si = CPU.upload(0, DType.INT64, new long[] {0, 4}, 0, 2);
        CairnException e = assertThrows(CairnException.class, () -> CPU.gather(src, 1,
                new StridedView(si, 0, new int[] {1, 2}, new int[] {2, 1}), CPU.allocate(0, 2)));
        assertTrue(e.getMessage().contains("gather") && e.getMessage().contains("index 4")
                && e.getMessage().contains("size 4"), e.getMessage());
    }
}
