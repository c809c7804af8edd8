package dev.cairn.samples.train;

import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Losses;
import dev.cairn.nn.Module;
import dev.cairn.nn.ReLU;
import dev.cairn.nn.Sequential;
import dev.cairn.nn.optim.Adam;
import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains an MLP classifier ({@code Linear(F, H) ReLU Linear(H, H) ReLU Linear(H, C)}) on a small data
 * set with Adam and cross-entropy, full-batch or in shuffled mini-batches, all from one seed.
 */
public final class Trainer {
    /**
     * @param epochs    passes over the data, {@code >= 1}
     * @param lr        Adam's learning rate
     * @param batchSize points per step; {@code 0} (or at least the data set's size) for full batch
     * @param hidden    width of the two hidden layers
     * @param seed      seeds the model's initial weights and the mini-batch order
     * @param logEvery  report progress every this many epochs (and after the last); {@code 0} never
     */
    public record Config(int epochs, double lr, int batchSize, int hidden, long seed, int logEvery, Device device) {
        public Config {
            if (epochs < 1) {
                throw new CairnException("epochs must be >= 1, got " + epochs);
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new CairnException("learning rate must be a finite number > 0, got " + lr);
            }
            if (batchSize < 0) {
                throw new CairnException("batch size must be >= 0 (0: full batch), got " + batchSize);
            }
            if (hidden < 1) {
                throw new CairnException("hidden width must be >= 1, got " + hidden);
            }
            if (logEvery < 0) {
                throw new CairnException("logEvery must be >= 0, got " + logEvery);
            }
        }
    }

    /** The state after one epoch: the mean loss over its steps and the accuracy on the whole data set. */
    public record Progress(int epoch, int epochs, double loss, double accuracy) {
    }

    /** Final mean training loss and accuracy (on the whole data set, after the last step). */
    public record Result(Module model, double loss, double accuracy, int epochs, int steps, double seconds) {
    }

    private Trainer() {
    }

    /** The classifier for {@code features} inputs and {@code classes} outputs, initialised from {@code g}. */
    public static Sequential mlp(int features, int hidden, int classes, Generator g) {
        return new Sequential(new Linear(features, hidden, true, g), new ReLU(),
                new Linear(hidden, hidden, true, g), new ReLU(),
                new Linear(hidden, classes, true, g));
    }

    /** Trains a fresh classifier on {@code data}, passing progress to {@code progress} every {@code logEvery} epochs. */
    public static Result train(Dataset data, Config config, Consumer<Progress> progress) {
        if (data.n() == 0) {
            throw new CairnException("cannot train on an empty data set");
        }
        long start = System.nanoTime();
        Device device = config.device();
        Module model = mlp(data.features(), config.hidden(), data.classes(), new Generator(config.seed())).to(device);
        Adam opt = new Adam(model.parameters(), config.lr());
        int n = data.n();
        int batch = config.batchSize() == 0 || config.batchSize() >= n ? n : config.batchSize();
        SplittableRandom order = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Tensor allX = Tensor.of(device, data.x(), n, data.features());
        Tensor allY = Tensor.of(device, data.y(), n);
        int steps = 0;
        double epochLoss = Double.NaN;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            if (batch < n) {
                shuffle(idx, order);
            }
            double lossSum = 0;
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                try (var scope = TensorScope.open()) {
                    Tensor xb;
                    Tensor yb;
                    if (batch == n) {
                        xb = allX;
                        yb = allY;
                    } else {
                        Dataset b = data.rows(idx, from, to);
                        xb = Tensor.of(device, b.x(), b.n(), b.features());
                        yb = Tensor.of(device, b.y(), b.n());
                    }
                    Tensor loss = Losses.crossEntropy(model.call(xb), yb);
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    lossSum += loss.item() * (to - from);
                }
                steps++;
            }
            epochLoss = lossSum / n;
            if (!Double.isFinite(epochLoss)) {
                throw new CairnException("training diverged at epoch " + epoch + " (loss " + epochLoss
                        + "); try a smaller learning rate");
            }
            boolean last = epoch == config.epochs();
            if (progress != null && config.logEvery() > 0 && (epoch % config.logEvery() == 0 || last || epoch == 1)) {
                progress.accept(new Progress(epoch, config.epochs(), epochLoss, accuracy(model, allX, allY)));
            }
        }
        double[] finalEval = evaluate(model, allX, allY);
        opt.zeroGrad();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(model, finalEval[0], finalEval[1], config.epochs(), steps, seconds);
    }

    /** Fraction of points whose highest-scoring class is their label. */
    public static double accuracy(Module model, Tensor x, Tensor y) {
        return evaluate(model, x, y)[1];
    }

    /** {@code [mean cross-entropy, accuracy]} of {@code model} on {@code (x, y)}, without recording gradients. */
    public static double[] evaluate(Module model, Tensor x, Tensor y) {
        try (var g = GradMode.noGrad(); var scope = TensorScope.open()) {
            Tensor logits = model.call(x);
            double loss = Losses.crossEntropy(logits, y).item();
            double acc = logits.argmax(1, false).eq(y).mean().item();
            return new double[] {loss, acc};
        }
    }

    private static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
