import dev.cairn.autograd.GradMode;
import dev.cairn.nn.F;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.Arrays;

/**
 * What one small op costs through the public API, timed over blocks rather than call by call (System.nanoTime
 * moves in steps of about 10 ns here, the size of the differences this is for): `abs`, `add`, `sum` of [1, 20]
 * tensors, `F.linear` [1, 20] x [20, 20] + bias, a [1, 20] x [20, 20] `matmul` (blocks of 20 calls), and the seed
 * MLP and the chimera at batch 1 (blocks of one call), each block inside one no-grad TensorScope and followed by
 * ContentionProbe's throughput loop. Prints the median ns per op over the blocks whose loop ran within 1.1x of the
 * run's 10th-percentile loop time (blocks the host left quiet), after a one-second warm-up of every item. The
 * model figures vary by up to 1.3x from one JVM to the next; compare builds with QuietAB (one JVM) for those.
 * Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms4g -Xmx4g -XX:+AlwaysPreTouch \
 *       -cp "samples/target/cairn-samples.jar:samples/target/lib/*" scripts/OpBlocks.java [SECONDS=2] [ITEM...]
 */
public class OpBlocks {
    interface Op {
        void run();
    }

    static String measure(String name, Op op, int per, double seconds) {
        int cap = 1 << 21;
        long[] t = new long[cap];
        double[] loop = new double[cap];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end && n < cap) {
            long t0 = System.nanoTime();
            try (var g = GradMode.noGrad(); var s = TensorScope.open()) {
                for (int i = 0; i < per; i++) {
                    op.run();
                }
            }
            t[n] = System.nanoTime() - t0;
            loop[n++] = HostLoad.throughputLoopMicros();
        }
        double[] sorted = Arrays.copyOf(loop, n);
        Arrays.sort(sorted);
        double limit = sorted[n / 10] * 1.1;
        long[] quiet = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (loop[i] <= limit) {
                quiet[k++] = t[i];
            }
        }
        Arrays.sort(quiet, 0, k);
        return String.format("%-8s %7.1f ns/op over quiet blocks (%d of %d), loop p10 %.2f us", name,
                quiet[k / 2] / (double) per, k, n, sorted[n / 10]);
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        var only = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
        Generator g = new Generator(0);
        Tensor x = Tensor.rand(g, 1, 20), y = Tensor.rand(g, 1, 20), w = Tensor.rand(g, 20, 20), b = Tensor.rand(g, 20);
        Module mlp = Models.get("mlp").create();
        mlp.eval();
        Tensor mlpIn = Models.get("mlp").sampleInput(new Generator(0), 1);
        Module chimera = Models.get("chimera").create();
        chimera.eval();
        Tensor chimeraIn = Models.get("chimera").sampleInput(new Generator(0), 1);
        Object[][] items = {
            {"abs", (Op) x::abs, 20}, {"add", (Op) () -> x.add(y), 20}, {"sum", (Op) x::sum, 20},
            {"linear", (Op) () -> F.linear(x, w, b), 20}, {"matmul", (Op) () -> x.matmul(w), 20},
            {"mlp", (Op) () -> mlp.call(mlpIn), 1}, {"chimera", (Op) () -> chimera.call(chimeraIn), 1}};
        for (int round = 0; round < 2; round++) {
            for (Object[] item : items) {
                if (!only.isEmpty() && !only.contains((String) item[0])) {
                    continue;
                }
                String line = measure((String) item[0], (Op) item[1], (Integer) item[2], round == 0 ? 1 : seconds);
                if (round == 1) {
                    System.out.println(line);
                }
            }
        }
    }
}
