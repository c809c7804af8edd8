package dev.cairn.tensor;

import dev.cairn.CairnException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A tensor closed on one thread while another thread computes with it: a user error, but the computing
 * thread must get either the correct result or a clear "closed" error, never the numbers of the tensor
 * that reuses the memory next (a seeded stress test; timeouts only guard against a deadlock).
 */
class CloseWhileInUseTest {
    private static final int TRIALS = 300;
    private static final int ROWS = 256;
    private static final int K = 1024;

    @Test
    void aKernelNeverSeesTheDataOfTheTensorThatReusesAClosedOperandsMemory() throws Exception {
        Random random = new Random(2);
        Tensor ones = Tensor.ones(K, 1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int trial = 0; trial < TRIALS; trial++) {
                Tensor x = Tensor.ones(ROWS, K);
                int delay = random.nextInt(20_000);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<float[]> product = pool.submit(() -> {
                    start.await(60, TimeUnit.SECONDS);
                    try {
                        return x.mm(ones).toFloatArray();
                    } catch (CairnException e) {
                        assertTrue(e.getMessage().contains("closed"), e.getMessage());
                        return null;
                    }
                });
                Future<Tensor> closer = pool.submit(() -> {
                    start.await(60, TimeUnit.SECONDS);
                    spin(delay);
                    x.close();
                    return Tensor.full(1000f, ROWS, K); // most likely reuses x's array
                });
                float[] y = product.get(60, TimeUnit.SECONDS);
                closer.get(60, TimeUnit.SECONDS).close();
                if (y == null) {
                    continue; // the clear error: x was closed before the product pinned its memory
                }
                for (int i = 0; i < y.length; i++) {
                    if (y[i] != K) {
                        fail("trial " + trial + ": row " + i + " of x.mm(ones) is " + y[i] + ", not " + K
                                + ": the kernel read memory that another tensor reused");
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(60, TimeUnit.SECONDS);
        }
    }

    private static volatile long sink;

    private static void spin(int iterations) {
        long s = 0;
        for (int i = 0; i < iterations; i++) {
            s += i * 31L;
        }
        sink = s;
    }

    @Test
    void aClosedOperandGivesAClearError() {
        Tensor x = Tensor.ones(ROWS, K);
        x.close();
        CairnException e = org.junit.jupiter.api.Assertions.assertThrows(CairnException.class, () -> x.mm(Tensor.ones(K, 1)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(true, x.isClosed());
    }
}
