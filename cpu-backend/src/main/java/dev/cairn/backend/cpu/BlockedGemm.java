package dev.cairn.backend.cpu;

import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import java.util.Arrays;

/**
 * Cache-blocked, packed float32 GEMM in plain Java (the path without the Vector API):
 * {@code C = op(A) @ op(B)} then the epilogue. B blocks are packed into one array per row and four
 * rows of A are computed together, so the inner loop indexes every array by the same {@code j}: that
 * is the form C2 can prove free of aliasing and turn into vector FMAs. Transposed operands are read
 * through their layout while packing, never copied whole. Large products are split by rows (or
 * columns) across the CPU pool; small ones stay on the caller.
 */
final class BlockedGemm {
    /** Depth of a packed block (elements of K). */
    private static final int KC = 256;
    /** Width of a packed B panel (elements of N). */
    private static final int NC = 512;
    /** Rows of A computed together. */
    private static final int MR = 4;
    /** Products below this many multiply-adds run on the calling thread. */
    private static final long PARALLEL_THRESHOLD = 1L << 18;

    /** Per-thread packing and accumulator buffers. */
    private static final class Buffers {
        final float[][] packedB = new float[KC][NC];
        final float[][] aRows = new float[MR][KC];
        final float[][] acc = new float[MR][NC];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private BlockedGemm() {
    }

    static void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epi) {
        long work = (long) batch * m * n * k;
        int threads = work < PARALLEL_THRESHOLD ? 1 : CpuThreads.cores();
        if (batch >= threads) {
            CpuThreads.parallel(threads, (part, parts) -> {
                for (int bi = part; bi < batch; bi += parts) {
                    tile(bi, 0, m, 0, n, k, a, b, c, epi);
                }
            });
        } else if (m >= n) {
            CpuThreads.parallel(Math.min(threads, m), (part, parts) -> {
                int lo = (int) ((long) m * part / parts);
                int hi = (int) ((long) m * (part + 1) / parts);
                for (int bi = 0; bi < batch; bi++) {
                    tile(bi, lo, hi, 0, n, k, a, b, c, epi);
                }
            });
        } else {
            CpuThreads.parallel(Math.min(threads, n), (part, parts) -> {
                int lo = (int) ((long) n * part / parts);
                int hi = (int) ((long) n * (part + 1) / parts);
                for (int bi = 0; bi < batch; bi++) {
                    tile(bi, 0, m, lo, hi, k, a, b, c, epi);
                }
            });
        }
    }

    /** Computes rows [i0, i1) x columns [j0, j1) of batch {@code bi}. */
    private static void tile(int bi, int i0, int i1, int j0, int j1, int k,
                             GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epi) {
        float[] ad = ((CpuStorage) a.storage()).data;
        float[] bd = ((CpuStorage) b.storage()).data;
        float[] cd = ((CpuStorage) c.storage()).data;
        int aOff = a.offset() + bi * a.batchStride();
        int bOff = b.offset() + bi * b.batchStride();
        int cOff = c.offset() + bi * c.batchStride();
        int ldc = c.ld();
        Buffers buf = BUFFERS.get();
        if (k == 0) {
            for (int i = i0; i < i1; i++) {
                Arrays.fill(cd, cOff + i * ldc + j0, cOff + i * ldc + j1, 0f);
            }
        }
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(bd, bOff, b.ld(), b.transposed(), pc, kc, jc, nc, buf.packedB);
                boolean first = pc == 0;
                for (int i = i0; i < i1; i += MR) {
                    int rows = Math.min(MR, i1 - i);
                    for (int r = 0; r < MR; r++) {
                        float[] row = buf.aRows[r];
                        if (r < rows) {
                            packARow(ad, aOff, a.ld(), a.transposed(), i + r, pc, kc, row);
                        } else {
                            Arrays.fill(row, 0, kc, 0f);
                        }
                        float[] acc = buf.acc[r];
                        if (first || r >= rows) {
                            Arrays.fill(acc, 0, nc, 0f);
                        } else {
                            System.arraycopy(cd, cOff + (i + r) * ldc + jc, acc, 0, nc);
                        }
                    }
                    kernel(buf.aRows, kc, buf.packedB, nc, buf.acc);
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(buf.acc[r], 0, cd, cOff + (i + r) * ldc + jc, nc);
                    }
                }
            }
            if (!epi.isNone()) {
                applyEpilogue(cd, cOff, ldc, i0, i1, jc, nc, epi);
            }
        }
    }

    /** acc[r][0..nc) += sum over p of aRows[r][p] * packedB[p][0..nc), for four rows at once. */
    private static void kernel(float[][] aRows, int kc, float[][] packedB, int nc, float[][] acc) {
        float[] c0 = acc[0];
        float[] c1 = acc[1];
        float[] c2 = acc[2];
        float[] c3 = acc[3];
        float[] r0 = aRows[0];
        float[] r1 = aRows[1];
        float[] r2 = aRows[2];
        float[] r3 = aRows[3];
        for (int p = 0; p < kc; p++) {
            float[] bRow = packedB[p];
            float a0 = r0[p];
            float a1 = r1[p];
            float a2 = r2[p];
            float a3 = r3[p];
            for (int j = 0; j < nc; j++) {
                float bv = bRow[j];
                c0[j] = Math.fma(a0, bv, c0[j]);
                c1[j] = Math.fma(a1, bv, c1[j]);
                c2[j] = Math.fma(a2, bv, c2[j]);
                c3[j] = Math.fma(a3, bv, c3[j]);
            }
        }
    }

    private static void packB(float[] bd, int off, int ld, boolean transposed, int pc, int kc, int jc, int nc,
                              float[][] out) {
        if (!transposed) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(bd, off + (pc + p) * ld + jc, out[p], 0, nc);
            }
        } else {
            for (int j = 0; j < nc; j++) {
                int src = off + (jc + j) * ld + pc;
                for (int p = 0; p < kc; p++) {
                    out[p][j] = bd[src + p];
                }
            }
        }
    }

    private static void packARow(float[] ad, int off, int ld, boolean transposed, int i, int pc, int kc, float[] out) {
        if (!transposed) {
            System.arraycopy(ad, off + i * ld + pc, out, 0, kc);
        } else {
            for (int p = 0; p < kc; p++) {
                out[p] = ad[off + (pc + p) * ld + i];
            }
        }
    }

    private static void applyEpilogue(float[] cd, int cOff, int ldc, int i0, int i1, int jc, int nc, Epilogue epi) {
        float[] bias = epi.bias() == null ? null : ((CpuStorage) epi.bias()).data;
        int bOff = epi.biasOffset() + jc;
        boolean relu = epi.relu();
        for (int i = i0; i < i1; i++) {
            EpilogueRow.apply(cd, cOff + i * ldc + jc, nc, bias, bOff, relu);
        }
    }
}
