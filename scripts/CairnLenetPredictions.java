import dev.cairn.autograd.GradMode;
import dev.cairn.data.ArrayDataset;
import dev.cairn.data.FashionMnist;
import dev.cairn.io.ModuleFiles;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.nio.file.*;

/** Loads a PyTorch-trained lenet state dict into Cairn's lenet, predicts the test set, compares with torch's classes. */
public class CairnLenetPredictions {
    public static void main(String[] a) throws Exception {
        Module m = Models.get("lenet").create();
        ModuleFiles.load(m, Path.of(a[0]), true);
        m.eval();
        ArrayDataset test = FashionMnist.test(Path.of("/usr/share/datasets/fashion-mnist"));
        long[] torchPred = readNpyInt64(Path.of(a[1]));
        int n = test.size(), agree = 0, correct = 0;
        int batch = 500;
        float[] xs = new float[batch * 784];
        float[] ys = new float[1];
        try (var g = GradMode.noGrad()) {
            for (int start = 0; start < n; start += batch) {
                int b = Math.min(batch, n - start);
                for (int i = 0; i < b; i++) {
                    test.copyFeatures(start + i, xs, i * 784);
                }
                try (var s = TensorScope.open()) {
                    long[] pred = m.call(Tensor.of(java.util.Arrays.copyOf(xs, b * 784), b, 1, 28, 28)).argmax(1, false)
                            .toLongArray();
                    for (int i = 0; i < b; i++) {
                        test.copyTarget(start + i, ys, 0);
                        agree += pred[i] == torchPred[start + i] ? 1 : 0;
                        correct += pred[i] == (long) ys[0] ? 1 : 0;
                    }
                }
            }
        }
        System.out.printf("cairn test accuracy %.2f%% (%d/%d); same class as PyTorch for %d of %d images%n",
                100.0 * correct / n, correct, n, agree, n);
    }

    static long[] readNpyInt64(Path p) throws Exception {
        byte[] b = Files.readAllBytes(p);
        int headerLen = (b[8] & 0xFF) | ((b[9] & 0xFF) << 8);
        var buf = java.nio.ByteBuffer.wrap(b, 10 + headerLen, b.length - 10 - headerLen).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[buf.remaining() / 8];
        buf.asLongBuffer().get(out);
        return out;
    }
}
