package dev.cairn.serve;

import dev.cairn.Device;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Concatenation of request rows along dimension 0 and splitting of outputs back, through the public
 * tensor API only. It is the one place to switch to {@code Tensor.cat(0, ...)} and {@code narrow} once
 * core has them (then the split outputs can stay on the device).
 */
final class RowBatches {
    private RowBatches() {
    }

    /** {@code parts} (same trailing shape and dtype) stacked along dimension 0, on {@code device}. */
    static Tensor cat(List<Tensor> parts, Device device) {
        int[] shape = parts.get(0).shape();
        int rows = 0;
        int numel = 0;
        for (Tensor p : parts) {
            rows += p.size(0);
            numel += p.numel();
        }
        float[] all = new float[numel];
        int at = 0;
        for (Tensor p : parts) {
            float[] d = p.toFloatArray();
            System.arraycopy(d, 0, all, at, d.length);
            at += d.length;
        }
        shape[0] = rows;
        return Tensor.of(device, all, shape);
    }

    /** {@code batch} cut along dimension 0 into pieces of {@code rowCounts} rows, as host tensors. */
    static List<Tensor> split(Tensor batch, int[] rowCounts) {
        int[] shape = batch.shape();
        float[] all = batch.toFloatArray();
        int perRow = shape[0] == 0 ? 0 : all.length / shape[0];
        List<Tensor> out = new ArrayList<>(rowCounts.length);
        int at = 0;
        for (int rows : rowCounts) {
            float[] part = new float[rows * perRow];
            System.arraycopy(all, at, part, 0, part.length);
            at += part.length;
            int[] s = shape.clone();
            s[0] = rows;
            out.add(Tensor.of(part, s));
        }
        return out;
    }

    /** A host copy of {@code t}. */
    static Tensor toHost(Tensor t) {
        return Tensor.of(t.toFloatArray(), t.shape());
    }
}
