package dev.cairn.backend.cpu;

import dev.cairn.backend.StridedView;

/**
 * The lines of a strided operand along one dimension (every index of the other dimensions names one line):
 * how many there are, their length, the step between a line's elements and where line {@code r} starts
 * (random access, so that row kernels can split the lines across threads). Immutable; thread-safe.
 */
final class Lines {
    final int count;
    final int length;
    final int step;
    private final int offset;
    private final int[] outerShape;
    private final int[] outerStrides;

    private Lines(int offset, int[] shape, int[] strides, int dim) {
        int r = shape.length;
        this.offset = offset;
        this.length = shape[dim];
        this.step = strides[dim];
        this.outerShape = new int[r - 1];
        this.outerStrides = new int[r - 1];
        int c = 1;
        for (int i = 0, j = 0; i < r; i++) {
            if (i != dim) {
                outerShape[j] = shape[i];
                outerStrides[j++] = strides[i];
                c *= shape[i];
            }
        }
        this.count = c;
    }

    /** The lines of {@code v} along {@code dim}. */
    static Lines of(StridedView v, int dim) {
        return new Lines(v.offset(), v.shape(), v.strides(), dim);
    }

    /** The lines of a dense row-major array of {@code shape} from element 0 along {@code dim}. */
    static Lines dense(int[] shape, int dim) {
        return new Lines(0, shape, StridedView.contiguousStrides(shape), dim);
    }

    /** The storage offset of the first element of line {@code r}. */
    int start(int r) {
        int off = offset;
        for (int d = outerShape.length - 1; d >= 0; d--) {
            int n = outerShape[d];
            off += (r % n) * outerStrides[d];
            r /= n;
        }
        return off;
    }

    /**
     * Runs {@code body} over the lines {@code [from, to)} of each part, in parallel on the CPU pool when the
     * work ({@code count * length} elements) is large enough to pay for the hand-off.
     */
    void parallel(Range body) {
        parallel(count, (long) count * Math.max(length, 1), body);
    }

    /**
     * Runs {@code body} over {@code [0, count)} split into one contiguous range per part, in parallel on the
     * CPU pool when {@code work} (elements touched in all) gives each part at least {@link #PARALLEL_ELEMENTS};
     * on the caller in one range otherwise.
     */
    static void parallel(int count, long work, Range body) {
        int parts = parts(count, work);
        if (parts <= 1) {
            body.run(0, count);
            return;
        }
        CpuThreads.parallel(parts, (part, ps) -> {
            int from = (int) ((long) count * part / ps);
            int to = (int) ((long) count * (part + 1) / ps);
            body.run(from, to);
        });
    }

    /** How many parts {@link #parallel(int, long, Range)} splits {@code count} items of {@code work} elements into. */
    static int parts(int count, long work) {
        return (int) Math.max(1, Math.min(Math.min(CpuThreads.cores(), count), work / PARALLEL_ELEMENTS));
    }

    /** Elements a part should have at least before the lines are split across threads. */
    static final int PARALLEL_ELEMENTS = 32_768;

    /** A loop over the lines {@code [from, to)}. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }
}
