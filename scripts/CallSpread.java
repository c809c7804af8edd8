import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.Arrays;

/**
 * How a reference model's forward time per call (no grad) is spread, second by second: the 10th, 50th and 90th
 * percentile of every call in each one-second window, from the first call on, so that warm-up, steady state and
 * the spread between calls show apart (`bench model` reports one median). Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -XX:+UseParallelGC -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/CallSpread.java MODEL BATCH SECONDS
 */
public class CallSpread {
    public static void main(String[] a) {
        Models.Spec spec = Models.get(a[0]);
        int batch = Integer.parseInt(a[1]);
        int seconds = Integer.parseInt(a[2]);
        Module m = spec.create();
        m.eval();
        Tensor x = spec.sampleInput(new Generator(0), batch);
        long start = System.nanoTime();
        long[] times = new long[1 << 20];
        for (int sec = 0; sec < seconds; sec++) {
            long end = System.nanoTime() + 1_000_000_000L;
            int calls = 0;
            while (System.nanoTime() < end && calls < times.length) {
                long t0 = System.nanoTime();
                try (var g = GradMode.noGrad(); var s = TensorScope.open()) {
                    m.call(x);
                }
                times[calls++] = System.nanoTime() - t0;
            }
            long[] t = Arrays.copyOf(times, calls);
            Arrays.sort(t);
            System.out.printf("t=%5.1f s  calls %6d  p10 %9.1f  p50 %9.1f  p90 %9.1f us%n", (System.nanoTime() - start) / 1e9,
                    calls, t[calls / 10] / 1e3, t[calls / 2] / 1e3, t[Math.min(calls - 1, calls * 9 / 10)] / 1e3);
        }
    }
}
