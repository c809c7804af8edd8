import dev.cairn.nn.Losses;
import dev.cairn.nn.Module;
import dev.cairn.nn.Sequential;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a LeNet training step (batch 256) spends its time, layer by layer: each layer of Models.lenet() is run
 * on a detached copy of its input (requires grad), then its output's backward with a fixed upstream gradient;
 * prints the median forward and backward milliseconds of each layer over ROUNDS repetitions, and of the whole
 * forward+loss+backward for comparison.
 *
 *   java --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/LayerPhases.java [ROUNDS=60] [BATCH=256]
 */
public class LayerPhases {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int bs = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        Generator.manualSeed(0);
        Sequential model = (Sequential) Models.lenet();
        model.train();
        Tensor x = Tensor.randn(new Generator(256), bs, 1, 28, 28);
        float[] ys = new float[bs];
        for (int i = 0; i < bs; i++) {
            ys[i] = i % 10;
        }
        Tensor y = Tensor.of(ys, bs);
        int layers = model.size();
        Tensor[] in = new Tensor[layers];
        Tensor[] gout = new Tensor[layers];
        Tensor h = x;
        for (int i = 0; i < layers; i++) {
            in[i] = h.detach();
            h = model.get(i).call(in[i]).detach();
            gout[i] = Tensor.randn(new Generator(i), h.shape()).mul(Tensor.scalar(0.01f));
        }
        long[][] fw = new long[layers][rounds];
        long[][] bw = new long[layers][rounds];
        long[] whole = new long[rounds];
        for (int warm = 0; warm < 2; warm++) {
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < layers; i++) {
                    try (var scope = TensorScope.open()) {
                        Tensor xi = in[i].detach().requiresGrad(i > 0);
                        long a = System.nanoTime();
                        Tensor o = model.get(i).call(xi);
                        long b = System.nanoTime();
                        o.backward(gout[i]);
                        long c = System.nanoTime();
                        fw[i][r] = b - a;
                        bw[i][r] = c - b;
                    }
                    model.zeroGrad();
                }
                try (var scope = TensorScope.open()) {
                    long a = System.nanoTime();
                    Losses.crossEntropy(model.call(x), y).backward();
                    whole[r] = System.nanoTime() - a;
                }
                model.zeroGrad();
            }
        }
        double sf = 0, sb = 0;
        for (int i = 0; i < layers; i++) {
            double f = median(fw[i]) / 1e6, b = median(bw[i]) / 1e6;
            sf += f;
            sb += b;
            System.out.printf(Locale.ROOT, "%2d %-12s fwd %6.3f ms  bwd %6.3f ms%n", i, model.get(i).getClass().getSimpleName(), f, b);
        }
        System.out.printf(Locale.ROOT, "sum fwd %.3f bwd %.3f; whole fwd+loss+bwd median %.3f ms%n", sf, sb, median(whole) / 1e6);
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
