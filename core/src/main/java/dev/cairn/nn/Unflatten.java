package dev.cairn.nn;

import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * Splits dimension {@code dim} into {@code sizes}, like {@code torch.nn.Unflatten}: {@code Unflatten(1, 1, 28, 28)}
 * turns {@code [N, 784]} into {@code [N, 1, 28, 28]}. One size may be -1 (inferred). A view when the
 * layout allows, else a copy.
 */
public class Unflatten extends Module {
    private final int dim;
    private final int[] sizes;

    public Unflatten(int dim, int... sizes) {
        if (sizes.length == 0) {
            throw new ShapeException("Unflatten: unflattened_size must be non-empty");
        }
        int inferred = 0;
        for (int v : sizes) {
            if (v == -1) {
                inferred++;
            } else if (v < 0) {
                throw new ShapeException("Unflatten: invalid size " + v + " in unflattened_size " + PyRepr.tuple(sizes));
            }
        }
        if (inferred > 1) {
            throw new ShapeException("Unflatten: only one size may be -1, got unflattened_size " + PyRepr.tuple(sizes));
        }
        this.dim = dim;
        this.sizes = sizes.clone();
    }

    public int dim() {
        return dim;
    }

    public int[] sizes() {
        return sizes.clone();
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] s = input.shape();
        if (s.length == 0) {
            throw new ShapeException("Unflatten: cannot unflatten a 0-dim tensor");
        }
        int d = Shapes.wrapDim("Unflatten", dim, s.length);
        long known = 1;
        int free = -1;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] == -1) {
                free = i;
            } else {
                known *= sizes[i];
            }
        }
        int[] split = sizes.clone();
        if (free >= 0) {
            if (known == 0 || s[d] % known != 0) {
                throw new ShapeException("Unflatten: cannot split dimension " + d + " of size " + s[d] + " of a tensor of shape "
                        + Shapes.format(s) + " into " + PyRepr.tuple(sizes));
            }
            split[free] = (int) (s[d] / known);
        } else if (known != s[d]) {
            throw new ShapeException("Unflatten: unflattened_size " + PyRepr.tuple(sizes) + " must multiply to the size "
                    + s[d] + " of dimension " + d + " of the input of shape " + Shapes.format(s) + ", but multiplies to " + known);
        }
        int[] out = new int[s.length - 1 + split.length];
        int k = 0;
        for (int i = 0; i < d; i++) {
            out[k++] = s[i];
        }
        for (int v : split) {
            out[k++] = v;
        }
        for (int i = d + 1; i < s.length; i++) {
            out[k++] = s[i];
        }
        return input.reshape(out);
    }

    @Override
    public String extraRepr() {
        return "dim=" + dim + ", unflattened_size=" + PyRepr.tuple(sizes);
    }
}
