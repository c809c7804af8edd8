package dev.cairn.backend;

import dev.cairn.tensor.Shapes;

/**
 * The operand of a kernel: elements of {@code storage} at {@code offset + sum(index[i] * strides[i])}
 * for each index within {@code shape}. Broadcast operands have stride 0 along broadcast dimensions.
 */
public record StridedView(Storage storage, int offset, int[] shape, int[] strides) {

    /** A dense row-major view of the whole shape starting at {@code offset}. */
    public static StridedView contiguous(Storage storage, int offset, int[] shape) {
        return new StridedView(storage, offset, shape, Shapes.contiguousStrides(shape));
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return Shapes.numel(shape);
    }

    public boolean isContiguous() {
        return Shapes.isContiguous(shape, strides);
    }
}
