package dev.cairn.samples.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Module;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One model instance shared by several threads gives every thread the results it gives alone. */
class ThreadSafetyTest {
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "chimera", "tied", "wide"})
    void sharedModelGivesEachThreadCorrectResults(String name) throws Exception {
        Generator.manualSeed(11);
        Module model = Models.get(name).create().eval();
        int width = Models.get(name).inputWidth();
        int threads = 6;
        int batch = name.equals("wide") ? 3 : 5;
        List<Tensor> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        try (var g = GradMode.noGrad()) {
            for (int t = 0; t < threads; t++) {
                Tensor x = Tensor.rand(new Generator(100 + t), t % 2 == 0 ? batch : 1, width);
                inputs.add(x);
                expected.add(model.call(x).toFloatArray());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    try (var g = GradMode.noGrad()) {
                        for (int rep = 0; rep < (name.equals("wide") ? 3 : 200); rep++) {
                            assertArrayEquals(expected.get(id), model.call(inputs.get(id)).toFloatArray(), 0f,
                                    "thread " + id + " repetition " + rep);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
