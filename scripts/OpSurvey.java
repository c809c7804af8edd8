import dev.cairn.autograd.GradMode;
import dev.cairn.DType;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A survey of single ops on a [64, 2048] float tensor (reductions, normalisations, elementwise, comparisons,
 * masking, data movement), no grad: per op the median microseconds per call over 400 ms, after a first pass over
 * all ops for the JIT. Prints `op us` per line, for `scripts/op_survey.py` (which runs PyTorch's same ops beside
 * it). Usage:
 *
 *   java -Xms2g -Xmx2g --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" \
 *       scripts/OpSurvey.java
 */
public class OpSurvey {
    public static void main(String[] args) {
        try (var ng = GradMode.noGrad()) {
            Generator g = new Generator(1);
            Tensor x = TensorScope.forget(Tensor.randn(g, 64, 2048));
            Tensor y = TensorScope.forget(Tensor.randn(g, 64, 2048));
            Tensor row = TensorScope.forget(Tensor.randn(g, 2048));
            Tensor col = TensorScope.forget(Tensor.randn(g, 64, 1));
            Tensor mask = TensorScope.forget(x.gt(0f));
            Tensor w = TensorScope.forget(Tensor.ones(2048));
            Tensor b = TensorScope.forget(Tensor.zeros(2048));
            Tensor idx = TensorScope.forget(Tensor.of(new float[] {3, 1, 60, 7, 0, 5, 9, 33}, 8).to(DType.INT64));
            Tensor gidx = TensorScope.forget(Tensor.rand(g, 64, 16).mul(2047f).to(DType.INT64));
            Map<String, Supplier<Tensor>> ops = new LinkedHashMap<>();
            ops.put("sum_last", () -> x.sum(-1, false));
            ops.put("sum_first", () -> x.sum(0, false));
            ops.put("mean_last", () -> x.mean(-1, false));
            ops.put("amax_last", () -> x.amax(-1, false));
            ops.put("argmax_last", () -> x.argmax(-1, false));
            ops.put("max_all", () -> x.max());
            ops.put("sum_all", () -> x.sum());
            ops.put("softmax", () -> x.softmax(-1));
            ops.put("log_softmax", () -> x.logSoftmax(-1));
            ops.put("layer_norm", () -> x.layerNorm(new int[] {2048}, w, b, 1e-5f));
            ops.put("var_last", () -> x.var(-1, 1, false));
            ops.put("cumsum_last", () -> x.cumsum(-1));
            ops.put("norm_last", () -> x.norm(2f, -1, false));
            ops.put("add", () -> x.add(y));
            ops.put("add_row", () -> x.add(row));
            ops.put("mul_col", () -> x.mul(col));
            ops.put("where", () -> Tensor.where(mask, x, y));
            ops.put("masked_fill", () -> x.maskedFill(mask, 0f));
            ops.put("clamp", () -> x.clamp(-0.5f, 0.5f));
            ops.put("pow3", () -> x.pow(3f));
            ops.put("square", () -> x.square());
            ops.put("rsqrt", () -> x.abs().rsqrt());
            ops.put("silu", () -> x.silu());
            ops.put("softplus", () -> x.softplus(1f));
            ops.put("leaky_relu", () -> x.leakyRelu(0.01f));
            ops.put("gt", () -> x.gt(y));
            ops.put("logical_and", () -> mask.logicalAnd(mask));
            ops.put("transpose_contig", () -> x.transpose(0, 1).contiguous());
            ops.put("cat0", () -> Tensor.cat(0, x, y));
            ops.put("cat1", () -> Tensor.cat(1, x, y));
            ops.put("index_select0", () -> x.indexSelect(0, idx));
            ops.put("gather1", () -> x.gather(1, gidx));
            ops.put("flip_last", () -> x.flip(-1));
            ops.put("roll_last", () -> x.roll(5, -1));
            ops.put("tril", () -> x.tril(0));
            ops.put("repeat", () -> x.repeat(2, 1));
            ops.put("sign", () -> x.sign());
            ops.put("reciprocal", () -> x.reciprocal());
            for (int pass = 0; pass < 2; pass++) {
                for (var e : ops.entrySet()) {
                    long[] t = new long[1 << 15]; int n = 0;
                    long end = System.nanoTime() + (pass == 0 ? 150 : 400) * 1_000_000L;
                    while (System.nanoTime() < end && n < t.length) {
                        try (var s = TensorScope.open()) { long t0 = System.nanoTime(); e.getValue().get(); t[n++] = System.nanoTime() - t0; }
                    }
                    Arrays.sort(t, 0, n);
                    if (pass == 1) System.out.printf("%s %.2f%n", e.getKey(), t[n / 2] / 1e3);
                }
            }
        }
    }
}
