package dev.cairn.backend.cpu;

/**
 * Walks the rows (all dimensions but the last) of up to three strided operands of one shape in row-major
 * order, keeping each operand's offset of the current row. Kernels loop over the last dimension themselves.
 *
 * <p>Dimensions that both operands lay out as one run are merged first (as PyTorch's TensorIterator
 * coalesces them), so a {@code [N, C, 8, 8]} view whose last two dimensions are dense is walked in rows
 * of 64, not 8, and size-1 dimensions cost nothing. Row {@code r} of the merged walk is element row
 * {@code r * rowLength()} of the row-major order either way. {@link #seek} starts at any row, so that
 * kernels can split the rows across threads; one cursor is for one thread.
 */
final class RowCursor {
    private final int[] shape;
    private final int[] stridesA;
    private final int[] stridesB;
    private final int[] stridesC;
    private final int[] index;
    private final int outer;
    private final int startA;
    private final int startB;
    private final int startC;
    /** Offset of the current row in operand A, B and C. */
    int offsetA;
    int offsetB;
    int offsetC;

    RowCursor(int[] shape, int offsetA, int[] stridesA, int offsetB, int[] stridesB) {
        this(shape, offsetA, stridesA, offsetB, stridesB, 0, null);
    }

    /** A walk of three operands; {@code stridesB} and {@code stridesC} may be null (operands not walked). */
    RowCursor(int[] shape, int offsetA, int[] stridesA, int offsetB, int[] stridesB, int offsetC, int[] stridesC) {
        // merge from the innermost dimension outwards: d joins the run to its right when both operands
        // step over that run exactly by their stride of d
        int r = shape.length;
        int[] s = new int[Math.max(r, 1)];
        int[] sa = new int[s.length];
        int[] sb = stridesB == null ? null : new int[s.length];
        int[] sc = stridesC == null ? null : new int[s.length];
        int m = 0; // merged dimensions so far, stored innermost first
        for (int d = r - 1; d >= 0; d--) {
            int n = shape[d];
            if (n == 1 && m > 0) {
                continue; // a size-1 dimension never moves the offsets
            }
            if (m > 0 && stridesA[d] == sa[m - 1] * s[m - 1]
                    && (stridesB == null || stridesB[d] == sb[m - 1] * s[m - 1])
                    && (stridesC == null || stridesC[d] == sc[m - 1] * s[m - 1])) {
                s[m - 1] *= n;
                continue;
            }
            s[m] = n;
            sa[m] = stridesA[d];
            if (sb != null) {
                sb[m] = stridesB[d];
            }
            if (sc != null) {
                sc[m] = stridesC[d];
            }
            m++;
        }
        if (m == 0) { // a 0-dim operand: one row of one element
            s[0] = 1;
            m = 1;
        }
        // back to outermost-first order
        this.shape = new int[m];
        this.stridesA = new int[m];
        this.stridesB = stridesB == null ? null : new int[m];
        this.stridesC = stridesC == null ? null : new int[m];
        for (int i = 0; i < m; i++) {
            this.shape[i] = s[m - 1 - i];
            this.stridesA[i] = sa[m - 1 - i];
            if (sb != null) {
                this.stridesB[i] = sb[m - 1 - i];
            }
            if (sc != null) {
                this.stridesC[i] = sc[m - 1 - i];
            }
        }
        this.startA = offsetA;
        this.startB = offsetB;
        this.startC = offsetC;
        this.offsetA = offsetA;
        this.offsetB = offsetB;
        this.offsetC = offsetC;
        this.index = new int[m - 1];
        int rows = 1;
        for (int i = 0; i < m - 1; i++) {
            rows *= this.shape[i];
        }
        boolean empty = false;
        for (int n : shape) {
            empty |= n == 0;
        }
        this.outer = empty ? 0 : rows; // no elements: no rows, whatever the merge made of the sizes
    }

    /** Number of rows. */
    int rows() {
        return outer;
    }

    /** Length of each row (1 for a 0-dim operand). */
    int rowLength() {
        return shape[shape.length - 1];
    }

    /** Stride of the last dimension of operand A. */
    int innerStrideA() {
        return stridesA[shape.length - 1];
    }

    int innerStrideB() {
        return stridesB == null ? 0 : stridesB[shape.length - 1];
    }

    int innerStrideC() {
        return stridesC == null ? 0 : stridesC[shape.length - 1];
    }

    /** Moves to row {@code row} (0-based, at most {@link #rows()}). */
    void seek(int row) {
        int a = startA;
        int b = startB;
        int c = startC;
        for (int d = index.length - 1; d >= 0; d--) {
            int n = shape[d];
            int i = row % n;
            row /= n;
            index[d] = i;
            a += i * stridesA[d];
            if (stridesB != null) {
                b += i * stridesB[d];
            }
            if (stridesC != null) {
                c += i * stridesC[d];
            }
        }
        offsetA = a;
        offsetB = b;
        offsetC = c;
    }

    /** Moves to the next row. */
    void next() {
        for (int d = index.length - 1; d >= 0; d--) {
            index[d]++;
            offsetA += stridesA[d];
            if (stridesB != null) {
                offsetB += stridesB[d];
            }
            if (stridesC != null) {
                offsetC += stridesC[d];
            }
            if (index[d] < shape[d]) {
                return;
            }
            offsetA -= stridesA[d] * shape[d];
            if (stridesB != null) {
                offsetB -= stridesB[d] * shape[d];
            }
            if (stridesC != null) {
                offsetC -= stridesC[d] * shape[d];
            }
            index[d] = 0;
        }
    }
}
