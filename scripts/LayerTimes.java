import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Module;
import dev.cairn.nn.Sequential;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Inference time per layer of a convolutional reference model (no grad, eval mode), through the public API only:
 * the model's Sequentials are flattened into their leaf layers, each layer is timed on the output of the one before
 * (inputs computed once), fastest and median call over ROUNDS windows of 1 s. Usage (see BENCHMARKS.md):
 *
 *   java -Xms4g -Xmx4g -XX:+AlwaysPreTouch --add-modules jdk.incubator.vector \
 *       -cp "samples/target/cairn-samples.jar:samples/target/lib/*" scripts/LayerTimes.java MODEL BATCH [ROUNDS=5]
 */
public class LayerTimes {
    public static void main(String[] a) {
        String name = a[0];
        int batch = Integer.parseInt(a[1]);
        int rounds = a.length > 2 ? Integer.parseInt(a[2]) : 5;
        Models.Spec entry = Models.get(name);
        Module m = entry.create();
        m.eval();
        List<Module> layers = new ArrayList<>();
        flatten(m, layers);
        int[] in = entry.rowShape();
        int[] shape = new int[in.length + 1];
        shape[0] = batch;
        System.arraycopy(in, 0, shape, 1, in.length);
        try (var ng = GradMode.noGrad()) {
            Tensor x = Tensor.randn(new Generator(7), shape);
            List<Tensor> inputs = new ArrayList<>();
            for (Module l : layers) {
                inputs.add(x);
                x = l.call(x);
            }
            double[][] best = new double[layers.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < layers.size(); i++) {
                    Module l = layers.get(i);
                    Tensor xi = inputs.get(i);
                    long end = System.nanoTime() + 1_000_000_000L / layers.size();
                    double fastest = Double.MAX_VALUE;
                    int calls = 0;
                    while (System.nanoTime() < end || calls < 3) {
                        long t0 = System.nanoTime();
                        try (var s = TensorScope.open()) {
                            l.call(xi);
                        }
                        fastest = Math.min(fastest, (System.nanoTime() - t0) / 1e3);
                        calls++;
                    }
                    best[i][r] = fastest;
                }
            }
            double total = 0;
            for (int i = 0; i < layers.size(); i++) {
                double[] b = best[i].clone();
                Arrays.sort(b);
                total += b[rounds / 2];
                System.out.printf("%-60s %-22s fastest-of-round median %9.1f us  min %9.1f us%n",
                        layers.get(i).toString().replace('\n', ' '), Arrays.toString(inputs.get(i).shape()),
                        b[rounds / 2], b[0]);
            }
            System.out.printf("sum of layers %.1f us%n", total);
        }
    }

    private static void flatten(Module m, List<Module> out) {
        if (m instanceof Sequential || (!m.children().isEmpty() && m.ownParameters().isEmpty())) {
            for (Module c : m.children()) flatten(c, out);
        } else {
            out.add(m);
        }
    }
}
