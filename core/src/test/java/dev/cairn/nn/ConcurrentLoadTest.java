package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.autograd.GradMode;
import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@code loadStateDict} on a model that other threads are running: every forward through the model
 * sees either all of the old weights or all of the new ones (a seeded stress test; the timeouts only
 * guard against a deadlock).
 */
class ConcurrentLoadTest {
    private static final int LOADS = 200;

    private static Sequential model(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(64, 128, true, g), new ReLU(), new Linear(128, 64, true, g), new ReLU(),
                new Linear(64, 8, true, g));
    }

    private static float[] forward(Module m, Tensor x) {
        try (var g = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            return m.call(x).toFloatArray();
        }
    }

    @Test
    void aForwardSeesEitherTheOldOrTheNewWeightsNeverAMix() throws Exception {
        Map<String, Tensor> a = model(1).stateDict();
        Map<String, Tensor> b = model(2).stateDict();
        Tensor x = Tensor.rand(new Generator(3), 16, 64);
        float[] ya = forward(model(1), x);
        float[] yb = forward(model(2), x);
        Sequential served = model(1);
        AtomicBoolean loading = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int n = 0;
                    while (loading.get() && n < 1_000_000) {
                        float[] y = forward(served, x);
                        if (!Arrays.equals(y, ya) && !Arrays.equals(y, yb)) {
                            fail("forward " + n + " matched neither the old nor the new weights");
                        }
                        n++;
                    }
                    return n;
                }));
            }
            Future<?> writer = pool.submit(() -> {
                try {
                    for (int i = 0; i < LOADS; i++) {
                        served.loadStateDict(i % 2 == 0 ? b : a, true);
                    }
                } finally {
                    loading.set(false);
                }
                return null;
            });
            writer.get(120, TimeUnit.SECONDS);
            for (Future<Integer> r : readers) {
                r.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(60, TimeUnit.SECONDS);
        }
        assertArrayEquals(ya, forward(served, x)); // the last load (LOADS is even) put the old weights back
    }

    @Test
    void loadingIntoAModuleFromInsideItsOwnForwardIsAClearError() {
        Module self = new Module() {
            final Linear l = register("l", new Linear(2, 2));

            @Override
            public Tensor forward(Tensor input) {
                loadStateDict(stateDict(), true);
                return l.call(input);
            }
        };
        CairnException e = assertThrows(CairnException.class, () -> self.call(Tensor.ones(1, 2)));
        assertTrue(e.getMessage().contains("inside"), e.getMessage());
    }
}
