import dev.cairn.autograd.GradMode;
import dev.cairn.nn.F;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.Arrays;

/**
 * What the seed MLP's batch-1 forward and its parts cost through the public API, and what an op costs with
 * nothing to compute: the model, `F.linear` of its two layers, `F.relu`, `add` of two [1, 1] tensors, an empty
 * `TensorScope` with `GradMode.noGrad()`, `F.linear` of [1, 1] and [1, 8] inputs and a [1, 8] x [8, 8] matmul,
 * each inside its own no-grad scope. Each figure is the median ns per call over blocks of 100 calls whose
 * following throughput loop (ContentionProbe's) stayed under LOOP_LIMIT_US (blocks the host left quiet); one
 * warm-up pass over all of them first. Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms4g -Xmx4g -XX:+AlwaysPreTouch \
 *       -cp "samples/target/cairn-samples.jar:samples/target/lib/*" scripts/OpCost.java LOOP_LIMIT_US
 */
public class OpCost {
    /** median ns per call over 100-call blocks run while the probe loop is under limitUs */
    static String measure(String name, Runnable r, double limitUs, int seconds) {
        long[] t = new long[1 << 22]; int n = 0, kept = 0, blocks = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long[] blk = new long[100];
        while (System.nanoTime() < end) {
            for (int c = 0; c < 100; c++) { long t0 = System.nanoTime(); r.run(); blk[c] = System.nanoTime() - t0; }
            double l = HostLoad.throughputLoopMicros(); blocks++;
            if (l < limitUs && n + 100 < t.length) { System.arraycopy(blk, 0, t, n, 100); n += 100; kept++; }
        }
        Arrays.sort(t, 0, n);
        return String.format("%-10s %7.1f ns (kept %d of %d blocks)", name, n == 0 ? -1.0 : t[n / 2] / 1.0, kept, blocks);
    }
    public static void main(String[] a) {
        double limit = Double.parseDouble(a[0]);
        Models.Spec spec = Models.get("mlp");
        Module m = spec.create(); m.eval();
        Tensor x = spec.sampleInput(new Generator(0), 1);
        var p = m.stateDict();
        Tensor w1 = p.get("hidden.weight"), b1 = p.get("hidden.bias"), w2 = p.get("out.weight"), b2 = p.get("out.bias");
        Tensor h;
        try (var g = GradMode.noGrad()) { h = F.relu(F.linear(x, w1, b1)); }
        Tensor s1 = Tensor.ones(1, 1), s2 = Tensor.ones(1, 1);
        Runnable model = () -> { try (var g = GradMode.noGrad(); var s = TensorScope.open()) { m.call(x); } };
        Runnable lin1 = () -> { try (var g = GradMode.noGrad(); var s = TensorScope.open()) { F.linear(x, w1, b1); } };
        Runnable lin1r = () -> { try (var g = GradMode.noGrad(); var s = TensorScope.open()) { F.linearRelu(x, w1, b1); } };
        Runnable lin2 = () -> { try (var g = GradMode.noGrad(); var s = TensorScope.open()) { F.linear(h, w2, b2); } };
        Runnable relu = () -> { try (var g = GradMode.noGrad(); var s = TensorScope.open()) { F.relu(h); } };
        Runnable add = () -> { try (var g = GradMode.noGrad(); var s = TensorScope.open()) { s1.add(s2); } };
        Tensor tx = Tensor.ones(1, 1), tw = Tensor.ones(1, 1), tb = Tensor.ones(1);
        Tensor tx8 = Tensor.ones(1, 8), tw8 = Tensor.ones(8, 8), tb8 = Tensor.ones(8);
        Runnable tiny = () -> { try (var g = GradMode.noGrad(); var s = TensorScope.open()) { F.linear(tx, tw, tb); } };
        Runnable tiny8 = () -> { try (var g = GradMode.noGrad(); var s = TensorScope.open()) { F.linear(tx8, tw8, tb8); } };
        Runnable mm8 = () -> { try (var g = GradMode.noGrad(); var s = TensorScope.open()) { tx8.matmul(tw8); } };
        Runnable scope = () -> { try (var g = GradMode.noGrad(); var s = TensorScope.open()) { } };
        for (int round = 0; round < 2; round++) {
            int sec = round == 0 ? 1 : 3;
            for (var e : new Object[][] {{"model", model}, {"linear1", lin1}, {"lin1+relu", lin1r}, {"relu", relu}, {"linear2", lin2}, {"add1x1", add}, {"scope", scope}, {"lin1x1", tiny}, {"lin8x8", tiny8}, {"mm8x8", mm8}}) {
                String r = measure((String) e[0], (Runnable) e[1], limit, sec);
                if (round == 1) System.out.println(r);
            }
        }
    }
}
