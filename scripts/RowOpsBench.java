import dev.cairn.autograd.GradMode;
import dev.cairn.nn.F;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;

/**
 * A micro-benchmark of the row ops on the CPU through the public API only (so the same file runs against
 * any build): softmax over the last dim of attention scores, LayerNorm over the last dim, GELU (exact and
 * tanh), each forward without grad and forward + backward. Prints one line per op: median microseconds per
 * call over the rounds. Run (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/RowOpsBench.java [rounds]
 */
public class RowOpsBench {
    interface Op {
        Tensor run(Tensor x);
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Tensor scores = Tensor.randn(32, 4, 64, 64);      // batch 32, 4 heads, 64x64 attention scores
        Tensor hidden = Tensor.randn(32 * 64, 256);        // 2048 tokens of width 256
        Tensor w = Tensor.randn(256);
        Tensor b = Tensor.randn(256);
        bench("softmax [32,4,64,64] dim -1", scores, x -> x.softmax(-1), rounds);
        bench("layerNorm [2048,256]", hidden, x -> F.layerNorm(x, 1, w, b, 1e-5f), rounds);
        bench("gelu exact [2048,256]", hidden, Tensor::gelu, rounds);
        bench("gelu tanh [2048,256]", hidden, x -> x.gelu("tanh"), rounds);
    }

    static void bench(String name, Tensor input, Op op, int rounds) {
        double[] fwd = new double[rounds];
        double[] both = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            fwd[r] = time(() -> {
                try (var g = GradMode.noGrad(); var s = TensorScope.open()) {
                    op.run(input);
                }
            });
            Tensor x = input.detach().requiresGrad(true);
            Tensor up = Tensor.randn(input.shape());
            both[r] = time(() -> {
                try (var s = TensorScope.open()) {
                    op.run(x).backward(up);
                    x.setGrad(null);
                }
            });
        }
        System.out.printf("%-28s forward %9.1f us   forward+backward %9.1f us%n", name, median(fwd), median(both));
    }

    /** Microseconds per call: warm up, then as many calls as fit in ~300 ms. */
    static double time(Runnable body) {
        for (int i = 0; i < 5; i++) {
            body.run();
        }
        int n = 0;
        long t0 = System.nanoTime();
        long end = t0 + 300_000_000L;
        while (System.nanoTime() < end || n < 3) {
            body.run();
            n++;
        }
        return (System.nanoTime() - t0) / 1e3 / n;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }
}
