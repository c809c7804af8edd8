package dev.cairn.samples.cli;

import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Devices;
import dev.cairn.nn.Losses;
import dev.cairn.nn.Module;
import dev.cairn.nn.optim.SGD;
import dev.cairn.samples.models.Models;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cairn bench gemm|model}: median (and p90) time per call after warm-up, and GFLOP/s where it applies. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark GEMM or a model's forward pass.",
        subcommands = {BenchCommand.Gemm.class, BenchCommand.ModelBench.class, BenchServeCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing benchmark: gemm, model or serve");
    }

    /** Median and p90 of timed calls in microseconds. */
    record Timing(double medianUs, double p90Us, double minUs, int calls) {
    }

    /** The most timed calls kept for the statistics (8 MiB of samples); timing stops when it is reached. */
    static final int MAX_SAMPLES = 1 << 20;

    /**
     * Runs {@code body} for a warm-up of {@code 0.3 * budgetMs} (at least 3 calls), then times calls until about
     * {@code budgetMs} have passed (at least 5 calls, at most {@link #MAX_SAMPLES}) and reports the spread. The
     * warm-up is by time, not by a count of calls: a call-count warm-up of a microsecond model ends before the
     * JIT has compiled its hot loops with C2 (the Vector API runs boxed and slow until then), so the timed
     * window would mix tiers and the medians of separate runs would split into two groups.
     */
    static Timing time(Runnable body, Device device, long budgetMs) {
        Devices.check(device);
        long warmEnd = System.nanoTime() + budgetMs * 300_000L;
        int warm = 0;
        while (warm < 3 || System.nanoTime() < warmEnd) {
            body.run();
            warm++;
        }
        Devices.synchronize(device);
        long end = System.nanoTime() + budgetMs * 1_000_000L;
        double[] samples = new double[1024];
        int n = 0;
        while (n < MAX_SAMPLES && (n < 5 || System.nanoTime() < end)) {
            long t0 = System.nanoTime();
            body.run();
            Devices.synchronize(device);
            if (n == samples.length) {
                samples = Arrays.copyOf(samples, 2 * n);
            }
            samples[n++] = (System.nanoTime() - t0) / 1e3;
        }
        double[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        return new Timing(s[n / 2], s[Math.min(n - 1, (int) Math.ceil(n * 0.9) - 1)], s[0], n);
    }

    /** Largest GEMM size: n * n must stay below 2^31 elements. */
    static final int MAX_GEMM_N = 46_340;
    /** Longest timing budget per size: one hour. */
    static final long MAX_BUDGET_MS = 3_600_000L;

    /** Throws a usage error unless {@code --budget-ms} is between 1 ms and an hour. */
    static void checkBudget(CommandSpec spec, long budgetMs) {
        if (budgetMs < 1 || budgetMs > MAX_BUDGET_MS) {
            throw new ParameterException(spec.commandLine(), "--budget-ms must be between 1 and " + MAX_BUDGET_MS
                    + " (one hour), got " + budgetMs);
        }
    }

    static int[] parseList(CommandSpec spec, String option, String text) {
        try {
            int[] v = Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            for (int x : v) {
                if (x <= 0) {
                    throw new NumberFormatException();
                }
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), option + " expects positive integers separated by commas, got '"
                    + text + "'");
        }
    }

    /** {@code bench gemm}: C = A @ B for square float32 matrices. */
    @Command(name = "gemm", mixinStandardHelpOptions = true, description = "Float32 C = A @ B for square n: median time and GFLOP/s.")
    static final class Gemm implements Callable<Integer> {
        @Option(names = "--n", defaultValue = "256,1024,2048,4096", paramLabel = "N,...", description = "Sizes (default: ${DEFAULT-VALUE}).")
        String sizes;

        @Option(names = "--threads", paramLabel = "T", description = "CPU threads (default: all cores).")
        Integer threads;

        @Option(names = "--json", description = "One JSON object per result line.")
        boolean json;

        @Option(names = "--budget-ms", defaultValue = "2000", paramLabel = "MS", description = "Timed milliseconds per size.")
        long budgetMs;

        @Mixin
        DeviceOption deviceOption;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            int[] ns = parseList(spec, "--n", sizes);
            for (int n : ns) {
                if (n > MAX_GEMM_N) {
                    throw new ParameterException(spec.commandLine(), "--n must be at most " + MAX_GEMM_N
                            + " (an n x n float32 matrix must fit in one Java array), got " + n);
                }
            }
            checkBudget(spec, budgetMs);
            if (threads != null) {
                if (threads <= 0) {
                    throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
                }
                int cores = Runtime.getRuntime().availableProcessors();
                int used = threads;
                if (threads > cores) {
                    used = cores;
                    spec.commandLine().getErr().println("warning: --threads " + threads + " is more than the " + cores
                            + " cores of this machine; using " + cores + " (more threads would only contend)");
                    spec.commandLine().getErr().flush();
                }
                System.setProperty("cairn.cpu.threads", String.valueOf(used));
            }
            Device device = deviceOption.resolve();
            PrintWriter out = spec.commandLine().getOut();
            Generator g = new Generator(42);
            for (int n : ns) {
                Tensor a = Tensor.rand(g, n, n).to(device);
                Tensor b = Tensor.rand(g, n, n).to(device);
                Timing t;
                try (var ng = GradMode.noGrad()) {
                    t = time(() -> a.mm(b).close(), device, budgetMs);
                }
                double gflops = 2.0 * n * n * n / (t.medianUs() * 1e3);
                if (json) {
                    out.printf(Locale.ROOT, "{\"bench\":\"gemm\",\"device\":\"%s\",\"n\":%d,\"median_us\":%.3f,\"p90_us\":%.3f,"
                            + "\"gflops\":%.2f,\"calls\":%d}%n", device, n, t.medianUs(), t.p90Us(), gflops, t.calls());
                } else {
                    out.printf(Locale.ROOT, "gemm n=%-5d device=%-7s median %10.1f us  p90 %10.1f us  %8.2f GFLOP/s  (%d calls)%n",
                            n, device, t.medianUs(), t.p90Us(), gflops, t.calls());
                }
                out.flush();
                a.close();
                b.close();
            }
            return 0;
        }
    }

    /** {@code bench model}: inference time per forward call, or ({@code --train}) per SGD training step. */
    @Command(name = "model", mixinStandardHelpOptions = true, description = {
        "Inference (no grad) forward time per call: median and p90.",
        "With --train: one SGD training step per call instead (train mode, forward, cross-entropy against fixed"
                + " seeded class labels, backward, step), for models with a [B, classes] output."})
    static final class ModelBench implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "NAME", converter = ModelConverter.class,
                description = "A sample model name or 'wide'.")
        Models.Spec ms;

        @Option(names = "--batch", defaultValue = "1,64,1024", paramLabel = "B,...", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
        String batches;

        @Option(names = "--json", description = "One JSON object per result line.")
        boolean json;

        @Option(names = "--budget-ms", defaultValue = "2000", paramLabel = "MS", description = "Timed milliseconds per batch size.")
        long budgetMs;

        @Option(names = "--train", description = "Time an SGD training step (lr 0.01) instead of an inference forward pass.")
        boolean train;

        @Mixin
        DeviceOption deviceOption;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (train && ms.inputType() != dev.cairn.DType.FLOAT32) {
                throw new ParameterException(spec.commandLine(), "--train needs a model with float32 input rows; "
                        + ms.name() + " takes " + ms.inputType());
            }
            int[] bs = parseList(spec, "--batch", batches);
            checkBudget(spec, budgetMs);
            String model = ms.name();
            Device device = deviceOption.resolve();
            PrintWriter out = spec.commandLine().getOut();
            Generator.manualSeed(7);
            Module net = ms.create().to(device);
            if (!train) {
                net.eval();
            }
            SGD opt = train ? new SGD(net.parameters(), 0.01) : null;
            double flopsPerRow = linearFlopsPerRow(net) * (train ? 3 : 1);
            for (int b : bs) {
                Tensor x = ms.sampleInput(new Generator(b), b).to(device);
                Timing t;
                if (train) {
                    Tensor labels = trainingLabels(net, x, b, device);
                    t = time(() -> {
                        try (TensorScope scope = TensorScope.open()) {
                            opt.zeroGrad();
                            Losses.crossEntropy(net.call(x), labels).backward();
                            opt.step();
                        }
                    }, device, budgetMs);
                    labels.close();
                } else {
                    try (var ng = GradMode.noGrad()) {
                        t = time(() -> {
                            try (TensorScope scope = TensorScope.open()) {
                                net.call(x);
                            }
                        }, device, budgetMs);
                    }
                }
                double gflops = flopsPerRow * b / (t.medianUs() * 1e3);
                if (json) {
                    out.printf(Locale.ROOT, "{\"bench\":\"%s\",", train ? "train" : "model");
                    out.printf(Locale.ROOT, "\"device\":\"%s\",\"model\":\"%s\",\"batch\":%d,\"median_us\":%.3f,"
                            + "\"p90_us\":%.3f,\"min_us\":%.3f,\"gflops\":%.2f,\"calls\":%d}%n", device, model, b, t.medianUs(),
                            t.p90Us(), t.minUs(), gflops, t.calls());
                } else {
                    out.printf(Locale.ROOT, (train ? "train " : "model ") + "%-16s batch=%-5d device=%-7s median %10.2f us  p90 %10.2f us  %8.2f GFLOP/s  (%d calls)%n",
                            model, b, device, t.medianUs(), t.p90Us(), gflops, t.calls());
                }
                out.flush();
                x.close();
            }
            return 0;
        }

        /** Seeded class labels for {@code --train}: int64 in [0, classes) for a model whose output is [B, classes]. */
        private Tensor trainingLabels(Module net, Tensor x, int b, Device device) {
            int[] shape;
            try (var ng = GradMode.noGrad(); Tensor y = net.call(x)) {
                shape = y.shape();
            }
            if (shape.length != 2 || shape[0] != b) {
                throw new ParameterException(spec.commandLine(), "--train needs a classifier with output [B, classes]; "
                        + ms.name() + " gives " + java.util.Arrays.toString(shape));
            }
            long[] ids = new long[b];
            java.util.Random r = new java.util.Random(b);
            for (int i = 0; i < b; i++) {
                ids[i] = r.nextInt(shape[1]);
            }
            return Tensor.of(ids, b).to(device);
        }

        /** 2 * in * out multiply-adds per input row summed over every Linear layer (the model's GEMM work). */
        private static double linearFlopsPerRow(Module net) {
            double f = 0;
            List<Module> all = List.copyOf(net.namedModules().values());
            for (Module m : all) {
                if (m instanceof dev.cairn.nn.Linear l) {
                    f += 2.0 * l.inFeatures() * l.outFeatures();
                }
            }
            return f;
        }
    }
}
