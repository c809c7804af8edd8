package dev.cairn.samples.models;

import dev.cairn.nn.BatchNorm1d;
import dev.cairn.nn.BatchNorm2d;
import dev.cairn.nn.Conv2d;
import dev.cairn.nn.Flatten;
import dev.cairn.nn.MaxPool2d;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.nn.ReLU;
import dev.cairn.nn.Sequential;
import dev.cairn.tensor.CairnException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The sample models by the names the command line and the golden cases use, with their input widths. */
public final class Models {
    /** A model name, how to build it, and the width of its input rows. */
    public record Spec(String name, Supplier<Module> factory, int inputWidth) {
        public Module create() {
            return factory.get();
        }
    }

    private static final Map<String, Spec> ALL = new LinkedHashMap<>();

    static {
        add("mlp", MLP::new, 20);
        add("mysequential", () -> new MySequential(new Linear(20, 256), new ReLU(), new Linear(256, 10)), 20);
        add("fixed_hidden_mlp", FixedHiddenMLP::new, 20);
        add("nest_mlp", NestMLP::new, 20);
        add("chimera", Models::chimera, 20);
        add("tied", Models::tied, 4);
        add("centered", () -> new Sequential(new Linear(8, 128), new CenteredLayer()), 8);
        add("mylinear", () -> new Sequential(new MyLinear(64, 8), new MyLinear(8, 1)), 64);
        add("wide", Models::wide, 1024);
        add("mlp-fashion", Models::mlpFashion, 784);
        add("convnet", ConvNet::new, 64);
        add("encoder", TextEncoder::new, 12);
        add("zoo", Zoo::new, 24);
        add("lenet", Models::lenet, 784);
    }

    private Models() {
    }

    private static void add(String name, Supplier<Module> factory, int width) {
        ALL.put(name, new Spec(name, factory, width));
    }

    /** D2L's chimera: NestMLP, a Linear layer and a FixedHiddenMLP in one Sequential. */
    public static Module chimera() {
        return new Sequential(new NestMLP(), new Linear(16, 20), new FixedHiddenMLP());
    }

    /** D2L's parameter-sharing example: one Linear(8, 8) used at positions 2 and 4. */
    public static Module tied() {
        Linear shared = new Linear(8, 8);
        return new Sequential(new Linear(4, 8), new ReLU(), shared, new ReLU(), shared, new ReLU(), new Linear(8, 1));
    }

    /** The benchmark model: Linear(1024,4096) -> ReLU -> Linear(4096,4096) -> ReLU -> Linear(4096,1024). */
    public static Module wide() {
        return new Sequential(new Linear(1024, 4096), new ReLU(), new Linear(4096, 4096), new ReLU(),
                new Linear(4096, 1024));
    }

    /**
     * D2L's concise MLP for 28x28 images (Fashion-MNIST): Flatten, Linear(784, 256), ReLU, Linear(256, 10).
     * It takes {@code [N, 1, 28, 28]} images (or rows of 784 values).
     */
    public static Module mlpFashion() {
        return new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 10));
    }

    /** D2L's LeNet with batch norm for 28x28 grey images ({@code reference_models.lenet()}): [B, 1, 28, 28] to [B, 10]. */
    public static Module lenet() {
        return new Sequential(
                new Conv2d(1, 6, 5, 1, 2), new BatchNorm2d(6), new ReLU(), new MaxPool2d(2),
                new Conv2d(6, 16, 5), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
                new Flatten(),
                new Linear(16 * 5 * 5, 120), new BatchNorm1d(120), new ReLU(),
                new Linear(120, 84), new BatchNorm1d(84), new ReLU(),
                new Linear(84, 10));
    }

    /** The spec named {@code name}; an error listing the known names otherwise. */
    public static Spec get(String name) {
        Spec s = ALL.get(name);
        if (s == null) {
            throw new CairnException("unknown model '" + name + "' (known: " + String.join(", ", ALL.keySet()) + ")");
        }
        return s;
    }

    /** Every model name, in a stable order. */
    public static Iterable<String> names() {
        return ALL.keySet();
    }

    /** The five models of the seed chapter, in its order. */
    public static String[] seedModels() {
        return new String[] {"mlp", "mysequential", "fixed_hidden_mlp", "nest_mlp", "chimera"};
    }
}
