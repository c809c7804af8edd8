import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.Arrays;

/**
 * Whether a reference model's slow stretches at batch 1 are the model's or the host's: the model's forward
 * calls (no grad), every 100 calls interleaved, on the same thread, with two fixed loops that have nothing to do
 * with Cairn: a throughput-bound one (four independent float chains over a 4 KiB array, many instructions in
 * flight, as the model's kernels are) and a latency-bound one (one dependent chain, one instruction at a
 * time). If, window by window, the model's median per call and the throughput loop's median rise together while the latency
 * loop stays put, the core's issue slots were shared with other work (a busy SMT sibling on the host), not
 * a state of the model's compiled code. Prints one line per window and the correlation over the windows
 * after the first two seconds. Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms4g -Xmx4g -XX:+AlwaysPreTouch \
 *       -cp "samples/target/cairn-samples.jar:samples/target/lib/*" scripts/ContentionProbe.java MODEL BATCH WINDOWS [WINDOW_MS]
 */
public class ContentionProbe {
    private static double median(double[] v, int n) {
        Arrays.sort(v, 0, n);
        return v[n / 2];
    }

    private static double correlation(double[] x, double[] y, int from, int to) {
        double mx = 0, my = 0;
        for (int i = from; i < to; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= to - from;
        my /= to - from;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = from; i < to; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    public static void main(String[] a) {
        Models.Spec spec = Models.get(a[0]);
        int batch = Integer.parseInt(a[1]);
        int windows = Integer.parseInt(a[2]);
        long windowNanos = (a.length > 3 ? Long.parseLong(a[3]) : 250L) * 1_000_000L;
        Module m = spec.create();
        m.eval();
        Tensor x = spec.sampleInput(new Generator(0), batch);
        long[] times = new long[1 << 22];
        double[] throughSamples = new double[1 << 16];
        double[] latencySamples = new double[1 << 16];
        double[] model = new double[windows];
        double[] through = new double[windows];
        double[] latency = new double[windows];
        long start = System.nanoTime();
        int settled = -1;
        for (int w = 0; w < windows; w++) {
            long end = System.nanoTime() + windowNanos;
            int calls = 0;
            int probes = 0;
            while (System.nanoTime() < end && calls < times.length && probes < throughSamples.length) {
                for (int c = 0; c < 100; c++) { // about 0.25 ms of the model, then the two loops (about 10 us)
                    long t0 = System.nanoTime();
                    try (var g = GradMode.noGrad(); var s = TensorScope.open()) {
                        m.call(x);
                    }
                    times[calls++] = System.nanoTime() - t0;
                }
                throughSamples[probes] = HostLoad.throughputLoopMicros();
                latencySamples[probes++] = HostLoad.latencyLoopMicros();
            }
            Arrays.sort(times, 0, calls);
            model[w] = times[calls / 2] / 1e3;
            through[w] = median(throughSamples, probes);
            latency[w] = median(latencySamples, probes);
            double t = (System.nanoTime() - start) / 1e9;
            if (settled < 0 && t >= 2.0) {
                settled = w + 1;
            }
            System.out.printf("t=%5.2f s  model p50 %7.3f us  throughput loop %6.3f us  latency loop %6.3f us%n",
                    t, model[w], through[w], latency[w]);
        }
        if (settled > 0 && windows - settled >= 3) {
            System.out.printf("windows after 2 s: %d; correlation of the model's p50 with the throughput loop %.2f, "
                    + "with the latency loop %.2f%n", windows - settled,
                    correlation(model, through, settled, windows), correlation(model, latency, settled, windows));
        }
    }
}
