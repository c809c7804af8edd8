import dev.cairn.data.ArrayDataset;
import dev.cairn.data.Batch;
import dev.cairn.data.DataLoader;
import dev.cairn.data.FashionMnist;
import dev.cairn.nn.Losses;
import dev.cairn.nn.Module;
import dev.cairn.nn.Sequential;
import dev.cairn.nn.optim.SGD;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a Fashion-MNIST training batch of `bin/cairn train` spends its time: runs the train command's loop
 * (DataLoader, forward, cross-entropy, backward, SGD step, the loss and accuracy read-backs) on LeNet and
 * prints, every PROBE batches, the median wall time of each phase over those batches, the GC time, and a
 * probe: forward + backward (no step, grads zeroed after) at the current weights on one fixed real batch and
 * on one fixed N(0, 1) batch (what `bench model --train` feeds), alternated, medians of 5 each; plus the count
 * of subnormal floats in the activations of each layer and in the parameters' gradients for the real batch.
 *
 *   java --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/TrainPhases.java [LR=0.9] [BATCHES=470] [EVERY=47] [DATA=/usr/share/datasets/fashion-mnist] [noprobe|probe] [loader|fixed-real|fixed-randn]
 */
public class TrainPhases {
    public static void main(String[] args) {
        double lr = args.length > 0 ? Double.parseDouble(args[0]) : 0.9;
        int total = args.length > 1 ? Integer.parseInt(args[1]) : 470;
        int probeEvery = args.length > 2 ? Integer.parseInt(args[2]) : 47;
        Path dir = Path.of(args.length > 3 ? args[3] : "/usr/share/datasets/fashion-mnist");
        boolean probes = args.length <= 4 || !args[4].equals("noprobe");
        // loader (the train command's batches), or fixed-real / fixed-randn: one fixed batch every step, as bench does
        String source = args.length > 5 ? args[5] : "loader";
        ArrayDataset train = FashionMnist.train(dir);
        Generator.manualSeed(0);
        Sequential model = (Sequential) Models.lenet();
        SGD opt = new SGD(model.parameters(), lr);
        int bs = 256;
        float[] real = new float[bs * 784];
        float[] realY = new float[bs];
        for (int i = 0; i < bs; i++) {
            train.copyFeatures(i, real, i * 784);
            train.copyTarget(i, realY, i);
        }
        Tensor xr = Tensor.of(real, bs, 1, 28, 28);
        Tensor yr = Tensor.of(realY, bs);
        Tensor xn = Tensor.randn(new Generator(256), bs, 1, 28, 28);
        Tensor yn = yr;
        String[] names = {"next", "forward", "loss", "backward", "step", "metrics", "close"};
        long[][] t = new long[names.length][probeEvery];
        int done = 0;
        int k = 0;
        long gc0 = gcMillis();
        long al0 = allocated();
        long cpu0 = cpuNanos();
        long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long w0 = System.nanoTime();
        System.out.printf(Locale.ROOT, "lr %s; phase medians over %d batches (ms), gc ms, wall per batch, probe fwd+bwd real/randn (ms)%n",
                lr, probeEvery);
        if (probes) {
            probe(model, xr, yr, xn, yn, 0);
        }
        try (DataLoader loader = DataLoader.builder(train).batchSize(bs).shuffle(true).seed(0).build()) {
            outer:
            while (true) {
                var it = loader.iterator();
                while (true) {
                    long a = System.nanoTime();
                    if (!it.hasNext()) {
                        break;
                    }
                    Batch b = source.equals("loader") ? it.next()
                            : new Batch(source.equals("fixed-randn") ? xn.detach() : xr.detach(), yr.detach());
                    long b1 = System.nanoTime();
                    long f, l, bw, st, m;
                    try (var scope = TensorScope.open(); var closeIt = source.equals("loader") ? b : null) {
                        model.train();
                        opt.zeroGrad();
                        Tensor logits = model.call(b.features());
                        f = System.nanoTime();
                        Tensor loss = Losses.crossEntropy(logits, b.targets());
                        l = System.nanoTime();
                        loss.backward();
                        bw = System.nanoTime();
                        opt.step();
                        st = System.nanoTime();
                        double ls = loss.item() * b.size();
                        long c = Math.round(logits.argmax(1, false).eq(b.targets()).sum().item());
                        m = System.nanoTime();
                        if (ls < 0 || c < 0) {
                            throw new AssertionError();
                        }
                    }
                    long e = System.nanoTime();
                    long[] p = {b1 - a, f - b1, l - f, bw - l, st - bw, m - st, e - m};
                    for (int i = 0; i < p.length; i++) {
                        t[i][k] = p[i];
                    }
                    k++;
                    done++;
                    if (k == probeEvery) {
                        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "batch %4d:", done));
                        for (int i = 0; i < names.length; i++) {
                            s.append(String.format(Locale.ROOT, " %s %.2f", names[i], median(t[i]) / 1e6));
                        }
                        long gc = gcMillis();
                        long w = System.nanoTime();
                        long al = allocated();
                        long cpu = cpuNanos();
                        long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
                        s.append(String.format(Locale.ROOT, " | gc %d ms, jit %d ms, wall/batch %.1f ms, cpu/batch %.1f ms, alloc/batch %.1f MB, pool %.1f MB",
                                gc - gc0, jit - jit0, (w - w0) / 1e6 / probeEvery, (cpu - cpu0) / 1e6 / probeEvery, (al - al0) / 1e6 / probeEvery, pooledMB()));
                        System.out.println(s);
                        if (probes) {
                            probe(model, xr, yr, xn, yn, done);
                        }
                        gc0 = gcMillis();
                        al0 = allocated();
                        cpu0 = cpuNanos();
                        jit0 = jit;
                        w0 = System.nanoTime();
                        k = 0;
                    }
                    if (done >= total) {
                        break outer;
                    }
                }
            }
        }
    }

    static void probe(Sequential model, Tensor xr, Tensor yr, Tensor xn, Tensor yn, int done) {
        long[] r = new long[5];
        long[] n = new long[5];
        for (int i = 0; i < 5; i++) {
            r[i] = fwdBwd(model, xr, yr);
            n[i] = fwdBwd(model, xn, yn);
        }
        // subnormal counts per layer output and in the gradients of the real batch
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  probe @%d: real %.2f ms, randn %.2f ms; subnormals:",
                done, median(r) / 1e6, median(n) / 1e6));
        try (var scope = TensorScope.open()) {
            model.zeroGrad();
            int layers = model.size();
            Tensor[] in = new Tensor[layers];
            Tensor[] outs = new Tensor[layers];
            Tensor h = xr;
            for (int i = 0; i < layers; i++) {
                in[i] = h.detach().requiresGrad(true);
                outs[i] = model.get(i).call(in[i]);
                h = outs[i];
            }
            Tensor loss = Losses.crossEntropy(outs[layers - 1], yr);
            Tensor leaf = outs[layers - 1].detach().requiresGrad(true);
            Losses.crossEntropy(leaf, yr).backward();
            Tensor g = leaf.grad();
            long[] gradSub = new long[layers];
            for (int i = layers - 1; i >= 0; i--) {
                gradSub[i] = subnormals(g);
                outs[i].backward(g);
                g = in[i].grad();
                if (g == null) {
                    break;
                }
            }
            for (int i = 0; i < layers; i++) {
                s.append(String.format(Locale.ROOT, " %s %d/%d", model.get(i).getClass().getSimpleName(),
                        subnormals(outs[i].detach()), gradSub[i]));
            }
            if (loss.item() < 0) {
                throw new AssertionError();
            }
            long pg = 0;
            long pv = 0;
            for (Tensor p : model.parameters()) {
                pg += p.grad() == null ? 0 : subnormals(p.grad());
                pv += subnormals(p.detach());
            }
            s.append(" | param grads ").append(pg).append(", params ").append(pv);
            model.zeroGrad();
        }
        System.out.println(s);
    }

    static long fwdBwd(Module model, Tensor x, Tensor y) {
        long a = System.nanoTime();
        try (var scope = TensorScope.open()) {
            Losses.crossEntropy(model.call(x), y).backward();
        }
        long e = System.nanoTime();
        model.zeroGrad();
        return e - a;
    }

    static long subnormals(Tensor t) {
        float[] v = t.contiguous().toFloatArray();
        long c = 0;
        for (float f : v) {
            if (f != 0 && Math.abs(f) < Float.MIN_NORMAL) {
                c++;
            }
        }
        return c;
    }

    static double median(long[] v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2.0;
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    static double pooledMB() {
        try {
            var m = Class.forName("dev.cairn.backend.cpu.CpuMemoryPool").getDeclaredMethod("pooledFloats");
            m.setAccessible(true);
            return (long) m.invoke(null) * 4 / 1e6;
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    static long gcMillis() {
        long s = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            s += Math.max(0, b.getCollectionTime());
        }
        return s;
    }
}
