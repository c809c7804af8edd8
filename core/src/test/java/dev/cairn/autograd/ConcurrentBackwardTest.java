package dev.cairn.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.nn.Parameter;
import dev.cairn.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two threads run backward at the same time on separate graphs that share one parameter: PyTorch sums
 * both contributions into the leaf's {@code .grad}, and so must Cairn (a seeded stress test; the
 * timeouts only guard against a deadlock, they assert nothing about speed).
 */
class ConcurrentBackwardTest {
    private static final int ROUNDS = 600;

    @Test
    void concurrentBackwardOnGraphsSharingALeafSumsBothGradients() throws Exception {
        Random random = new Random(14);
        Parameter w = new Parameter(Tensor.rand(64, 64));
        Parameter b = new Parameter(Tensor.zeros(64));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                w.setGrad(null);
                b.setGrad(null);
                float c1 = 1 + random.nextInt(8);
                float c2 = 1 + random.nextInt(8);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> f1 = pool.submit(() -> backwardOf(w, b, c1, start));
                Future<?> f2 = pool.submit(() -> backwardOf(w, b, c2, start));
                f1.get(60, TimeUnit.SECONDS);
                f2.get(60, TimeUnit.SECONDS);
                // d/dw sum(x @ w + b) = x^T @ ones: every entry is the column sum of x (8 rows of c)
                float expectedW = 8 * (c1 + c2);
                float[] gw = w.grad().toFloatArray();
                for (int i = 0; i < gw.length; i++) {
                    assertEquals(expectedW, gw[i], "round " + round + ": w.grad[" + i + "] lost a thread's gradient");
                }
                float[] gb = b.grad().toFloatArray();
                for (int i = 0; i < gb.length; i++) {
                    assertEquals(16f, gb[i], "round " + round + ": b.grad[" + i + "] lost a thread's gradient");
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(60, TimeUnit.SECONDS);
        }
    }

    private static Void backwardOf(Parameter w, Parameter b, float c, CyclicBarrier start) throws Exception {
        Tensor loss = Tensor.full(c, 8, 64).mm(w).add(b).sum();
        start.await(60, TimeUnit.SECONDS);
        loss.backward();
        return null;
    }
}
