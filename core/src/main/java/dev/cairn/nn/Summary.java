package dev.cairn.nn;

import dev.cairn.autograd.GradMode;
import dev.cairn.Device;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A table of the modules a forward pass runs, like torchinfo's {@code summary} or Keras's
 * {@code model.summary()}: one row per module call in call order (a module called twice, as
 * FixedHiddenMLP's {@code linear}, appears twice), with its path in the tree, class name, output shape
 * and own parameter count, then the total and trainable parameter counts of the model (a shared
 * parameter counted once). Built by running the model once under no-grad with a
 * {@link CallListener}; a lazy module is initialised by that pass.
 *
 * <pre>{@code
 * System.out.println(Summary.of(net, 2, 20));
 * }</pre>
 *
 * <p>A row's path is the module's first name in the tree: a module reached under two names (D2L's
 * tied layer at {@code 2} and {@code 4}) shows its first name for both calls, and its parameters
 * as {@code (shared)} from its second call on.
 */
public final class Summary {
    /**
     * One module call: {@code path} relative to the summarised model ({@code ""} for the model itself),
     * {@code depth} (0 for the model), the class-like name, the output shape, the number of elements
     * of the module's own parameters (not its children's), and whether the module was already called
     * earlier in the pass.
     */
    public record Row(String path, int depth, String type, int[] outputShape, long ownParams, boolean repeated) {
        public Row {
            outputShape = outputShape.clone();
        }

        @Override
        public int[] outputShape() {
            return outputShape.clone();
        }
    }

    private final String modelName;
    private final int[] inputShape;
    private final List<Row> rows;
    private final long totalParams;
    private final long trainableParams;

    private Summary(String modelName, int[] inputShape, List<Row> rows, long totalParams, long trainableParams) {
        this.modelName = modelName;
        this.inputShape = inputShape;
        this.rows = List.copyOf(rows);
        this.totalParams = totalParams;
        this.trainableParams = trainableParams;
    }

    /** Summarises {@code module} by a forward pass on zeros of {@code inputShape} on the module's device. */
    public static Summary of(Module module, int... inputShape) {
        Objects.requireNonNull(module, "module");
        try (Tensor input = Tensor.zeros(deviceOf(module), inputShape)) {
            return of(module, input);
        }
    }

    /** Summarises {@code module} by a forward pass (under no-grad) on {@code input}. */
    public static Summary of(Module module, Tensor input) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(input, "input");
        Recorder recorder = new Recorder(ModuleCallStack.depth());
        try (var g = GradMode.noGrad(); var l = Module.listenCalls(recorder)) {
            Tensor out = module.call(input);
            if (out != input) {
                out.close();
            }
        }
        long total = 0;
        long trainable = 0;
        for (Parameter p : module.parameters()) {
            if (p.isInitialized()) {
                total += p.numel();
                trainable += p.requiresGrad() ? p.numel() : 0;
            }
        }
        return new Summary(module.getName(), input.shape(), recorder.rows, total, trainable);
    }

    /** The device of the module's first parameter or buffer; the CPU for a module without any. */
    private static Device deviceOf(Module module) {
        for (Parameter p : module.parameters()) {
            if (p.isInitialized()) {
                return p.device();
            }
        }
        var buffers = module.namedBuffers().values().iterator();
        return buffers.hasNext() ? buffers.next().device() : Device.cpu();
    }

    /** Records a row per call: reserved on entry (so rows are in call order), completed on exit. */
    private static final class Recorder implements CallListener {
        private final int baseDepth;
        private final List<Row> rows = new ArrayList<>();
        private final Deque<Integer> open = new ArrayDeque<>();
        private final Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());

        Recorder(int baseDepth) {
            this.baseDepth = baseDepth;
        }

        @Override
        public void enter(Module module, Tensor input) {
            boolean repeated = !seen.add(module);
            int depth = ModuleCallStack.depth() - baseDepth - 1;
            open.push(rows.size());
            rows.add(new Row(ModuleCallStack.path(baseDepth), depth, module.getName(), new int[0], 0, repeated));
        }

        @Override
        public void exit(Module module, Tensor input, Tensor output) {
            int i = open.pop();
            Row r = rows.get(i);
            long own = 0;
            for (Parameter p : module.ownParameters().values()) {
                own += p.isInitialized() ? p.numel() : 0;
            }
            rows.set(i, new Row(r.path(), r.depth(), module.getName(), output == null ? new int[0] : output.shape(), own, r.repeated()));
        }
    }

    public List<Row> rows() {
        return rows;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Elements of all parameters of the model, each parameter object once. */
    public long totalParams() {
        return totalParams;
    }

    /** Elements of the parameters that require grad. */
    public long trainableParams() {
        return trainableParams;
    }

    public long nonTrainableParams() {
        return totalParams - trainableParams;
    }

    /** The table, torchinfo-like: path (indented by depth), type, output shape, parameters; then totals. */
    @Override
    public String toString() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"Module", "Type", "Output shape", "Params"});
        for (Row r : rows) {
            String path = r.path().isEmpty() ? "(root)" : r.path();
            cells.add(new String[] {"  ".repeat(r.depth()) + path, r.type(), Shapes.format(r.outputShape()),
                    r.repeated() ? "(shared)" : String.format(Locale.ROOT, "%,d", r.ownParams())});
        }
        int[] width = new int[4];
        for (String[] c : cells) {
            for (int j = 0; j < 4; j++) {
                width[j] = Math.max(width[j], c[j].length());
            }
        }
        int total = width[0] + width[1] + width[2] + width[3] + 6;
        StringBuilder sb = new StringBuilder();
        sb.append(modelName).append(" summary for input of shape ").append(Shapes.format(inputShape)).append('\n');
        String rule = "=".repeat(total) + "\n";
        sb.append(rule);
        for (int i = 0; i < cells.size(); i++) {
            String[] c = cells.get(i);
            sb.append(pad(c[0], width[0])).append("  ").append(pad(c[1], width[1])).append("  ")
                    .append(pad(c[2], width[2])).append("  ").append(padLeft(c[3], width[3]));
            sb.setLength(stripEnd(sb));
            sb.append('\n');
            if (i == 0) {
                sb.append(rule);
            }
        }
        sb.append(rule);
        sb.append(String.format(Locale.ROOT, "Total params: %,d", totalParams)).append('\n');
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d", trainableParams)).append('\n');
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d", nonTrainableParams())).append('\n');
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(w - s.length()) + s;
    }

    private static int stripEnd(StringBuilder sb) {
        int n = sb.length();
        while (n > 0 && sb.charAt(n - 1) == ' ') {
            n--;
        }
        return n;
    }
}
