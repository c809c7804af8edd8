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
import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The sample models by the names the command line and the golden cases use, with the shape of their inputs. */
public final class Models {
    /**
     * A model name, how to build it, and what one input row is: its shape ({@code [20]} for the MLP,
     * {@code [1, 28, 28]} for LeNet) and dtype (int64 token ids for the encoder, float32 otherwise).
     */
    public record Spec(String name, Supplier<Module> factory, int[] rowShape, DType inputType) {
        public Spec {
            rowShape = rowShape.clone();
        }

        public Module create() {
            return factory.get();
        }

        @Override
        public int[] rowShape() {
            return rowShape.clone();
        }

        /** Elements per input row (the feature count of a flat row). */
        public int inputWidth() {
            return Shapes.numel(rowShape);
        }

        /** Whether an input row is a flat float32 vector (what row-oriented tools such as Spark feed). */
        public boolean takesFlatFloatRows() {
            return rowShape.length == 1 && inputType == DType.FLOAT32;
        }

        /**
         * A seeded random input of {@code batch} rows: uniform floats in [0, 1), or token ids in [1, 50) with
         * no padding for an int64 input.
         */
        public Tensor sampleInput(Generator g, int batch) {
            int[] shape = new int[rowShape.length + 1];
            shape[0] = batch;
            System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
            Tensor u = Tensor.rand(g, shape);
            return inputType == DType.FLOAT32 ? u : u.mul(49f).add(1f).to(inputType);
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
        add("convnet", ConvNet::new, new int[] {1, 8, 8}, DType.FLOAT32);
        add("encoder", TextEncoder::new, new int[] {12}, DType.INT64);
        // benchmark sizes of the encoder (no golden cases): 128 tokens, and a wider, deeper one
        add("encoder-seq128", () -> new TextEncoder(50, 32, 4, 2, 3, 128), new int[] {128}, DType.INT64);
        add("encoder-large", () -> new TextEncoder(50, 256, 4, 4, 3, 128, 1024), new int[] {128}, DType.INT64);
        add("zoo", Zoo::new, 24);
        add("lenet", Models::lenet, new int[] {1, 28, 28}, DType.FLOAT32);
    }

    private Models() {
    }

    private static void add(String name, Supplier<Module> factory, int width) {
        add(name, factory, new int[] {width}, DType.FLOAT32);
    }

    private static void add(String name, Supplier<Module> factory, int[] rowShape, DType inputType) {
        ALL.put(name, new Spec(name, factory, rowShape, inputType));
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
