package dev.cairn.samples.train;

import dev.cairn.autograd.GradMode;
import dev.cairn.data.ArrayDataset;
import dev.cairn.data.Batch;
import dev.cairn.data.DataLoader;
import dev.cairn.data.FashionMnist;
import dev.cairn.io.ModuleFiles;
import dev.cairn.nn.Losses;
import dev.cairn.nn.Module;
import dev.cairn.nn.optim.Adam;
import dev.cairn.nn.optim.Optimizer;
import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Trains an image classifier on Fashion-MNIST as D2L does (minibatch SGD, or Adam, on the cross-entropy, data
 * shuffled each epoch, evaluation on the test set), printing one progress line per epoch (loss, training
 * accuracy, images/s, elapsed and remaining time; redrawn in place while the epoch runs when
 * {@code live} is set) and, as its last line, {@code test accuracy XX.XX% (n/N)}.
 *
 * <p>An epoch's images/s is {@code scripts/torch_fashion_train.py}'s: the epoch's training images (the last
 * short batch included) over the epoch's wall time, from before the shuffle to after the last batch's step
 * and its read-backs (the batch loss and the count of correct predictions, computed every batch on both
 * sides); the evaluation on the test set is not timed. On the JVM the first epoch also pays the warm-up (the
 * JIT compiling the kernels while they run), which PyTorch does not have.
 */
public final class ImageTraining {
    /** The optimizer of a run: plain SGD (D2L's) or Adam with PyTorch's betas and eps. */
    public enum OptimizerKind {
        /** D2L's plain minibatch SGD, at 0.1 by default. */
        SGD("SGD", 0.1),
        /** Adam with PyTorch's betas and eps, at PyTorch's default 1e-3. */
        ADAM("Adam", 1e-3);

        private final String title;
        private final double defaultLr;

        OptimizerKind(String title, double defaultLr) {
            this.title = title;
            this.defaultLr = defaultLr;
        }

        /** The optimizer over {@code params} at learning rate {@code lr}. */
        Optimizer create(Iterable<? extends Tensor> params, double lr) {
            return this == SGD ? new dev.cairn.nn.optim.SGD(params, lr) : new Adam(params, lr);
        }

        /** The learning rate used when none is given. */
        public double defaultLr() {
            return defaultLr;
        }

        /** The name on the command line: {@code sgd} or {@code adam}. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What to train and how. {@code save} may be null. */
    public record Config(Path dataDir, String modelName, Supplier<Module> model, int epochs, int batchSize, double lr,
                         long seed, Device device, Path save, boolean live, OptimizerKind optimizer) {
        /** A run with SGD, D2L's optimizer. */
        public Config(Path dataDir, String modelName, Supplier<Module> model, int epochs, int batchSize, double lr,
                      long seed, Device device, Path save, boolean live) {
            this(dataDir, modelName, model, epochs, batchSize, lr, seed, device, save, live, OptimizerKind.SGD);
        }
    }

    /** The outcome: test accuracy and counts, and the measured training throughput. */
    public record Result(int correct, int total, double imagesPerSecond, double seconds) {
        public double accuracy() {
            return total == 0 ? 0 : (double) correct / total;
        }
    }

    private static final int BAR = 24;

    private ImageTraining() {
    }

    /** Checks the data directory, saying how to get the files when they are missing. */
    public static void checkData(Path dir) {
        List<String> missing = FashionMnist.missingFiles(dir);
        if (!missing.isEmpty()) {
            throw new CairnException("Fashion-MNIST not found in " + dir + " (missing " + String.join(", ", missing)
                    + ", plain or .gz); " + FashionMnist.HOW_TO_GET + ", or pass --data-dir DIR");
        }
    }

    public static Result run(Config c, PrintWriter out) {
        checkData(c.dataDir());
        ArrayDataset train = FashionMnist.train(c.dataDir());
        ArrayDataset test = FashionMnist.test(c.dataDir());
        Generator.manualSeed(c.seed()); // initial weights (and dropout masks) from the seed
        Module model = c.model().get().to(c.device());
        Optimizer opt = c.optimizer().create(model.parameters(), c.lr());
        out.printf(Locale.ROOT, "data: Fashion-MNIST, %d training and %d test images from %s; model: %s (%,d parameters);"
                        + " %s lr %s, batch size %d, %d epochs; device %s, seed %d%n",
                train.size(), test.size(), c.dataDir(), c.modelName(),
                model.parameters().stream().mapToLong(Tensor::numel).sum(), c.optimizer().title,
                c.lr(), c.batchSize(), c.epochs(), c.device(),
                c.seed());
        out.flush();
        long start = System.nanoTime();
        long images = 0;
        try (DataLoader loader = DataLoader.builder(train).batchSize(c.batchSize()).shuffle(true).seed(c.seed())
                .device(c.device()).build()) {
            int batches = loader.batchesPerEpoch();
            for (int epoch = 1; epoch <= c.epochs(); epoch++) {
                model.train();
                double lossSum = 0;
                long correct = 0;
                int seen = 0;
                int done = 0;
                long epochStart = System.nanoTime();
                long lastDraw = epochStart;
                for (Batch b : loader) {
                    try (var scope = TensorScope.open(); b) {
                        opt.zeroGrad();
                        Tensor logits = model.call(b.features());
                        Tensor loss = Losses.crossEntropy(logits, b.targets());
                        loss.backward();
                        opt.step();
                        lossSum += loss.item() * b.size();
                        correct += Math.round(logits.argmax(1, false).eq(b.targets()).sum().item());
                    }
                    seen += b.size();
                    images += b.size();
                    done++;
                    if (c.live() && System.nanoTime() - lastDraw > 250_000_000L && done < batches) {
                        lastDraw = System.nanoTime();
                        out.print("\r" + line(epoch, c.epochs(), done, batches, lossSum / seen, (double) correct / seen,
                                seen, epochStart, start));
                        out.flush();
                    }
                }
                String l = line(epoch, c.epochs(), batches, batches, lossSum / seen, (double) correct / seen, seen, epochStart,
                        start);
                out.print((c.live() ? "\r" : "") + l + System.lineSeparator());
                out.flush();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int[] score = evaluate(model, test, c.device());
        if (c.save() != null) {
            ModuleFiles.save(model, c.save());
            out.printf(Locale.ROOT, "saved the trained model's state dict to %s%n", c.save());
        }
        out.printf(Locale.ROOT, "test accuracy %.2f%% (%d/%d)%n", 100.0 * score[0] / score[1], score[0], score[1]);
        out.flush();
        return new Result(score[0], score[1], images / seconds, seconds);
    }

    /**
     * One progress line: the bar, batches, mean loss and accuracy so far in this epoch, this epoch's
     * images/s, and the run's elapsed and (estimated) remaining time.
     */
    private static String line(int epoch, int epochs, int done, int batches, double loss, double acc, long epochImages,
                               long epochStart, long start) {
        long now = System.nanoTime();
        double elapsed = (now - start) / 1e9;
        double epochSeconds = (now - epochStart) / 1e9;
        double fraction = ((epoch - 1) + (double) done / batches) / epochs;
        double remaining = fraction > 0 ? elapsed / fraction - elapsed : 0;
        int filled = (int) Math.round(BAR * (double) done / batches);
        int width = String.valueOf(epochs).length();
        return String.format(Locale.ROOT, "epoch %" + width + "d/%d [%s%s] %d/%d  loss %.4f  train acc %.2f%%  %.0f images/s"
                        + "  elapsed %s  remaining %s",
                epoch, epochs, "#".repeat(filled), ".".repeat(BAR - filled), done, batches, loss, 100 * acc,
                epochImages / Math.max(epochSeconds, 1e-9), clock(elapsed), clock(remaining));
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** {correct, total} of the model's arg-max predictions on {@code test}, in eval mode without gradients. */
    public static int[] evaluate(Module model, ArrayDataset test, Device device) {
        model.eval();
        long correct = 0;
        try (var g = GradMode.noGrad();
             DataLoader loader = DataLoader.builder(test).batchSize(1000).device(device).build()) {
            for (Batch b : loader) {
                try (var scope = TensorScope.open(); b) {
                    correct += Math.round(model.call(b.features()).argmax(1, false).eq(b.targets()).sum().item());
                }
            }
        }
        return new int[] {(int) correct, test.size()};
    }
}
