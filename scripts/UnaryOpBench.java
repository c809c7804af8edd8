import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Elementwise unary ops on one dense float tensor ([1, 128, N / 128], normal values; log and sqrt on their
 * absolute values), no grad: per op the median microseconds per call over BUDGET_MS of calls, after a first
 * unprinted pass over all ops for the JIT. Prints one line per op, `op us`, for `scripts/unary_ops.py` (which
 * runs it beside PyTorch's same ops). Usage:
 *
 *   java --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/UnaryOpBench.java [N=131072] [BUDGET_MS=500]
 */
public class UnaryOpBench {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 131_072;
        long budgetMs = args.length > 1 ? Long.parseLong(args[1]) : 500;
        try (var ng = GradMode.noGrad()) {
            Tensor x = TensorScope.forget(Tensor.randn(new Generator(3), 1, 128, n / 128));
            Tensor positive = TensorScope.forget(x.abs().add(1e-3f));
            Map<String, UnaryOperator<Tensor>> ops = new LinkedHashMap<>();
            ops.put("exp", t -> x.exp());
            ops.put("log", t -> positive.log());
            ops.put("sqrt", t -> positive.sqrt());
            ops.put("sin", t -> x.sin());
            ops.put("cos", t -> x.cos());
            ops.put("erf", t -> x.erf());
            ops.put("tanh", t -> x.tanh());
            ops.put("sigmoid", t -> x.sigmoid());
            ops.put("gelu", t -> x.gelu());
            ops.put("gelu_tanh", t -> x.gelu("tanh"));
            ops.put("relu", t -> x.relu());
            for (int pass = 0; pass < 2; pass++) {
                for (Map.Entry<String, UnaryOperator<Tensor>> e : ops.entrySet()) {
                    double us = medianUs(e.getValue(), pass == 0 ? budgetMs / 2 : budgetMs);
                    if (pass == 1) {
                        System.out.printf("%s %.2f%n", e.getKey(), us);
                    }
                }
            }
        }
    }

    private static double medianUs(UnaryOperator<Tensor> op, long budgetMs) {
        long[] t = new long[1 << 16];
        int calls = 0;
        long end = System.nanoTime() + budgetMs * 1_000_000L;
        while (System.nanoTime() < end && calls < t.length) {
            try (var scope = TensorScope.open()) {
                long t0 = System.nanoTime();
                op.apply(null);
                t[calls++] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(t, 0, calls);
        return t[calls / 2] / 1e3;
    }
}
