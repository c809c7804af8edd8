package dev.cairn.spark;

import dev.cairn.autograd.GradMode;
import dev.cairn.io.ModuleFiles;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.nio.file.Path;
import java.util.Arrays;

/** What Cairn computes in one process, without Spark: the values the Spark results must equal. */
final class Reference {
    private Reference() {
    }

    /** The registered model {@code name} with {@code weights}, run on {@code rows} in batches of {@code batch} on the CPU. */
    static float[][] score(String name, Path weights, float[][] rows, int batch) {
        Module net = Models.get(name).create().eval();
        ModuleFiles.load(net, weights);
        int w = rows[0].length;
        float[][] out = new float[rows.length][];
        try (GradMode.Scope ng = GradMode.noGrad()) {
            for (int i = 0; i < rows.length; i += batch) {
                int n = Math.min(batch, rows.length - i);
                float[] x = new float[n * w];
                for (int r = 0; r < n; r++) {
                    System.arraycopy(rows[i + r], 0, x, r * w, w);
                }
                try (TensorScope scope = TensorScope.open()) {
                    float[] y = net.call(Tensor.of(x, n, w)).toFloatArray();
                    int k = y.length / n;
                    for (int r = 0; r < n; r++) {
                        out[i + r] = Arrays.copyOfRange(y, r * k, (r + 1) * k);
                    }
                }
            }
        }
        return out;
    }

    /** PyTorch's argmax: the first maximum. */
    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
