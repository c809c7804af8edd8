import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;

/**
 * The encoder reference model's forward time per call (no grad) through the public API only, so the same file runs
 * against any build: a quarter of the windows warm up, then the minimum and median per-call time over the
 * timed windows of calls (the minimum resists a loaded machine). Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/EncoderWindows.java BATCH WINDOWS CALLS_PER_WINDOW
 */
public class EncoderWindows {
    public static void main(String[] a) {
        int batch = Integer.parseInt(a[0]);
        int windows = Integer.parseInt(a[1]);
        int per = Integer.parseInt(a[2]);
        Module m = Models.get("encoder").create();
        m.eval();
        long[] ids = new long[batch * 12];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 7) % 20;
        Tensor x = Tensor.of(ids, batch, 12);
        double[] w = new double[windows];
        for (int k = -windows / 4; k < windows; k++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < per; i++) {
                try (var g = GradMode.noGrad(); var s = TensorScope.open()) {
                    m.call(x);
                }
            }
            if (k >= 0) w[k] = (System.nanoTime() - t0) / 1e3 / per;
        }
        java.util.Arrays.sort(w);
        System.out.printf("batch %d: min %.1f us, median %.1f us per call%n", batch, w[0], w[windows / 2]);
    }
}
