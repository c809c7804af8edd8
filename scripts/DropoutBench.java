import dev.cairn.Device;
import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import java.util.Arrays;

/**
 * Dropout's forward pass on the CPU, the mask drawn on the host as before the counter-based generator
 * ({@code rand(g, shape).lt(keep).div(keep)}, then {@code to(device)} and {@code mul}) against
 * {@code Tensor.dropout} (one Philox bernoulli pass, then {@code mul}), and {@code rand}/{@code randn} from the
 * host stream against the counter-based one; all in one JVM, alternated round by round, median of 7 rounds of
 * REPS calls each. Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/DropoutBench.java ELEMENTS REPS
 */
public class DropoutBench {
    static double millis(Runnable r, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            r.run();
        }
        return (System.nanoTime() - t0) / 1e6 / reps;
    }

    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]);
        int reps = Integer.parseInt(a[1]);
        Generator g = new Generator(1);
        Tensor x = Tensor.randn(g, n);
        float keep = 0.9f;
        Runnable hostMask = () -> {
            try (var ng = GradMode.noGrad()) {
                Tensor noise = Tensor.rand(g, x.shape()).lt(keep).div(keep);
                x.mul(noise.to(x.device())).close();
                noise.close();
            }
        };
        Runnable philoxMask = () -> {
            try (var ng = GradMode.noGrad()) {
                x.dropout(0.1, g).close();
            }
        };
        Runnable[] runs = {hostMask, philoxMask, () -> Tensor.rand(g, n).close(),
            () -> Tensor.rand(g, Device.cpu(), n).close(), () -> Tensor.randn(g, n).close(),
            () -> Tensor.randn(g, Device.cpu(), n).close()};
        String[] names = {"dropout, host mask (before)", "dropout, Philox mask (after)", "rand, host stream",
            "rand, Philox", "randn, host stream", "randn, Philox"};
        for (Runnable r : runs) {
            for (int i = 0; i < 5; i++) {
                r.run();
            }
        }
        double[][] t = new double[runs.length][7];
        for (int round = 0; round < 7; round++) {
            for (int k = 0; k < runs.length; k++) {
                t[k][round] = millis(runs[k], reps);
            }
        }
        for (int k = 0; k < runs.length; k++) {
            Arrays.sort(t[k]);
            System.out.printf("%-30s %d elements: median %.2f ms (min %.2f, max %.2f)%n", names[k], n, t[k][3],
                    t[k][0], t[k][6]);
        }
    }
}
