package dev.cairn.backend.cpu;

import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import java.util.Arrays;

/**
 * One batch-1 product timed below the tensor layer (package-private classes of the CPU backend): `CpuBackend.gemm`
 * (with the kernel pins), `GemmKernels.gemm` with and without a bias, and `allocate` + `close` of an output of n
 * floats; x [1, k] times W^T for W [n, k], as a Linear layer. Each figure is the median ns per call over blocks
 * of 100 calls whose following throughput loop (ContentionProbe's) stayed under LOOP_LIMIT_US, that is, blocks
 * the host left quiet. Usage (see BENCHMARKS.md):
 *
 *   javac -d /tmp/kprobe --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/probes/dev/cairn/backend/cpu/KProbe.java
 *   java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms4g -Xmx4g -XX:+AlwaysPreTouch \
 *       -cp "/tmp/kprobe:samples/target/cairn-samples.jar:samples/target/lib/*" dev.cairn.backend.cpu.KProbe LOOP_LIMIT_US N K
 */
public class KProbe {
    static final float[] ARRAY = new float[1024];
    static double sink;
    static double loop() {
        long t0 = System.nanoTime();
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int r = 0; r < 20; r++) for (int i = 0; i < 1024; i += 4) { s0 += ARRAY[i] * 1.1f; s1 += ARRAY[i + 1] * 1.1f; s2 += ARRAY[i + 2] * 0.9f; s3 += ARRAY[i + 3]; }
        sink += s0 + s1 + s2 + s3;
        return (System.nanoTime() - t0) / 1e3;
    }
    static String measure(String name, Runnable r, double limitUs, double seconds) {
        long[] t = new long[1 << 22]; int n = 0, kept = 0, blocks = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long[] blk = new long[100];
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            for (int c = 0; c < 100; c++) { r.run(); }
            long el = System.nanoTime() - t0;
            double l = loop(); blocks++;
            if (l < limitUs && n < t.length) { t[n++] = el; kept++; }
        }
        Arrays.sort(t, 0, n);
        return String.format("%-12s %7.1f ns/call (kept %d of %d blocks)", name, n == 0 ? -1.0 : t[n / 2] / 100.0, kept, blocks);
    }
    public static void main(String[] a) {
        double limit = Double.parseDouble(a[0]);
        int n = Integer.parseInt(a[1]), k = Integer.parseInt(a[2]);
        CpuBackend be = new CpuBackend();
        float[] x = new float[k], w = new float[n * k], bias = new float[n], out = new float[n];
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextFloat() - 0.5f;
        for (int i = 0; i < k; i++) x[i] = rnd.nextFloat();
        CpuStorage xs = new CpuStorage(x), ws = new CpuStorage(w), bs = new CpuStorage(bias), os = new CpuStorage(out);
        GemmOperand ga = new GemmOperand(xs, 0, k, false, 0);
        GemmOperand gb = new GemmOperand(ws, 0, k, true, 0);
        GemmOperand gc = new GemmOperand(os, 0, n, false, 0);
        Epilogue epi = new Epilogue(bs, 0, false);
        Runnable backend = () -> be.gemm(1, 1, n, k, ga, gb, gc, epi);
        Runnable kernels = () -> GemmKernels.gemm(1, 1, n, k, ga, gb, gc, epi);
        Runnable nobias = () -> GemmKernels.gemm(1, 1, n, k, ga, gb, gc, Epilogue.NONE);
        Runnable alloc = () -> { var st = be.allocate(0, n); st.close(); };
        for (int round = 0; round < 2; round++) {
            for (var e : new Object[][] {{"backend", backend}, {"kernels", kernels}, {"kernels-nobias", nobias}, {"allocate", alloc}}) {
                String r = measure((String) e[0], (Runnable) e[1], limit, round == 0 ? 0.5 : 2);
                if (round == 1) System.out.println(r);
            }
        }
    }
}
