import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;

/**
 * A batched product whose right operand changes from product to product (so it is packed on every call, never
 * read from the weight cache): [BATCH, M, K] @ [BATCH, K, N], the fastest of five one-second windows, in GFLOP/s.
 * For checking the packing of B per call (its panel stride and cache behaviour) where `bench gemm`, whose B is
 * the same every call, reads the cached copy. Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -XX:+UseParallelGC \
 *       -cp "samples/target/cairn-samples.jar:samples/target/lib/*" scripts/BmmProbe.java BATCH M K N
 */
public class BmmProbe {
    public static void main(String[] args) {
        int batch = Integer.parseInt(args[0]);
        int m = Integer.parseInt(args[1]);
        int k = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        try (var ng = GradMode.noGrad()) {
            Tensor a = Tensor.rand(new Generator(1), batch, m, k);
            Tensor b = Tensor.rand(new Generator(2), batch, k, n);
            double best = Double.MAX_VALUE;
            for (int window = 0; window < 5; window++) {
                long t0 = System.nanoTime();
                int calls = 0;
                while (System.nanoTime() - t0 < 1_000_000_000L) {
                    try (var s = TensorScope.open()) {
                        a.matmul(b);
                    }
                    calls++;
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e3 / calls);
            }
            System.out.printf("bmm %dx%dx%dx%d fastest window %.1f us a call, %.1f GFLOP/s%n", batch, m, k, n, best,
                    2.0 * batch * m * k * n / best / 1e3);
        }
    }
}
