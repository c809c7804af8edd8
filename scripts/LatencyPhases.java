import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Batch-1 latency of a reference model as thread CPU time per call (so another process on the machine
 * inflates it less than wall time): after WARM_MS of calls, PHASES phases, each the median of 5 blocks of
 * CALLS calls, with a full GC (which moves objects) between phases. One JVM prints one line of phase medians
 * in microseconds; run it several times per build, alternating builds. The input row comes from the model's
 * `sampleInput`, or from `inputWidth` where a checkout predates `sampleInput`. Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/LatencyPhases.java MODEL [PHASES=5] [CALLS=20000] [WARM_MS=3000]
 *
 * (checkouts older than 0.2.0 name the samples jar samples/target/cairn-samples-0.1.0-SNAPSHOT.jar)
 */
public class LatencyPhases {
    public static void main(String[] args) throws Exception {
        String name = args[0];
        int phases = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        long warmMs = args.length > 3 ? Long.parseLong(args[3]) : 3000;
        Generator.manualSeed(7);
        Object spec = Models.class.getMethod("get", String.class).invoke(null, name);
        Module net = (Module) spec.getClass().getMethod("create").invoke(spec);
        net.eval();
        Tensor x = input(spec);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        StringBuilder line = new StringBuilder(name);
        try (var ng = GradMode.noGrad()) {
            long end = System.nanoTime() + warmMs * 1_000_000L;
            while (System.nanoTime() < end) {
                call(net, x);
            }
            for (int phase = 0; phase < phases; phase++) {
                double[] us = new double[5];
                for (int b = 0; b < us.length; b++) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    for (int i = 0; i < calls; i++) {
                        call(net, x);
                    }
                    us[b] = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / calls;
                }
                Arrays.sort(us);
                line.append(String.format(" %.3f", us[2]));
                System.gc();
            }
        }
        System.out.println(line);
    }

    private static void call(Module net, Tensor x) {
        try (TensorScope s = TensorScope.open()) {
            net.call(x);
        }
    }

    /** One row of the model's sample input: {@code sampleInput(generator, 1)}, or a uniform row of {@code inputWidth()}. */
    private static Tensor input(Object spec) throws Exception {
        try {
            return (Tensor) spec.getClass().getMethod("sampleInput", Generator.class, int.class)
                    .invoke(spec, new Generator(1), 1);
        } catch (NoSuchMethodException e) {
            int width = (int) spec.getClass().getMethod("inputWidth").invoke(spec);
            return Tensor.rand(new Generator(1), 1, width);
        }
    }
}
