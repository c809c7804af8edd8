package dev.cairn.backend.cpu;

/**
 * Walks the rows (all dimensions but the last) of up to two strided operands in row-major order,
 * keeping each operand's offset of the current row. Kernels loop over the last dimension themselves.
 */
final class RowCursor {
    private final int[] shape;
    private final int[] stridesA;
    private final int[] stridesB;
    private final int[] index;
    private final int outer;
    /** Offset of the current row in operand A and B. */
    int offsetA;
    int offsetB;

    RowCursor(int[] shape, int offsetA, int[] stridesA, int offsetB, int[] stridesB) {
        this.shape = shape;
        this.stridesA = stridesA;
        this.stridesB = stridesB;
        this.offsetA = offsetA;
        this.offsetB = offsetB;
        int r = Math.max(shape.length - 1, 0);
        this.index = new int[r];
        int rows = 1;
        for (int i = 0; i < r; i++) {
            rows *= shape[i];
        }
        this.outer = rows;
    }

    /** Number of rows. */
    int rows() {
        return outer;
    }

    /** Length of each row (1 for a 0-dim operand). */
    int rowLength() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    /** Stride of the last dimension of operand A (0 for a 0-dim operand). */
    int innerStrideA() {
        return shape.length == 0 ? 0 : stridesA[shape.length - 1];
    }

    int innerStrideB() {
        return shape.length == 0 || stridesB == null ? 0 : stridesB[shape.length - 1];
    }

    /** Moves to the next row. */
    void next() {
        for (int d = index.length - 1; d >= 0; d--) {
            index[d]++;
            offsetA += stridesA[d];
            if (stridesB != null) {
                offsetB += stridesB[d];
            }
            if (index[d] < shape[d]) {
                return;
            }
            offsetA -= stridesA[d] * shape[d];
            if (stridesB != null) {
                offsetB -= stridesB[d] * shape[d];
            }
            index[d] = 0;
        }
    }
}
