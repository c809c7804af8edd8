package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.DType;
import dev.cairn.backend.Philox;
import dev.cairn.backend.RandomOp;
import dev.cairn.backend.Storage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's {@code random}: the stream of {@link Philox} through {@link RandomOp}, element for element,
 * whatever the length, the destination offset, the counter (near the 64-bit wrap too) and the split over
 * threads; and the statistics of large draws. The draws are seeded, so the statistics are fixed numbers: the
 * bounds (five standard errors and more) hold for these seeds, and a broken generator lands far outside them.
 */
class RandomKernelsTest {
    private static final CpuBackend CPU = new CpuBackend();

    /** The stream as the SPI defines it, one block at a time on one thread. */
    static float[] reference(RandomOp op, long seed, long counter, float a, float b, int length) {
        float[] out = new float[length];
        int[] w = new int[4];
        float[] v = new float[4];
        for (int i = 0; i < length; i += 4) {
            Philox.block(seed, counter + i / 4, w);
            op.apply(w, a, b, v);
            System.arraycopy(v, 0, out, i, Math.min(4, length - i));
        }
        return out;
    }

    private static float[] draw(RandomOp op, long seed, long counter, float a, float b, int offset, int length) {
        Storage s = CPU.allocate(0, offset + length + 3);
        CPU.fill(s, 0, offset + length + 3, -7f);
        CPU.random(op, seed, counter, a, b, s, offset, length);
        float[] all = new float[offset + length + 3];
        CPU.download(s, 0, all, 0, all.length);
        s.close();
        for (int i = 0; i < offset; i++) {
            assertEquals(-7f, all[i], "element " + i + " before the destination was written");
        }
        for (int i = offset + length; i < all.length; i++) {
            assertEquals(-7f, all[i], "element " + i + " after the destination was written");
        }
        return Arrays.copyOfRange(all, offset, offset + length);
    }

    @Test
    void everyElementIsTheStreamsOnAnyLengthOffsetAndCounter() {
        long[] counters = {0, 1, 12345, -1, -3, Long.MAX_VALUE};
        int[] lengths = {0, 1, 3, 4, 5, 7, 1001, 65_537, 300_003};
        for (RandomOp op : RandomOp.values()) {
            float a = op == RandomOp.BERNOULLI ? 0.3f : -1.5f;
            float b = op == RandomOp.BERNOULLI ? 1 / 0.7f : 2.5f;
            for (long counter : counters) {
                for (int length : lengths) {
                    int offset = length % 5;
                    float[] got = draw(op, 0x5eedL * length + 11, counter, a, b, offset, length);
                    assertArrayEquals(reference(op, 0x5eedL * length + 11, counter, a, b, length), got,
                            op + " of " + length + " at counter " + counter + ", offset " + offset);
                }
            }
        }
    }

    @Test
    void aDrawSplitAtABlockBoundaryIsTheSameStream() {
        float[] whole = draw(RandomOp.NORMAL, 3, 100, 0f, 1f, 0, 40);
        float[] head = draw(RandomOp.NORMAL, 3, 100, 0f, 1f, 0, 12);
        float[] tail = draw(RandomOp.NORMAL, 3, 103, 0f, 1f, 0, 28);
        float[] joined = Arrays.copyOf(head, 40);
        System.arraycopy(tail, 0, joined, 12, 28);
        assertArrayEquals(whole, joined);
        assertFalse(Arrays.equals(draw(RandomOp.UNIFORM, 3, 100, 0f, 1f, 0, 40),
                draw(RandomOp.UNIFORM, 4, 100, 0f, 1f, 0, 40)), "another seed, other numbers");
    }

    @Test
    void uniformNumbersLieInTheRangeWithTheMomentsOfTheUniformDistribution() {
        int n = 1 << 20;
        float[] u = draw(RandomOp.UNIFORM, 42, 0, 0f, 1f, 0, n);
        double sum = 0;
        double sq = 0;
        int[] bins = new int[16];
        double lag = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(u[i] >= 0f && u[i] < 1f, "element " + i + " = " + u[i]);
            sum += u[i];
            sq += (double) u[i] * u[i];
            bins[(int) (u[i] * 16)]++;
            if (i > 0) {
                lag += (u[i] - 0.5) * (u[i - 1] - 0.5);
            }
        }
        double mean = sum / n;
        double var = sq / n - mean * mean;
        assertEquals(0.5, mean, 5 * Math.sqrt(1.0 / 12 / n), "mean");
        assertEquals(1.0 / 12, var, 5 * Math.sqrt(1.0 / 180 / n), "variance");
        for (int k = 0; k < 16; k++) {
            assertEquals(n / 16.0, bins[k], 5 * Math.sqrt(n / 16.0), "bin " + k + " of 16");
        }
        assertEquals(0, lag / n / (1.0 / 12), 5 / Math.sqrt(n), "correlation of neighbours");
        float[] shifted = draw(RandomOp.UNIFORM, 42, 0, -3f, 5f, 0, 1000);
        for (int i = 0; i < 1000; i++) {
            assertEquals(Math.fma(u[i], 8f, -3f), shifted[i], "uniform(-3, 5) element " + i);
        }
    }

    @Test
    void normalNumbersHaveTheMomentsAndTheMassOfTheNormalDistribution() {
        int n = 1 << 20;
        float[] z = draw(RandomOp.NORMAL, 7, 99, 0f, 1f, 0, n);
        double sum = 0;
        double sq = 0;
        double fourth = 0;
        int within1 = 0;
        double max = 0;
        for (float v : z) {
            assertTrue(Float.isFinite(v));
            sum += v;
            sq += (double) v * v;
            fourth += (double) v * v * v * v;
            within1 += Math.abs(v) < 1 ? 1 : 0;
            max = Math.max(max, Math.abs(v));
        }
        double mean = sum / n;
        assertEquals(0, mean, 5 / Math.sqrt(n), "mean");
        assertEquals(1, sq / n, 5 * Math.sqrt(2.0 / n), "variance");
        assertEquals(3, fourth / n, 5 * Math.sqrt(96.0 / n), "fourth moment");
        assertEquals(0.682689492, within1 / (double) n, 5 * Math.sqrt(0.2167 / n), "mass within one sigma");
        assertTrue(max < Math.sqrt(64 * Math.log(2)) + 1e-5, "largest |z| " + max);
        float[] scaled = draw(RandomOp.NORMAL, 7, 99, 2f, 0.5f, 0, 1000);
        for (int i = 0; i < 1000; i++) {
            assertEquals(Math.fma(z[i], 0.5f, 2f), scaled[i], "normal(2, 0.5) element " + i);
        }
    }

    @Test
    void bernoulliKeepsTheFractionAndIsTheUniformsComparison() {
        int n = 1 << 20;
        float keep = 0.8f;
        float[] m = draw(RandomOp.BERNOULLI, 5, 0, keep, 1 / keep, 0, n);
        float[] u = draw(RandomOp.UNIFORM, 5, 0, 0f, 1f, 0, n);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(u[i] < keep ? 1 / keep : 0f, m[i], "element " + i);
            kept += m[i] != 0 ? 1 : 0;
        }
        assertEquals(keep, kept / (double) n, 5 * Math.sqrt(keep * (1 - keep) / n), "kept fraction");
    }

    @Test
    void integerDestinationsAreRefusedWithTheDtype() {
        Storage s = CPU.allocate(0, DType.INT64, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CPU.random(RandomOp.UNIFORM, 1, 0, 0f, 1f, s, 0, 4));
        assertTrue(e.getMessage().contains("int64") || e.getMessage().contains("INT64"), e.getMessage());
    }
}
