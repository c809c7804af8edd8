package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.Storage;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GEMM on both paths (cuBLAS where libcublas.so.12 loads, and Cairn's own kernel) against a host
 * reference: every transpose combination, awkward sizes, leading dimensions larger than the rows,
 * offsets, batches with a broadcast operand, and the bias + ReLU epilogue. Skipped without a GPU.
 */
class CudaGemmGpuTest {
    static final CudaBackend B = Gpu.BACKEND;
    static final int[] SIZES = {1, 7, 33, 257};

    static void assumePath(GemmPath path) {
        Gpu.assume();
        if (path == GemmPath.CUBLAS) {
            Assumptions.assumeTrue(B.gemmPath(0) == GemmPath.CUBLAS,
                    "cuBLAS path not in use here: " + B.availability().reason());
        }
    }

    /** A random operand of logical shape [rows, cols] per batch, stored with padding, an offset and the flag. */
    record Operand(float[] data, GemmOperand op, int rows, int cols) implements AutoCloseable {
        static Operand random(Random rnd, int batch, int rows, int cols, boolean transposed, int pad, int offset,
                              boolean broadcastBatch) {
            int ld = (transposed ? rows : cols) + pad;
            int perBatch = (transposed ? cols : rows) * ld;
            int batchStride = broadcastBatch ? 0 : perBatch + 3;
            int size = offset + (broadcastBatch ? perBatch : batch * (perBatch + 3));
            float[] data = new float[size];
            for (int i = 0; i < size; i++) {
                data[i] = (float) rnd.nextGaussian();
            }
            Storage s = B.upload(0, data, 0, size);
            return new Operand(data, new GemmOperand(s, offset, ld, transposed, batchStride), rows, cols);
        }

        float get(int b, int i, int j) {
            int base = op.offset() + b * op.batchStride();
            return op.transposed() ? data[base + j * op.ld() + i] : data[base + i * op.ld() + j];
        }

        @Override
        public void close() {
            op.storage().close();
        }
    }

    static void run(GemmPath path, Random rnd, int batch, int m, int n, int k, boolean ta, boolean tb, int pad,
                    boolean bias, boolean relu, boolean broadcastB) {
        try (Operand a = Operand.random(rnd, batch, m, k, ta, pad, 5, false);
             Operand b = Operand.random(rnd, batch, k, n, tb, pad, 2, broadcastB)) {
            int ldc = n + pad;
            int cBatch = m * ldc + 1;
            int cSize = 4 + batch * cBatch;
            float[] biasData = new float[n + 1];
            for (int j = 0; j < biasData.length; j++) {
                biasData[j] = (float) rnd.nextGaussian();
            }
            float[] sentinel = new float[cSize];
            java.util.Arrays.fill(sentinel, 12345f);
            try (Storage c = B.upload(0, sentinel, 0, cSize); Storage bs = B.upload(0, biasData, 0, biasData.length)) {
                Epilogue ep = new Epilogue(bias ? bs : null, 1, relu);
                B.gemm(path, batch, m, n, k, a.op(), b.op(), new GemmOperand(c, 4, ldc, false, cBatch), ep);
                float[] got = new float[cSize];
                B.download(c, 0, got, 0, cSize);
                String what = path + " batch=" + batch + " m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb
                        + " pad=" + pad + " bias=" + bias + " relu=" + relu + " broadcastB=" + broadcastB;
                boolean[] written = new boolean[cSize];
                for (int bt = 0; bt < batch; bt++) {
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double sum = 0;
                            double abs = 0;
                            for (int kk = 0; kk < k; kk++) {
                                double p = (double) a.get(bt, i, kk) * b.get(bt, kk, j);
                                sum += p;
                                abs += Math.abs(p);
                            }
                            if (bias) {
                                sum += biasData[1 + j];
                                abs += Math.abs(biasData[1 + j]);
                            }
                            if (relu) {
                                sum = Math.max(sum, 0);
                            }
                            int at = 4 + bt * cBatch + i * ldc + j;
                            written[at] = true;
                            double err = Math.abs(got[at] - sum);
                            if (!(err <= 1e-4 * abs + 1e-5)) {
                                throw new AssertionError(what + ": C[" + bt + "][" + i + "][" + j + "] expected " + sum
                                        + " got " + got[at]);
                            }
                        }
                    }
                }
                for (int i = 0; i < cSize; i++) {
                    if (!written[i] && got[i] != 12345f) {
                        throw new AssertionError(what + ": wrote outside C at flat index " + i + " (" + got[i] + ")");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(GemmPath.class)
    void allTransposesAndAwkwardSizes(GemmPath path) {
        assumePath(path);
        Random rnd = new Random(11);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int m : SIZES) {
                    for (int n : SIZES) {
                        for (int k : SIZES) {
                            int pad = (m + n + k) % 3;  // minimal and padded leading dimensions
                            run(path, rnd, 1, m, n, k, ta, tb, pad, false, false, false);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(GemmPath.class)
    void epilogueAndBatches(GemmPath path) {
        assumePath(path);
        Random rnd = new Random(12);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                run(path, rnd, 1, 33, 257, 7, ta, tb, 1, true, true, false);
                run(path, rnd, 1, 64, 20, 20, ta, tb, 0, true, false, false);
                run(path, rnd, 1, 7, 33, 257, ta, tb, 2, false, true, false);
                run(path, rnd, 3, 33, 7, 33, ta, tb, 1, true, true, false);
                run(path, rnd, 4, 17, 9, 40, ta, tb, 0, false, false, true);  // B shared by every batch
            }
        }
        run(path, rnd, 2, 5, 6, 0, false, false, 0, true, true, false);  // k = 0: C = relu(bias)
    }

    @ParameterizedTest
    @EnumSource(GemmPath.class)
    void largeEnoughForTheBigTiles(GemmPath path) {
        assumePath(path);
        Random rnd = new Random(13);
        run(path, rnd, 1, 1300, 1700, 70, false, true, 0, true, true, false);
        run(path, rnd, 1, 1025, 1023, 129, true, false, 1, false, false, false);
        assertTrue(true);
    }
}
