import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Two builds' batch-1 forward latency compared on a host whose cores are shared with other work. On these VMs a
 * model's time per call swings by about 1.4x for seconds at a time, in step with a fixed loop that has nothing
 * to do with Cairn (`scripts/ContentionProbe.java`): the core's issue slots are shared, and a comparison of
 * 1-2 s runs (`TwoBuilds`) lands each run in either state. Here both builds' models run in one JVM (each build's
 * jars in a class loader of its own, so each has its own classes and JIT profile), in blocks of 200 calls that
 * alternate between the builds (the order swapped every pair), each block followed by the same throughput loop
 * as ContentionProbe's. A block whose loop ran slower than 1.1x the run's 10th-percentile loop time is counted as
 * contended. Prints, per build, the median time per call over the quiet blocks and over all blocks, and the
 * median ratio over pairs whose two blocks were both quiet. Calls go through reflection (a few ns each, the same
 * for both builds). The first quarter of the run is warm-up and not counted. Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms4g -Xmx4g -XX:+AlwaysPreTouch \
 *       scripts/QuietAB.java BEFORE_DIR AFTER_DIR MODEL [BATCH=1] [SECONDS=20]
 */
public class QuietAB {
    private static final int CALLS = 200;

    /** One build's model, input and the reflective handles to run it without grad inside a tensor scope. */
    private record Build(String dir, Object model, Object input, Method call, Method noGrad, Method scope) {
        void block() throws Exception {
            for (int c = 0; c < CALLS; c++) {
                try (AutoCloseable g = (AutoCloseable) noGrad.invoke(null);
                     AutoCloseable s = (AutoCloseable) scope.invoke(null)) {
                    call.invoke(model, input);
                }
            }
        }
    }

    private static Build load(String dir, String modelName, int batch) throws Exception {
        ClassLoader loader = HostLoad.buildLoader(dir);
        Class<?> models = loader.loadClass("dev.cairn.samples.models.Models");
        Class<?> tensor = loader.loadClass("dev.cairn.tensor.Tensor");
        Class<?> generator = loader.loadClass("dev.cairn.tensor.Generator");
        Class<?> module = loader.loadClass("dev.cairn.nn.Module");
        Object spec = models.getMethod("get", String.class).invoke(null, modelName);
        Object model = spec.getClass().getMethod("create").invoke(spec);
        module.getMethod("eval").invoke(model);
        Object input = spec.getClass().getMethod("sampleInput", generator, int.class)
                .invoke(spec, generator.getConstructor(long.class).newInstance(0L), batch);
        return new Build(dir, model, input, module.getMethod("call", tensor),
                loader.loadClass("dev.cairn.autograd.GradMode").getMethod("noGrad"),
                loader.loadClass("dev.cairn.tensor.TensorScope").getMethod("open"));
    }

    public static void main(String[] a) throws Exception {
        String model = a[2];
        int batch = a.length > 3 ? Integer.parseInt(a[3]) : 1;
        double seconds = a.length > 4 ? Double.parseDouble(a[4]) : 20;
        Build[] builds = {load(a[0], model, batch), load(a[1], model, batch)};
        List<double[]> pairs = new ArrayList<>(); // {us per call A, B, loop after A, loop after B}
        long start = System.nanoTime();
        long warmEnd = start + (long) (seconds * 0.25e9);
        long end = start + (long) (seconds * 1e9);
        for (int p = 0; System.nanoTime() < end; p++) {
            double[] pair = new double[4];
            for (int i = 0; i < 2; i++) {
                int b = p % 2 == 0 ? i : 1 - i;
                long t0 = System.nanoTime();
                builds[b].block();
                pair[b] = (System.nanoTime() - t0) / 1e3 / CALLS;
                pair[2 + b] = HostLoad.throughputLoopMicros();
            }
            if (System.nanoTime() > warmEnd) {
                pairs.add(pair);
            }
        }
        double[] loops = pairs.stream().flatMapToDouble(q -> Arrays.stream(q, 2, 4)).sorted().toArray();
        double quietLimit = 1.1 * loops[loops.length / 10];
        List<Double> quietA = new ArrayList<>(), quietB = new ArrayList<>(), ratios = new ArrayList<>();
        List<Double> allA = new ArrayList<>(), allB = new ArrayList<>();
        for (double[] q : pairs) {
            allA.add(q[0]);
            allB.add(q[1]);
            boolean qa = q[2] <= quietLimit;
            boolean qb = q[3] <= quietLimit;
            if (qa) {
                quietA.add(q[0]);
            }
            if (qb) {
                quietB.add(q[1]);
            }
            if (qa && qb) {
                ratios.add(q[0] / q[1]);
            }
        }
        System.out.printf(Locale.ROOT, "%s batch %d, %d pairs of %d-call blocks after %.0f s of warm-up; quiet: loop <= %.2f us"
                + " (10th percentile %.2f)%n", model, batch, pairs.size(), CALLS, seconds * 0.25, quietLimit,
                loops[loops.length / 10]);
        for (int b = 0; b < 2; b++) {
            List<Double> quiet = b == 0 ? quietA : quietB;
            System.out.printf(Locale.ROOT, "  %-24s quiet median %.3f us a call (%d blocks), all blocks %.3f us%n",
                    builds[b].dir(), median(quiet), quiet.size(), median(b == 0 ? allA : allB));
        }
        System.out.printf(Locale.ROOT, "  %s faster by a median factor of %.3f over %d pairs quiet on both sides%n",
                builds[1].dir(), median(ratios), ratios.size());
    }

    private static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s[s.length / 2];
    }
}
