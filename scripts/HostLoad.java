/**
 * The fixed loop the batch-1 probes (`ContentionProbe`, `QuietAB`, `OpCost`) run between blocks of model calls to
 * see whether the host left this core alone: 20 passes over a 4 KiB array with four independent multiply-add
 * chains, many instructions in flight as in a model's kernels, and nothing of Cairn in it. Its time rises by about
 * 1.4x while another tenant shares the core (see BENCHMARKS.md, tenth stop). Found by the source launcher beside
 * the script that uses it (JDK 22 or later runs a program of several source files). Not thread-safe (one shared
 * sink); call it from one thread.
 */
final class HostLoad {
    private static final float[] ARRAY = new float[1024];
    private static double sink;

    private HostLoad() {
    }

    /** Microseconds the throughput-bound loop took this time. */
    static double throughputLoopMicros() {
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

    /** Microseconds for one dependent chain of 5,000 multiply-adds (latency-bound: one instruction in flight). */
    static double latencyLoopMicros() {
        long t0 = System.nanoTime();
        double s = 0;
        for (int i = 0; i < 5_000; i++) {
            s = s * 1.0001 + 1e-9;
        }
        sink += s;
        return (System.nanoTime() - t0) / 1e3;
    }

    /**
     * A class loader over one checkout's built samples jar and its dependencies ({@code samples/target}), for
     * running two builds side by side in one JVM.
     */
    static ClassLoader buildLoader(String dir) throws java.io.IOException {
        java.util.List<java.net.URL> urls = new java.util.ArrayList<>();
        urls.add(new java.io.File(dir, "samples/target/cairn-samples.jar").toURI().toURL());
        java.io.File[] lib = new java.io.File(dir, "samples/target/lib").listFiles((d, name) -> name.endsWith(".jar"));
        if (lib == null) {
            throw new IllegalArgumentException(dir + "/samples/target/lib is missing: build that checkout first");
        }
        for (java.io.File jar : lib) {
            urls.add(jar.toURI().toURL());
        }
        return new java.net.URLClassLoader(urls.toArray(java.net.URL[]::new), ClassLoader.getPlatformClassLoader());
    }
}
