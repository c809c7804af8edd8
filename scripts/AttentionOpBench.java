import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
/**
 * The fused attention op alone ({@code Tensor.scaledDotProductAttention}) at the encoder's shapes: [1, 4, 128, D/4]
 * query, key and value as one [1, 128, D] tensor viewed per head, with a [1, 1, 1, 128] additive mask, without it,
 * and on contiguous heads; fastest of 3,000 calls, four times. D = 32 is encoder-seq128's layer, 256 encoder-large's.
 * Usage (see BENCHMARKS.md):
 *
 *   java -Xms4g -Xmx4g -XX:+AlwaysPreTouch -Dcairn.cpu.threads=1 --add-modules jdk.incubator.vector \
 *       -cp "samples/target/cairn-samples.jar:samples/target/lib/*" scripts/AttentionOpBench.java D
 */
public class AttentionOpBench {
    public static void main(String[] a) {
        int b = 1, t = 128, d = Integer.parseInt(a[0]), h = 4, hd = d / 4;
        try (var g = GradMode.noGrad()) {
            Tensor x = Tensor.randn(b, t, d);
            Tensor q = x.reshape(b, t, h, hd).transpose(1, 2);
            Tensor qc = q.contiguous();
            Tensor mask = Tensor.zeros(b, 1, 1, t);
            for (int r = 0; r < 4; r++) {
                time("sdpa mask view", () -> q.scaledDotProductAttention(q, q, mask, 0.125f));
                time("sdpa nomask view", () -> q.scaledDotProductAttention(q, q, null, 0.125f));
                time("sdpa nomask contig", () -> qc.scaledDotProductAttention(qc, qc, null, 0.125f));
            }
        }
    }
    static void time(String name, Runnable op) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3000; i++) {
            long t = System.nanoTime();
            try (var s = TensorScope.open()) { op.run(); }
            best = Math.min(best, System.nanoTime() - t);
        }
        System.out.printf("%s: best %.1f us%n", name, best / 1e3);
    }
}
