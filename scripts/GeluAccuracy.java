import dev.cairn.tensor.*;
import dev.cairn.backend.UnaryOp;
/**
 * Exact GELU through the public API against {@code UnaryOp.gelu} in double over [-14, 14): the largest relative
 * error above and below x = -3, and the best time of 2,000 calls on 200,000 elements. Usage (see BENCHMARKS.md):
 *
 *   java -Dcairn.cpu.threads=1 -Xms2g -Xmx2g --add-modules jdk.incubator.vector \
 *       -cp "samples/target/cairn-samples.jar:samples/target/lib/*" scripts/GeluAccuracy.java
 */
public class GeluAccuracy {
  public static void main(String[] a) {
    int n = 200000;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = -14f + 28f * i / n;
    float[] y = Tensor.of(x, n).gelu().toFloatArray();
    double worst = 0, worstAt = 0, worstTail = 0, tailAt = 0;
    for (int i = 0; i < n; i++) {
      double want = UnaryOp.gelu(x[i]);
      if (want == 0) continue;
      double rel = Math.abs(y[i] - want) / Math.abs(want);
      if (Math.abs(want) < 1e-30) continue;
      if (x[i] < -3) { if (rel > worstTail) { worstTail = rel; tailAt = x[i]; } }
      else if (rel > worst) { worst = rel; worstAt = x[i]; }
    }
    System.out.printf("max rel err x>=-3: %.3g at %g; tail x<-3: %.3g at %g%n", worst, worstAt, worstTail, tailAt);
    long t0 = System.nanoTime();
    Tensor big = Tensor.of(x, n);
    double best = 1e18;
    for (int r = 0; r < 2000; r++) { long t1 = System.nanoTime(); try (var s = TensorScope.open()) { big.gelu(); } best = Math.min(best, System.nanoTime() - t1); }
    System.out.printf("gelu %d elems best %.1f us%n", n, best / 1e3);
  }
}
