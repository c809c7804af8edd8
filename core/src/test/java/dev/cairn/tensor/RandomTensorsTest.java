package dev.cairn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.backend.Philox;
import dev.cairn.backend.RandomOp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The device forms of {@code rand} and {@code randn} and {@link Tensor#dropout}: the numbers are the
 * generator's counter-based stream (seed, offset advancing by a block of four per four numbers), the host
 * stream of the CPU-only forms is untouched by them, and the generator stays consistent under threads.
 */
class RandomTensorsTest {
    private static float[] stream(RandomOp op, long seed, long offset, int n) {
        float[] out = new float[n];
        int[] w = new int[4];
        float[] v = new float[4];
        for (int i = 0; i < n; i += 4) {
            Philox.block(seed, offset + i / 4, w);
            op.apply(w, 0f, 1f, v);
            System.arraycopy(v, 0, out, i, Math.min(4, n - i));
        }
        return out;
    }

    @Test
    void deviceDrawsAreTheCounterBasedStreamAndAdvanceTheOffset() {
        Generator g = new Generator(2024);
        Tensor a = Tensor.rand(g, Device.cpu(), 2, 5);
        assertEquals(3, g.philoxOffset(), "10 numbers take 3 blocks");
        Tensor b = Tensor.randn(g, Device.cpu(), 3);
        assertEquals(4, g.philoxOffset());
        Tensor c = Tensor.rand(g, Device.cpu(), 0, 4);
        assertEquals(4, g.philoxOffset(), "an empty draw takes no block");
        assertArrayEquals(new int[] {2, 5}, a.shape());
        assertArrayEquals(stream(RandomOp.UNIFORM, 2024, 0, 10), a.toFloatArray());
        assertArrayEquals(stream(RandomOp.NORMAL, 2024, 3, 3), b.toFloatArray());
        assertEquals(0, c.numel());
        assertEquals(2024, g.initialSeed());

        g.seed(2024);
        assertEquals(0, g.philoxOffset());
        assertArrayEquals(a.toFloatArray(), Tensor.rand(g, Device.cpu(), 2, 5).toFloatArray(), "seed() restarts it");
    }

    @Test
    void theHostStreamIsNotMovedByDeviceDraws() {
        Generator g = new Generator(77);
        Tensor.rand(g, Device.cpu(), 1000);
        Tensor.randn(g, Device.cpu(), 33);
        assertArrayEquals(Tensor.rand(new Generator(77), 50).toFloatArray(), Tensor.rand(g, 50).toFloatArray());
        assertArrayEquals(Tensor.randn(new Generator(78), 9).toFloatArray(),
                Tensor.randn(new Generator(78), 9).toFloatArray());
    }

    @Test
    void dropoutKeepsWhereTheUniformIsBelowTheKeepProbability() {
        float[] x = new float[1001];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.01f - 3f;
        }
        double p = 0.3;
        float keep = (float) (1 - p);
        Generator g = new Generator(5);
        Tensor.rand(g, Device.cpu(), 17); // dropout continues the stream where it is
        Tensor y = Tensor.vector(x).dropout(p, g);
        float[] u = stream(RandomOp.UNIFORM, 5, Philox.blocks(17), x.length);
        float[] out = y.toFloatArray();
        int kept = 0;
        for (int i = 0; i < x.length; i++) {
            assertEquals(u[i] < keep ? x[i] * (1f / keep) : 0f * x[i], out[i], "element " + i);
            kept += u[i] < keep ? 1 : 0;
        }
        assertTrue(kept > 600 && kept < 800, kept + " of 1001 kept at p = 0.3");
        assertEquals(Philox.blocks(17) + Philox.blocks(1001), g.philoxOffset());
    }

    @Test
    void dropoutAtTheEndsAndOutsideTheRange() {
        Tensor x = Tensor.vector(1, -2, 3);
        Generator g = new Generator(1);
        assertSame(x, x.dropout(0, g));
        assertArrayEquals(new float[] {0, -0f, 0}, x.dropout(1, g).toFloatArray());
        assertEquals(0, g.philoxOffset(), "p = 0 and p = 1 draw nothing");
        CairnException e = assertThrows(CairnException.class, () -> x.dropout(-0.1, g));
        assertTrue(e.getMessage().contains("between 0 and 1") && e.getMessage().contains("-0.1"), e.getMessage());
        assertThrows(CairnException.class, () -> x.dropout(Double.NaN, g));
        assertThrows(NullPointerException.class, () -> x.dropout(0.5, null));
    }

    @Test
    void threadsSharingAGeneratorGetDisjointBlocks() throws Exception {
        Generator g = new Generator(9);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> starts = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                starts.add(pool.submit(() -> g.philoxDraw(10).offset()));
            }
            List<Long> seen = new ArrayList<>();
            for (Future<Long> f : starts) {
                seen.add(f.get());
            }
            seen.sort(null);
            for (int i = 0; i < seen.size(); i++) {
                assertEquals(3L * i, seen.get(i), "each draw of 10 numbers starts 3 blocks after the previous one");
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(64 * 3, g.philoxOffset());
        assertFalse(g.philoxDraw(0).offset() != 64 * 3);
        assertThrows(IllegalArgumentException.class, () -> g.philoxDraw(-1));
    }
}
