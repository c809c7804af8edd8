import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;

/**
 * Heap bytes allocated per batch-1 call of a reference model (the thread's allocation counter over 100,000
 * calls after 200,000 warm-up calls, no gradient, one TensorScope per call), and the wall time per call:
 * a deterministic measure of per-op overhead where timings are noisy. Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/AllocPerCall.java MODEL
 */
public class AllocPerCall {
    public static void main(String[] args) {
        Generator.manualSeed(7);
        Models.Spec spec = Models.get(args[0]);
        Module net = spec.create();
        net.eval();
        Tensor x = spec.sampleInput(new Generator(1), 1);
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (var ng = GradMode.noGrad()) {
            for (int i = 0; i < 200_000; i++) {
                call(net, x);
            }
            int n = 100_000;
            long b0 = mx.getThreadAllocatedBytes(tid);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                call(net, x);
            }
            long t1 = System.nanoTime();
            System.out.printf("%s bytes/call %.0f us/call %.3f%n", args[0],
                    (mx.getThreadAllocatedBytes(tid) - b0) / (double) n, (t1 - t0) / 1e3 / n);
        }
    }

    private static void call(Module net, Tensor x) {
        try (TensorScope s = TensorScope.open()) {
            net.call(x);
        }
    }
}
