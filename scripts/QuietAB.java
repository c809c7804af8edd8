import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
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
    private static final float[] ARRAY = new float[1024];
    private static double sink;
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
        List<URL> urls = new ArrayList<>();
        urls.add(new File(dir, "samples/target/cairn-samples.jar").toURI().toURL());
        File[] lib = new File(dir, "samples/target/lib").listFiles((d, name) -> name.endsWith(".jar"));
        if (lib == null) {
            throw new IllegalArgumentException(dir + "/samples/target/lib is missing: build that checkout first");
        }
        for (File jar : lib) {
            urls.add(jar.toURI().toURL());
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
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

    /** Microseconds for 20 passes over a 4 KiB array with four independent multiply-add chains. */
    private static double throughputLoop() {
        long t0 = System.nanoTime();
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int r = 0; r < 20; r++) {
            for (int i = 0; i < ARRAY.length; i += 4) {
                s0 += ARRAY[i] * 1.1f;
                s1 += ARRAY[i + 1] * 1.1f;
                s2 += ARRAY[i + 2] * 0.9f;
                s3 += ARRAY[i + 3];
            }
        }
        sink += s0 + s1 + s2 + s3;
        return (System.nanoTime() - t0) / 1e3;
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
                pair[2 + b] = throughputLoop();
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
