package dev.cairn.tensor;

import dev.cairn.backend.StridedView;
import java.util.Arrays;

/**
 * Helpers for shapes and strides: element counts, broadcasting, dimension wrapping, sliding-window output
 * sizes, formatting.
 */
public final class Shapes {
    private Shapes() {
    }

    /** Number of elements of a shape (1 for a 0-dim scalar); rejects negative or overflowing sizes. */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new ShapeException("negative dimension " + d + " in shape " + format(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new ShapeException("shape " + format(shape) + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    /** Row-major (C-order) strides of a shape. */
    public static int[] contiguousStrides(int[] shape) {
        return StridedView.contiguousStrides(shape);
    }

    /** Whether the strides describe a dense row-major layout of the shape. */
    public static boolean isContiguous(int[] shape, int[] strides) {
        return StridedView.isContiguous(shape, strides);
    }

    /** The shape of a 0-dim tensor, shared: a body's shape array is never written (see {@code TensorBody}). */
    static final int[] SCALAR = new int[0];

    /**
     * Whether two shapes are equal: the same array (bodies of one layout share theirs) or the same sizes. A
     * plain loop: shapes are short, and {@code Arrays.equals} costs more than the comparison on the per-op path.
     */
    static boolean same(int[] a, int[] b) {
        if (a == b) {
            return true;
        }
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /** NumPy/PyTorch broadcast of two shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da == db || db == 1) {
                out[i] = da;
            } else if (da == 1) {
                out[i] = db;
            } else {
                throw new ShapeException(op + ": shapes " + format(a) + " and " + format(b)
                        + " cannot be broadcast together (dimension " + i + ": " + da + " vs " + db + ")");
            }
        }
        return out;
    }

    /** Strides that view a tensor of {@code shape}/{@code strides} as the larger broadcast shape {@code target}. */
    public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        int[] out = new int[target.length];
        int shift = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            int src = i - shift;
            out[i] = src < 0 || shape[src] == 1 ? 0 : strides[src];
        }
        return out;
    }

    /** Wraps a possibly negative dimension index into [0, rank). */
    public static int wrapDim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new ShapeException(op + ": dimension " + dim + " out of range for a tensor of rank " + rank
                    + " (expected in [" + (-r) + ", " + (r - 1) + "])");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** PyTorch-like text of a shape: {@code [2, 20]}. */
    /**
     * Positions of a sliding window along one dimension, as PyTorch computes them for convolution and
     * pooling: floor, or with {@code ceilMode} ceil, where the last window must still start inside the input
     * or its left padding. An error naming {@code op} when the window does not fit the padded input.
     */
    public static int windowOutputSize(String op, int in, int kernel, int stride, int pad, int dilation,
                                       boolean ceilMode) {
        int span = dilation * (kernel - 1) + 1;
        int avail = in + 2 * pad - span;
        if (avail < 0) {
            throw new ShapeException(op + ": the window (kernel " + kernel + ", dilation " + dilation
                    + ") is larger than the padded input (" + in + " + 2*" + pad + ")");
        }
        int out = (ceilMode ? (avail + stride - 1) / stride : avail / stride) + 1;
        if (ceilMode && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    public static String format(int[] shape) {
        return Arrays.toString(shape);
    }
}
