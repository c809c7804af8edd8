package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cairn.nn.F;
import dev.cairn.nn.Linear;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The cached transpose of a weight is reused while the weight is unchanged and rebuilt after any write. */
class TransposeCacheTest {
    @Test
    void reusedUntilTheStorageIsWritten() {
        float[] w = new float[256 * 20];
        for (int i = 0; i < w.length; i++) {
            w[i] = i;
        }
        CpuStorage s = new CpuStorage(w);
        assertSame(TransposeCache.NOTED, TransposeCache.get(s, 0, 20, 20, 256, 1), "first use: noted, not copied");
        float[] t1 = TransposeCache.get(s, 0, 20, 20, 256, 1);
        assertNotSame(TransposeCache.NOTED, t1, "second use: copied");
        assertSame(t1, TransposeCache.get(s, 0, 20, 20, 256, 1));
        assertArrayEquals(new float[] {0f, 20f, 40f}, java.util.Arrays.copyOf(t1, 3));
        s.touch();
        assertSame(TransposeCache.NOTED, TransposeCache.get(s, 0, 20, 20, 256, 1), "a new version: noted again");
        float[] t2 = TransposeCache.get(s, 0, 20, 20, 256, 1);
        assertNotSame(t1, t2);
        assertNotSame(TransposeCache.NOTED, t2);
    }

    /** A product of several rows copies at once: the copy serves each of them. */
    @Test
    void aProductOfSeveralRowsCopiesAtOnce() {
        CpuStorage s = new CpuStorage(new float[256 * 20]);
        float[] t = TransposeCache.get(s, 0, 20, 20, 256, 4);
        assertNotSame(TransposeCache.NOTED, t);
        assertSame(t, TransposeCache.get(s, 0, 20, 20, 256, 1));
    }

    /** A weight written between every two uses (training at batch 1) is never copied. */
    @Test
    void aWeightWrittenBeforeEachReuseIsNeverCopied() {
        CpuStorage s = new CpuStorage(new float[256 * 20]);
        for (int step = 0; step < 5; step++) {
            assertSame(TransposeCache.NOTED, TransposeCache.get(s, 0, 20, 20, 256, 1), "step " + step);
            s.touch();
        }
    }

    @Test
    void batchOneLinearSeesWeightUpdates() {
        Generator g = new Generator(5);
        Linear layer = new Linear(20, 256, true, g);
        Tensor x = Tensor.rand(g, 1, 20);
        Tensor before = F.linear(x, layer.weight, layer.bias);
        assertArrayEquals(reference(x, layer), before.toFloatArray(), 1e-5f);
        layer.weight.copyFrom(layer.weight.mul(2f));
        Tensor after = F.linear(x, layer.weight, layer.bias);
        assertArrayEquals(reference(x, layer), after.toFloatArray(), 1e-5f);
    }

    /** x @ weight^T + bias computed with plain loops on host copies (independent of any cache). */
    private static float[] reference(Tensor x, Linear layer) {
        float[] xv = x.toFloatArray();
        float[] w = layer.weight.toFloatArray();
        float[] b = layer.bias.toFloatArray();
        int in = layer.inFeatures();
        float[] out = new float[layer.outFeatures()];
        for (int j = 0; j < out.length; j++) {
            double s = b[j];
            for (int p = 0; p < in; p++) {
                s += (double) xv[p] * w[j * in + p];
            }
            out[j] = (float) s;
        }
        return out;
    }
}
