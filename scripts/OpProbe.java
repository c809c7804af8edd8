import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One op of {@code scripts/OpSurvey.java} alone (on the same [64, 2048] tensor, no grad), timed in three blocks
 * of SECONDS each: the median and 10th percentile microseconds per call of every block. For comparing two builds
 * or two JVM settings (such as {@code -XX:UseAVX=2}, the JIT as on a CPU without AVX-512) in alternating JVMs.
 * Ops: sum_last, sum_all, sum_first, norm, gather, land (bool and). Usage (see BENCHMARKS.md, fifteenth stop):
 *
 *   java [-XX:UseAVX=2] --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/OpProbe.java sum_first 1
 */
public class OpProbe {
    public static void main(String[] args) {
        try (var ng = GradMode.noGrad()) {
            Generator g = new Generator(1);
            Tensor x = TensorScope.forget(Tensor.randn(g, 64, 2048));
            Tensor mask = TensorScope.forget(x.gt(0f));
            Tensor gidx = TensorScope.forget(Tensor.rand(g, 64, 16).mul(2047f).to(dev.cairn.DType.INT64));
            Supplier<Tensor> op = switch (args[0]) {
                case "sum_last" -> () -> x.sum(-1, false);
                case "sum_all" -> () -> x.sum();
                case "norm" -> () -> x.norm(2f, -1, false);
                case "gather" -> () -> x.gather(1, gidx);
                case "land" -> () -> mask.logicalAnd(mask);
                case "sum_first" -> () -> x.sum(0, false);
                default -> throw new IllegalArgumentException(args[0]);
            };
            double secs = Double.parseDouble(args[1]);
            for (int rep = 0; rep < 3; rep++) {
                long[] t = new long[1 << 20]; int n = 0;
                long end = System.nanoTime() + (long) (secs * 1e9);
                while (System.nanoTime() < end && n < t.length) {
                    try (var s = TensorScope.open()) { long t0 = System.nanoTime(); op.get(); t[n++] = System.nanoTime() - t0; }
                }
                Arrays.sort(t, 0, n);
                System.out.printf("%s median %.2f us p10 %.2f%n", args[0], t[n / 2] / 1e3, t[n / 10] / 1e3);
            }
        }
    }
}
