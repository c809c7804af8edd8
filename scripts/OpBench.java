import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;

/**
 * Single ops timed in one JVM, fastest call over 3 rounds of 2 s each: `im2col` on convnet's two
 * convolution inputs at batch 256 ([256,1,8,8] 3x3 pad 1; [256,16,8,8] 3x3 stride 2 pad 1), or `mm M K N`
 * (a.mm(b) on uniform matrices: the fastest call and the mean over 2 s, GFLOP/s). Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/OpBench.java im2col | mm M K N
 */
public class OpBench {
    public static void main(String[] args) {
        try (var ng = GradMode.noGrad()) {
            if (args[0].equals("im2col")) {
                Tensor x1 = Tensor.rand(new Generator(1), 256, 1, 8, 8);
                Tensor x2 = Tensor.rand(new Generator(2), 256, 16, 8, 8);
                int[] one = {1, 1};
                for (int round = 0; round < 3; round++) {
                    report("im2col [256,1,8,8] 3x3 pad 1", fastest(() -> x1.im2col(new int[] {3, 3}, one, one, one)));
                    report("im2col [256,16,8,8] 3x3 stride 2 pad 1",
                            fastest(() -> x2.im2col(new int[] {3, 3}, one, one, new int[] {2, 2})));
                }
            } else {
                int m = Integer.parseInt(args[1]);
                int k = Integer.parseInt(args[2]);
                int n = Integer.parseInt(args[3]);
                Tensor a = Tensor.rand(new Generator(1), m, k);
                Tensor b = Tensor.rand(new Generator(2), k, n);
                for (int round = 0; round < 3; round++) {
                    long t0 = System.nanoTime();
                    double us = fastest(() -> a.mm(b));
                    double meanUs = (System.nanoTime() - t0) / 1e3 / CALLS[0];
                    System.out.printf("mm %dx%dx%d fastest %.1f us, %.1f GFLOP/s; mean %.1f us, %.1f GFLOP/s%n", m, k, n,
                            us, 2.0 * m * k * n / us / 1e3, meanUs, 2.0 * m * k * n / meanUs / 1e3);
                }
            }
        }
    }

    /** Calls made by the last {@link #fastest} run. */
    private static final long[] CALLS = new long[1];

    private static double fastest(Runnable op) {
        long best = Long.MAX_VALUE;
        CALLS[0] = 0;
        long end = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            try (TensorScope s = TensorScope.open()) {
                op.run();
            }
            best = Math.min(best, System.nanoTime() - t0);
            CALLS[0]++;
        }
        return best / 1e3;
    }

    private static void report(String what, double us) {
        System.out.printf("%s fastest %.1f us%n", what, us);
    }
}
