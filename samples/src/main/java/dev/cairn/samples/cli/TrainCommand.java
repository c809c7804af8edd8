package dev.cairn.samples.cli;

import dev.cairn.samples.models.Models;
import dev.cairn.samples.train.Dataset;
import dev.cairn.samples.train.ImageTraining;
import dev.cairn.samples.train.SyntheticData;
import dev.cairn.samples.train.Trainer;
import dev.cairn.Device;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cairn train}: trains an MLP classifier on a synthetic 2-D data set with autograd and Adam, or
 * (with {@code --data fashion-mnist}) a registered image model on Fashion-MNIST with SGD or Adam.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train an MLP classifier (Linear-ReLU-Linear-ReLU-Linear) on a synthetic 2-D data set with "
                + "Adam and cross-entropy, printing the loss and training accuracy as it goes.",
            "With --data fashion-mnist: train --model (default lenet) on Fashion-MNIST's IDX files (--data-dir) with "
                + "minibatch SGD (or --optimizer adam), one progress line per epoch, and as the last line 'test accuracy XX.XX%% (n/N)'."})
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--data", paramLabel = "NAME", defaultValue = "spiral",
            description = "spiral, moons or fashion-mnist (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--model", paramLabel = "NAME",
            description = "fashion-mnist only: the registered model to train, taking [N, 1, 28, 28] images "
                    + "(default: lenet; mlp-fashion is D2L's MLP).")
    String model;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "fashion-mnist only: the directory of the four IDX files, plain or .gz (default: "
                    + "/usr/share/datasets/fashion-mnist, where Debian's dataset-fashion-mnist installs them).")
    java.nio.file.Path dataDir;

    @Option(names = "--save", paramLabel = "FILE",
            description = "fashion-mnist only: save the trained model's state dict (safetensors, PyTorch's keys) to FILE.")
    java.nio.file.Path save;

    @Option(names = "--arms", paramLabel = "K", defaultValue = "3",
            description = "Arms (classes) of the spiral, 2 or more (default: ${DEFAULT-VALUE}).")
    int arms;

    @Option(names = "--points", paramLabel = "N", defaultValue = "300",
            description = "Points in the data set (default: ${DEFAULT-VALUE}).")
    int points;

    @Option(names = "--epochs", paramLabel = "E",
            description = "Passes over the data (default: 300; fashion-mnist: 10).")
    Integer epochsOption;
    int epochs;

    @Option(names = "--batch-size", paramLabel = "B",
            description = "Examples per step; 0 for full batch (default: 0; fashion-mnist: 256).")
    Integer batchSizeOption;
    int batchSize;

    @Option(names = "--lr", paramLabel = "LR",
            description = "The learning rate (default: 0.01 for the synthetic data's Adam; fashion-mnist: 0.1 with SGD, "
                    + "0.001 with Adam).")
    Double lrOption;
    double lr;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "fashion-mnist only: sgd (D2L's plain minibatch SGD) or adam (PyTorch's betas and eps) "
                    + "(default: sgd; the synthetic data always trains with Adam).")
    String optimizer;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "64",
            description = "Width of the two hidden layers (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed for the data, the initial weights and the batch order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--log-every", paramLabel = "K", defaultValue = "25",
            description = "Print progress every K epochs; 0 for only the result (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Spec
    CommandSpec spec;

    /** Largest data set: 2 floats per point plus a label, about 120 MB at this size. */
    static final int MAX_POINTS = 10_000_000;
    /** Largest hidden width: the hidden-to-hidden weight then has 2^28 elements (1 GiB). */
    static final int MAX_HIDDEN = 16_384;

    /** {@code --data fashion-mnist}: checks the options, looks the model up, and runs {@link ImageTraining}. */
    private int trainImages() {
        if (epochs < 1) {
            throw usage("--epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw usage("--batch-size must be >= 1 for fashion-mnist, got " + batchSize);
        }
        String name = model == null ? "lenet" : model;
        Models.Spec modelSpec;
        try {
            modelSpec = Models.get(name);
        } catch (dev.cairn.CairnException e) {
            throw new dev.cairn.CairnException("--model: " + e.getMessage());
        }
        ImageTraining.OptimizerKind kind = optimizerKind();
        double rate = lrOption != null ? lr : kind.defaultLr();
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw usage("--lr must be a finite number > 0, got " + rate);
        }
        java.nio.file.Path dir = dataDir != null ? dataDir : dev.cairn.data.FashionMnist.DEBIAN_DIR;
        ImageTraining.checkData(dir); // before choosing a device: a missing file is the first thing to fix
        Device device = deviceOption.resolve();
        var out = spec.commandLine().getOut();
        ImageTraining.run(new ImageTraining.Config(dir, name, modelSpec::create, epochs, batchSize, rate, seed, device, save,
                System.console() != null, kind), out);
        return 0;
    }

    /** {@code --optimizer}, checked: sgd (the default) or adam, in any case. */
    private ImageTraining.OptimizerKind optimizerKind() {
        if (optimizer == null) {
            return ImageTraining.OptimizerKind.SGD;
        }
        for (ImageTraining.OptimizerKind k : ImageTraining.OptimizerKind.values()) {
            if (k.cliName().equalsIgnoreCase(optimizer.strip())) {
                return k;
            }
        }
        throw usage("--optimizer must be sgd or adam, got '" + optimizer + "'");
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() {
        boolean images = data.equals("fashion-mnist");
        epochs = epochsOption != null ? epochsOption : images ? 10 : 300;
        batchSize = batchSizeOption != null ? batchSizeOption : images ? 256 : 0;
        lr = lrOption != null ? lrOption : images ? 0.1 : 0.01;
        if (images) {
            return trainImages();
        }
        if (model != null || dataDir != null || save != null || optimizer != null) {
            throw usage("--model, --data-dir, --save and --optimizer are for --data fashion-mnist (the synthetic data "
                    + "trains an MLP with Adam)");
        }
        if (!data.equals("spiral") && !data.equals("moons")) {
            throw usage("--data must be spiral, moons or fashion-mnist, got '" + data + "'");
        }
        if (epochs < 1) {
            throw usage("--epochs must be >= 1, got " + epochs);
        }
        if (data.equals("spiral") && arms < 2) {
            throw usage("--arms must be >= 2, got " + arms);
        }
        int classes = data.equals("spiral") ? arms : 2;
        if (points > MAX_POINTS) {
            throw usage("--points must be at most " + MAX_POINTS + " (the data set lives in memory), got " + points);
        }
        if (points < classes) {
            throw usage("--points must be at least the number of classes (" + classes + "), got " + points);
        }
        if (batchSize < 0) {
            throw usage("--batch-size must be >= 0 (0: full batch), got " + batchSize);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw usage("--lr must be a finite number > 0, got " + lr);
        }
        if (hidden < 1 || hidden > MAX_HIDDEN) {
            throw usage("--hidden must be between 1 and " + MAX_HIDDEN + ", got " + hidden);
        }
        if (logEvery < 0) {
            throw usage("--log-every must be >= 0, got " + logEvery);
        }
        Device device = deviceOption.resolve();
        var out = spec.commandLine().getOut();
        Dataset ds = data.equals("spiral")
                ? SyntheticData.spiral(points / classes, classes, 0.2f, seed)
                : SyntheticData.moons(points, 0.1f, seed);
        out.printf(Locale.ROOT, "data: %s, %d points, %d classes; model: MLP 2-%d-%d-%d; Adam lr %s, %s; device %s, seed %d%n",
                ds.name(), ds.n(), ds.classes(), hidden, hidden, ds.classes(), lr,
                batchSize == 0 || batchSize >= ds.n() ? "full batch" : "batch size " + batchSize, device, seed);
        out.flush();
        int width = String.valueOf(epochs).length();
        Trainer.Config config = new Trainer.Config(epochs, lr, batchSize, hidden, seed, logEvery, device);
        Trainer.Result r = Trainer.train(ds, config, p -> {
            out.printf(Locale.ROOT, "epoch %" + width + "d/%d  loss %.4f  accuracy %5.1f%%%n", p.epoch(), p.epochs(),
                    p.loss(), 100 * p.accuracy());
            out.flush();
        });
        out.printf(Locale.ROOT, "final loss %.4f, training accuracy %.1f%% (%d/%d points) after %d epochs (%d steps) in %.2f s%n",
                r.loss(), 100 * r.accuracy(), Math.round(r.accuracy() * ds.n()), ds.n(), r.epochs(), r.steps(), r.seconds());
        return 0;
    }
}
