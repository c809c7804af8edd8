import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Conv2d;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;

/**
 * One pooling or convolution op timed alone without grad: best and mean call over windows of 0.3 s (the first
 * ones are JIT warm-up). `pool N C H` is 2x2 stride-2 max pooling of [N, C, H, H]; `conv1x1 N` convnet's 16->32
 * 1x1 convolution on [N, 16, 2, 2]; `lenet1 N` LeNet's first convolution (1->6, 5x5, padding 2) on [N, 1, 28, 28].
 * Pass -Dcairn.cpu.threads=1 for one thread. Usage (see BENCHMARKS.md):
 *
 *   java -Dcairn.cpu.threads=1 -Xms2g -Xmx2g --add-modules jdk.incubator.vector \
 *       -cp "samples/target/cairn-samples.jar:samples/target/lib/*" scripts/WindowOpBench.java pool 64 6 28
 */
public class WindowOpBench {
    public static void main(String[] a) {
        try (var ng = GradMode.noGrad()) {
            int n = Integer.parseInt(a[1]);
            Runnable op;
            switch (a[0]) {
                case "pool" -> {
                    Tensor x = Tensor.randn(new Generator(1), n, Integer.parseInt(a[2]), Integer.parseInt(a[3]),
                            Integer.parseInt(a[3]));
                    int[] k = {2, 2};
                    op = () -> x.maxPool2d(k, k, new int[] {0, 0}, new int[] {1, 1}, false);
                }
                case "conv1x1" -> {
                    Tensor x = Tensor.randn(new Generator(1), n, 16, 2, 2);
                    Conv2d conv = new Conv2d(16, 32, 1);
                    op = () -> conv.call(x);
                }
                case "lenet1" -> {
                    Tensor x = Tensor.randn(new Generator(1), n, 1, 28, 28);
                    Conv2d conv = new Conv2d(1, 6, 5, 1, 2);
                    op = () -> conv.call(x);
                }
                default -> throw new IllegalArgumentException("pool N C H | conv1x1 N | lenet1 N");
            }
            for (int r = 0; r < 10; r++) {
                long t0 = System.nanoTime();
                int calls = 0;
                double best = Double.MAX_VALUE;
                while (System.nanoTime() - t0 < 300_000_000L) {
                    long t1 = System.nanoTime();
                    try (var s = TensorScope.open()) {
                        op.run();
                    }
                    best = Math.min(best, (System.nanoTime() - t1) / 1e3);
                    calls++;
                }
                System.out.printf("best %.1f us, mean %.1f us%n", best, (System.nanoTime() - t0) / 1e3 / calls);
            }
        }
    }
}
