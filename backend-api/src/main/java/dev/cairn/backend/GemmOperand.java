package dev.cairn.backend;

/**
 * One matrix operand of a (batched) row-major GEMM: element {@code [i, j]} of batch {@code b} of
 * the logical matrix is at {@code offset + b * batchStride + i * ld + j} when {@code transposed}
 * is false, and at {@code offset + b * batchStride + j * ld + i} when it is true. A transposed
 * operand is therefore a flag, never a copy. {@code batchStride} 0 repeats the same matrix.
 */
public record GemmOperand(Storage storage, int offset, int ld, boolean transposed, int batchStride) {
}
