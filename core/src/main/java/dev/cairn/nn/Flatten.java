package dev.cairn.nn;

import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * Merges dimensions {@code startDim..endDim} (inclusive, negative counts from the end) into one, like
 * {@code torch.nn.Flatten}; the default {@code Flatten()} keeps the batch dimension: {@code [N, C, H, W]}
 * becomes {@code [N, C*H*W]}. A view when the layout allows, else a copy.
 */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    /** {@code Flatten(1, -1)}, PyTorch's default. */
    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    public int startDim() {
        return startDim;
    }

    public int endDim() {
        return endDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return flatten(input, startDim, endDim);
    }

    /** {@code input} with dimensions {@code startDim..endDim} merged, like {@code torch.flatten(input, start, end)}. */
    public static Tensor flatten(Tensor input, int startDim, int endDim) {
        int[] s = input.shape();
        int start = Shapes.wrapDim("flatten", startDim, s.length);
        int end = Shapes.wrapDim("flatten", endDim, s.length);
        if (start > end) {
            throw new ShapeException("flatten: start_dim (" + startDim + ") cannot come after end_dim (" + endDim
                    + ") for a tensor of shape " + Shapes.format(s));
        }
        if (s.length == 0) {
            return input.reshape(1);
        }
        if (start == end) {
            return input;
        }
        int[] out = new int[s.length - (end - start)];
        int k = 0;
        for (int i = 0; i < start; i++) {
            out[k++] = s[i];
        }
        int merged = 1;
        for (int i = start; i <= end; i++) {
            merged *= s[i];
        }
        out[k++] = merged;
        for (int i = end + 1; i < s.length; i++) {
            out[k++] = s[i];
        }
        return input.reshape(out);
    }

    @Override
    public String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
