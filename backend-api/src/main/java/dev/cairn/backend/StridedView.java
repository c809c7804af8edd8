package dev.cairn.backend;

/**
 * The operand of a kernel: elements of {@code storage} at {@code offset + sum(index[i] * strides[i])}
 * for each index within {@code shape}. Broadcast operands have stride 0 along broadcast dimensions.
 * Core has checked the shape (no negative sizes, fewer than 2^31 elements) before a view reaches a kernel.
 */
public record StridedView(Storage storage, int offset, int[] shape, int[] strides) {

    private static final int[] NO_DIMENSIONS = new int[0];

    /** A dense row-major view of the whole shape starting at {@code offset}. */
    public static StridedView contiguous(Storage storage, int offset, int[] shape) {
        return new StridedView(storage, offset, shape, contiguousStrides(shape));
    }

    /** Row-major (C-order) strides of a shape; dimensions of size 0 count as 1. */
    public static int[] contiguousStrides(int[] shape) {
        if (shape.length == 0) {
            return NO_DIMENSIONS; // a 0-dim tensor's: empty, so one array serves them all
        }
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Whether the strides describe a dense row-major layout of the shape (strides of size-1 dimensions are free). */
    public static boolean isContiguous(int[] shape, int[] strides) {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    public int rank() {
        return shape.length;
    }

    /** The number of elements the view covers. */
    public int numel() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public boolean isContiguous() {
        return isContiguous(shape, strides);
    }
}
