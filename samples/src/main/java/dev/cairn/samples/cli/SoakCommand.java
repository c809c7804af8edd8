package dev.cairn.samples.cli;

import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Losses;
import dev.cairn.nn.Module;
import dev.cairn.nn.optim.Adam;
import dev.cairn.samples.models.Models;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cairn soak}: a long inference or training loop that reports the process's memory as it runs, to
 * check that the heap and the resident set stay flat (a long-run check, not a unit test). Every report
 * line gives the heap in use, the heap left after the last garbage collection, the committed heap and the
 * RSS; the last line compares the end with the baseline (the first report after a quarter of the run,
 * when warm-up and heap sizing are over) and says "flat" or "GROWING" (exit 1). Example:
 * {@code bin/cairn soak --mode infer --model wide --seconds 600} (the JVM's default settings).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Run an inference or training loop for a while and report heap and RSS (they must stay flat).")
public final class SoakCommand implements Callable<Integer> {
    @Option(names = "--mode", defaultValue = "infer", paramLabel = "infer|train",
            description = "infer: scoped no-grad forwards; train: forward, backward and Adam steps (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--model", defaultValue = "wide", paramLabel = "NAME", converter = ModelConverter.class,
            description = "A sample model name or 'wide' (default: ${DEFAULT-VALUE}).")
    Models.Spec model;

    @Option(names = "--batch", defaultValue = "1,16,64", paramLabel = "B,...",
            description = "Batch sizes, used in turn (default: ${DEFAULT-VALUE}).")
    String batches;

    @Option(names = "--seconds", defaultValue = "120", paramLabel = "S", description = "How long to run (default: ${DEFAULT-VALUE}).")
    long seconds;

    @Option(names = "--report-seconds", defaultValue = "10", paramLabel = "S",
            description = "Seconds between report lines (default: ${DEFAULT-VALUE}).")
    long reportSeconds;

    @Mixin
    DeviceOption deviceOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!mode.equals("infer") && !mode.equals("train")) {
            throw new ParameterException(spec.commandLine(), "--mode must be infer or train, got '" + mode + "'");
        }
        if (seconds < 1 || seconds > 7 * 24 * 3600) {
            throw new ParameterException(spec.commandLine(), "--seconds must be between 1 and 604800, got " + seconds);
        }
        if (reportSeconds < 1 || reportSeconds > seconds) {
            throw new ParameterException(spec.commandLine(), "--report-seconds must be between 1 and --seconds, got "
                    + reportSeconds);
        }
        int[] bs = BenchCommand.parseList(spec, "--batch", batches);
        Device device = deviceOption.resolve();
        PrintWriter out = spec.commandLine().getOut();
        Generator.manualSeed(5);
        Module net = model.create().to(device);
        Tensor[] xs = new Tensor[bs.length];
        for (int i = 0; i < bs.length; i++) {
            xs[i] = model.sampleInput(new Generator(i), bs[i]).to(device);
        }
        Adam opt = mode.equals("train") ? new Adam(net.parameters(), 1e-4) : null;
        if (opt == null) {
            net.eval();
        }
        out.printf(Locale.ROOT, "soak %s %s batches %s on %s for %d s; max heap %d MB%n", mode, model.name(), batches,
                device, seconds, Runtime.getRuntime().maxMemory() >> 20);
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long nextReport = start + reportSeconds * 1_000_000_000L;
        long iterations = 0;
        Sample first = null;
        Sample last = null;
        while (System.nanoTime() < end) {
            Tensor x = xs[(int) (iterations % xs.length)];
            if (opt == null) {
                try (var g = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
                    net.call(x);
                }
            } else {
                try (TensorScope scope = TensorScope.open()) {
                    opt.zeroGrad();
                    Tensor y = net.call(x);
                    Losses.mseLoss(y, y.detach().mul(0.5f)).backward();
                    opt.step();
                }
            }
            iterations++;
            long now = System.nanoTime();
            if (now >= nextReport) {
                last = Sample.now();
                if (first == null && now - start >= (end - start) / 4) {
                    first = last; // the baseline, after a quarter of the run: warm-up and the heap's sizing are done
                }
                out.printf(Locale.ROOT, "%6.0f s  %9d iterations  heap used %7.1f MB  live after last GC %7.1f MB"
                                + "  committed heap %7.1f MB  RSS %7.1f MB%s%n", (now - start) / 1e9, iterations,
                        last.usedHeapMb, last.liveHeapMb, last.committedHeapMb, last.rssMb, first == last ? "  (baseline)" : "");
                out.flush();
                nextReport += reportSeconds * 1_000_000_000L;
            }
        }
        if (first == null || first == last) {
            out.println("soak: too short to compare (raise --seconds or lower --report-seconds)");
            return 0;
        }
        boolean heapFlat = last.liveHeapMb <= first.liveHeapMb * 1.25 + 16;
        boolean rssFlat = last.rssMb < 0 || last.rssMb <= first.rssMb * 1.25 + 64;
        out.printf(Locale.ROOT, "soak %s %s: %d iterations; live heap %.1f -> %.1f MB, committed heap %.1f -> %.1f MB, RSS %.1f"
                        + " -> %.1f MB: %s%n", mode, model.name(), iterations, first.liveHeapMb, last.liveHeapMb,
                first.committedHeapMb, last.committedHeapMb, first.rssMb, last.rssMb, heapFlat && rssFlat ? "flat" : "GROWING");
        return heapFlat && rssFlat ? 0 : 1;
    }

    /**
     * Memory at one report: heap in use now, heap in use after the last collection of each pool, committed heap,
     * resident set (-1 when unknown).
     */
    private record Sample(double usedHeapMb, double liveHeapMb, double committedHeapMb, double rssMb) {
        static Sample now() {
            long used = 0;
            long live = 0;
            long committed = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() != MemoryType.HEAP) {
                    continue;
                }
                MemoryUsage after = p.getCollectionUsage();
                live += after != null ? after.getUsed() : p.getUsage().getUsed();
                committed += p.getUsage().getCommitted();
                used += p.getUsage().getUsed();
            }
            return new Sample(used / 1048576.0, live / 1048576.0, committed / 1048576.0, readRssMb());
        }

        private static double readRssMb() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: no RSS
            }
            return -1;
        }
    }
}
