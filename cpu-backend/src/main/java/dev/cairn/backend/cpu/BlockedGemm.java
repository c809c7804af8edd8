package dev.cairn.backend.cpu;

import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;

/**
 * Cache-blocked, packed float32 GEMM in plain Java: {@code C = op(A) @ op(B)} then the epilogue.
 * Transposed operands are read through their layout while packing blocks, never copied whole.
 * Large products are split by rows (or columns) across the CPU pool; small ones stay on the caller.
 */
final class BlockedGemm {
    /** Depth of a packed block (elements of K). */
    private static final int KC = 256;
    /** Width of a packed B panel (elements of N). */
    private static final int NC = 512;
    /** Products below this many multiply-adds run on the calling thread. */
    private static final long PARALLEL_THRESHOLD = 1L << 18;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(
            () -> new float[][] {new float[KC * NC], new float[KC], new float[NC]});

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
        float[][] buf = BUFFERS.get();
        float[] packedB = buf[0];
        float[] aRow = buf[1];
        float[] acc = buf[2];
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(bd, bOff, b.ld(), b.transposed(), pc, kc, jc, nc, packedB);
                boolean first = pc == 0;
                for (int i = i0; i < i1; i++) {
                    packARow(ad, aOff, a.ld(), a.transposed(), i, pc, kc, aRow);
                    int cRow = cOff + i * ldc + jc;
                    if (first) {
                        java.util.Arrays.fill(acc, 0, nc, 0f);
                    } else {
                        System.arraycopy(cd, cRow, acc, 0, nc);
                    }
                    rowKernel(aRow, kc, packedB, nc, acc);
                    System.arraycopy(acc, 0, cd, cRow, nc);
                }
            }
            if (!epi.isNone()) {
                applyEpilogue(cd, cOff, ldc, i0, i1, jc, nc, epi);
            }
        }
        if (k == 0) {
            for (int i = i0; i < i1; i++) {
                java.util.Arrays.fill(cd, cOff + i * ldc + j0, cOff + i * ldc + j1, 0f);
            }
            if (!epi.isNone()) {
                applyEpilogue(cd, cOff, ldc, i0, i1, j0, j1 - j0, epi);
            }
        }
    }

    /** acc[0..nc) += sum over p of aRow[p] * packedB[p, 0..nc). Kept small so the JIT compiles it well. */
    private static void rowKernel(float[] aRow, int kc, float[] packedB, int nc, float[] acc) {
        for (int p = 0; p < kc; p++) {
            float av = aRow[p];
            int base = p * nc;
            for (int j = 0; j < nc; j++) {
                acc[j] = Math.fma(av, packedB[base + j], acc[j]);
            }
        }
    }

    private static void packB(float[] bd, int off, int ld, boolean transposed, int pc, int kc, int jc, int nc,
                              float[] out) {
        if (!transposed) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(bd, off + (pc + p) * ld + jc, out, p * nc, nc);
            }
        } else {
            for (int j = 0; j < nc; j++) {
                int src = off + (jc + j) * ld + pc;
                for (int p = 0; p < kc; p++) {
                    out[p * nc + j] = bd[src + p];
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
            int row = cOff + i * ldc + jc;
            for (int j = 0; j < nc; j++) {
                float v = cd[row + j];
                if (bias != null) {
                    v += bias[bOff + j];
                }
                if (relu && !(v > 0) && v == v) {
                    v = 0f;
                }
                cd[row + j] = v;
            }
        }
    }
}
