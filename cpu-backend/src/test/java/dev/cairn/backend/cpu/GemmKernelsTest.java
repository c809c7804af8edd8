package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both CPU GEMM kernels (the Vector API one and the plain-Java one) against a straightforward
 * triple loop, for every transpose combination, awkward sizes, batches and the fused epilogue.
 */
class GemmKernelsTest {
    /** Which kernel to run. */
    enum Kernel { VECTOR, PLAIN }

    static Stream<Arguments> cases() {
        int[][] sizes = {{1, 1, 1}, {1, 256, 20}, {1, 10, 256}, {1, 5, 100}, {3, 7, 5}, {7, 31, 33}, {33, 7, 1}, {31, 33, 257},
            {257, 33, 31}, {64, 64, 64}, {100, 1023, 3}, {4, 300, 5}, {9, 513, 300}, {300, 200, 400},
            // the encoder's fused q/k/v projection at 12 tokens, batch 32: row updates of four, then two vectors
            {384, 96, 32},
            // more than one block of every kind of the Vector API kernel (MC 1032 rows; NC 256 or 512 columns; KC
            // 256 deep where cache sizes are unknown), each with a ragged last block and a last micro-tile of one
            // row and one column; the pom's small-blocks run repeats every case with blocks of 48 x 64 x 64
            {1045, 545, 260},
            // two depth blocks at KC 1024 (a 32 KiB L1 and a 1 MiB L2), three at KC 512, five at KC 256, the last
            // ragged
            {40, 70, 1100},
            // too narrow to split by columns: rows in eight parts of more than MC rows each (two row blocks per
            // part, the second ragged)
            {8300, 40, 50},
            // the same, two depth blocks at KC 1024, each part of the rows more than one block of rows (252 at that
            // depth)
            {1100, 40, 1100}};
        Stream.Builder<Arguments> b = Stream.builder();
        for (Kernel kernel : Kernel.values()) {
            for (int[] s : sizes) {
                for (int t = 0; t < 4; t++) {
                    b.add(Arguments.of(kernel, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} transA={4} transB={5}")
    @MethodSource("cases")
    void matchesReference(Kernel kernel, int m, int n, int k, boolean transA, boolean transB) {
        SplittableRandom rnd = new SplittableRandom(m * 31L + n * 7L + k);
        int batch = m * n * k < 100_000 ? 2 : 1;
        int lda = (transA ? m : k) + 3;
        int ldb = (transB ? k : n) + 1;
        int aRows = transA ? k : m;
        int bRows = transB ? n : k;
        float[] a = random(rnd, batch * aRows * lda + 5);
        float[] b = random(rnd, batch * bRows * ldb + 2);
        float[] bias = random(rnd, n + 1);
        for (int epi = 0; epi < 3; epi++) {
            Epilogue e = switch (epi) {
                case 0 -> Epilogue.NONE;
                case 1 -> new Epilogue(new CpuStorage(bias), 1, false);
                default -> new Epilogue(new CpuStorage(bias), 0, true);
            };
            float[] c = new float[batch * m * n];
            java.util.Arrays.fill(c, Float.NaN);
            GemmOperand ga = new GemmOperand(new CpuStorage(a), 5, lda, transA, aRows * lda);
            // one batch: B's batch stride 0, as a Linear weight has (the path that may use a cached transpose)
            GemmOperand gb = new GemmOperand(new CpuStorage(b), 2, ldb, transB, batch == 1 ? 0 : bRows * ldb);
            GemmOperand gc = new GemmOperand(new CpuStorage(c), 0, n, false, m * n);
            if (kernel == Kernel.VECTOR) {
                VectorGemm.gemm(batch, m, n, k, ga, gb, gc, e);
            } else {
                BlockedGemm.gemm(batch, m, n, k, ga, gb, gc, e);
            }
            for (int bi = 0; bi < batch; bi++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want = 0;
                        for (int p = 0; p < k; p++) {
                            float av = transA ? a[5 + bi * aRows * lda + p * lda + i] : a[5 + bi * aRows * lda + i * lda + p];
                            float bv = transB ? b[2 + bi * bRows * ldb + j * ldb + p] : b[2 + bi * bRows * ldb + p * ldb + j];
                            want += (double) av * bv;
                        }
                        if (e.bias() != null) {
                            want += bias[e.biasOffset() + j];
                        }
                        if (e.relu()) {
                            want = Math.max(want, 0);
                        }
                        float got = c[bi * m * n + i * n + j];
                        assertEquals(want, got, 1e-4 * (1 + Math.abs(want)) * Math.max(1, Math.sqrt(k)),
                                "batch " + bi + " [" + i + ", " + j + "] epilogue " + epi);
                    }
                }
            }
        }
    }

    /**
     * A weight multiplied again and again (B shared by the batch, unchanged): the first product notes it, the
     * second packs it whole into its storage's cache and the later ones read that copy; each gives the same
     * bits as the first, and a write to the weight (its version moves on) or another region of it is seen. With
     * one to four rows the same holds for the cached dense transpose.
     */
    @ParameterizedTest(name = "m={0} n={1} k={2} transB={3}")
    @org.junit.jupiter.params.provider.CsvSource({
        // q/k/v of a 256-wide encoder: split by columns while B is packed per call, by rows once it is cached
        "128, 768, 256, true", "128, 768, 256, false",
        "130, 100, 600, true", "130, 100, 600, false", // two or more depth blocks at KC 256 or 512, a ragged panel
        "130, 100, 1100, true", "130, 100, 1100, false", // two depth blocks at KC 1024 (the last ragged), rows split
        "40, 545, 260, true", "13, 33, 49, false",     // more than one column block, split by columns; one thread
        "200, 300, 100, true", "200, 300, 100, false", // shallower than a depth block: panels of its own depth
        "3, 256, 20, true", "1, 10, 256, true",        // batch 1-4: row updates over the cached transpose, or dots
        "1, 256, 20, true", "1, 40, 37, true"})        // batch 1: the first product from the weight itself
    void repeatedProductsWithOneWeightReadItsPackedCopyAndSeeWrites(int m, int n, int k, boolean transB) {
        SplittableRandom rnd = new SplittableRandom(m * 131L + n * 17L + k);
        int lda = k + 2;
        int ldb = (transB ? k : n) + 3;
        float[] a = random(rnd, m * lda);
        float[] b = random(rnd, 2 * (transB ? n : k) * ldb + 4);
        float[] bias = random(rnd, n);
        CpuStorage bs = new CpuStorage(b);
        GemmOperand ga = new GemmOperand(new CpuStorage(a), 0, lda, false, 0);
        Epilogue e = new Epilogue(new CpuStorage(bias), 0, false);
        float[] first = null;
        for (int call = 0; call < 7; call++) {
            if (call == 4) { // a write to the weight, as an optimizer step makes
                for (int i = 0; i < b.length; i += 3) {
                    b[i] = -b[i] * 0.5f;
                }
                bs.touch();
            }
            // calls 5 and 6 use the second half of the storage: another region, the same version
            int off = call >= 5 ? (transB ? n : k) * ldb + 4 : 1;
            GemmOperand gb = new GemmOperand(bs, off, ldb, transB, 0);
            float[] c = new float[m * n];
            VectorGemm.gemm(1, m, n, k, ga, gb, new GemmOperand(new CpuStorage(c), 0, n, false, 0), e);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double want = bias[j];
                    for (int p = 0; p < k; p++) {
                        want += (double) a[i * lda + p] * (transB ? b[off + j * ldb + p] : b[off + p * ldb + j]);
                    }
                    assertEquals(want, c[i * n + j], 1e-4 * (1 + Math.abs(want)) * Math.sqrt(k),
                            "call " + call + " [" + i + ", " + j + "]");
                }
            }
            if (call == 0) {
                first = c;
            } else if (call < 4) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(first, c, "call " + call + " against the first");
            }
        }
        if (m > 4) { // fewer rows run unpacked (through the cached transpose where that pays)
            org.junit.jupiter.api.Assertions.assertNotNull(bs.packed, "the weight was packed into its storage's cache");
        }
    }

    /**
     * A weight shallower than a depth block is kept in panels of its own depth (not in the block's, five to eleven
     * times its size at depth 48), and closing its storage drops the packed copy with the array.
     */
    @Test
    void shallowWeightsArePackedAtTheirDepthAndTheCopyGoesWithTheStorage() {
        int m = 64;
        int n = 512;
        int k = 48;
        SplittableRandom rnd = new SplittableRandom(48);
        CpuStorage bs = new CpuStorage(random(rnd, k * n));
        GemmOperand ga = new GemmOperand(new CpuStorage(random(rnd, m * k)), 0, k, false, 0);
        GemmOperand gb = new GemmOperand(bs, 0, n, false, 0);
        for (int call = 0; call < 2; call++) { // the first notes the weight, the second packs it
            VectorGemm.gemm(1, m, n, k, ga, gb, new GemmOperand(new CpuStorage(new float[m * n]), 0, n, false, 0),
                    Epilogue.NONE);
        }
        org.junit.jupiter.api.Assertions.assertNotNull(bs.packed.data(), "packed on its second use");
        int packedFloats = bs.packed.data().length;
        assertTrue(packedFloats <= 1.05 * k * n, "packed copy of a " + k + " x " + n + " weight: " + packedFloats
                + " floats");
        bs.close();
        assertNull(bs.packed, "the packed copy outlived its closed storage");
    }

    /**
     * The default blocking follows the caches Linux reports: depth 512 with a 48 KiB L1 (Zen 5) and B blocks of half
     * of L2; depth 1024 with a 32 KiB L1 and a 1 MiB L2 (Zen 4), each B block as wide as fills half of L2 at its
     * depth, up to 16 panels, and each block of A's rows no larger than 1,032 rows at depth 256; depth 256 where
     * the sizes are unknown or L2 is small.
     */
    @Test
    void defaultBlockingFollowsTheCaches() {
        int panels16 = 16 * VectorGemm.NR;
        assertEquals(512, VectorGemm.defaultKc(48 << 10, 1 << 20));
        assertEquals(Math.min(panels16, 256), VectorGemm.defaultNc(1 << 20, 512));
        assertEquals(1024, VectorGemm.defaultKc(32 << 10, 1 << 20));
        assertEquals(panels16, VectorGemm.defaultNc(1 << 20, 1024));
        assertEquals(256, VectorGemm.defaultKc(32 << 10, 512 << 10));
        assertEquals(Math.min(panels16, 256), VectorGemm.defaultNc(512 << 10, 256));
        assertEquals(256, VectorGemm.defaultKc(-1, -1));
        assertEquals(panels16, VectorGemm.defaultNc(-1, 256));
        // with deep blocks each block's width follows its depth: half of a 1 MiB L2 is 131072 floats
        int nr = VectorGemm.NR;
        assertEquals(131072 / 1024 / nr * nr, VectorGemm.blockColumns(1024, 131072, panels16));
        assertEquals(panels16, VectorGemm.blockColumns(64, 131072, panels16));
        assertEquals(Math.min(panels16, 131072 / 600 / nr * nr), VectorGemm.blockColumns(600, 131072, panels16));
        assertEquals(2 * nr, VectorGemm.blockColumns(1 << 20, 131072, panels16), "at least two panels");
        assertEquals(panels16, VectorGemm.blockColumns(1024, 0, panels16), "L2 unknown or NC set: NC");
        // and its rows: no more floats than 1032 rows at depth 256
        int mr = VectorGemm.MR;
        assertEquals(1032 * 256 / 1024 / mr * mr, VectorGemm.blockRows(1024, true, 1032));
        assertEquals(1032, VectorGemm.blockRows(256, true, 1032));
        assertEquals(1032, VectorGemm.blockRows(1024, false, 1032), "KC 512 or less, or MC set: MC");
        assertEquals(mr, VectorGemm.blockRows(1 << 20, true, 1032), "at least one panel");
    }

    /**
     * The parts of a split: contiguous, covering every panel once, never smaller than the minimum except a last
     * part where fewer panels are left, and never growing (the large ones go first).
     */
    @ParameterizedTest(name = "panels={0} threads={1} min={2}")
    @org.junit.jupiter.params.provider.CsvSource({"86, 2, 2", "342, 2, 2", "11, 2, 2", "1, 2, 2", "5, 4, 1",
        "692, 16, 2", "3, 2, 4"})
    void guidedPartsCoverEveryPanelOnceLargestFirst(int panels, int threads, int min) {
        int[] starts = VectorGemm.guidedParts(panels, threads, min);
        assertEquals(0, starts[0]);
        assertEquals(panels, starts[starts.length - 1]);
        for (int p = 0; p + 1 < starts.length; p++) {
            int size = starts[p + 1] - starts[p];
            org.junit.jupiter.api.Assertions.assertTrue(size >= Math.min(min, panels - starts[p]) && size > 0,
                    "part " + p + " of " + java.util.Arrays.toString(starts));
            if (p > 0) {
                org.junit.jupiter.api.Assertions.assertTrue(size <= starts[p] - starts[p - 1],
                        "part " + p + " larger than the one before: " + java.util.Arrays.toString(starts));
            }
        }
        // the first part is 1/(2 x threads) of the panels, so every thread starts with work of its own
        assertEquals(Math.min(panels, Math.max(min, (panels + 2 * threads - 1) / (2 * threads))), starts[1]);
        // 86 panels on 2 threads: 22, 16, 12, 9, 7, 5, 4, 3, 2, 2, 2, 2
        if (panels == 86 && threads == 2 && min == 2) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    new int[] {0, 22, 38, 50, 59, 66, 71, 75, 78, 80, 82, 84, 86}, starts);
        }
    }

    /** An empty inner dimension: C is the epilogue of zero (the bias once, then ReLU), as in PyTorch. */
    @org.junit.jupiter.api.Test
    void emptyInnerDimensionGivesTheBiasOnce() {
        float[] bias = {1.5f, -2f, 0.25f};
        float[] c = new float[2 * 3];
        java.util.Arrays.fill(c, Float.NaN);
        GemmKernels.gemm(1, 2, 3, 0, new GemmOperand(new CpuStorage(new float[1]), 0, 1, false, 0),
                new GemmOperand(new CpuStorage(new float[1]), 0, 3, false, 0),
                new GemmOperand(new CpuStorage(c), 0, 3, false, 6), new Epilogue(new CpuStorage(bias), 0, false));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 1.5f, -2f, 0.25f}, c);
        GemmKernels.gemm(1, 2, 3, 0, new GemmOperand(new CpuStorage(new float[1]), 0, 1, false, 0),
                new GemmOperand(new CpuStorage(new float[1]), 0, 3, false, 0),
                new GemmOperand(new CpuStorage(c), 0, 3, false, 6), new Epilogue(new CpuStorage(bias), 0, true));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1.5f, 0f, 0.25f, 1.5f, 0f, 0.25f}, c);
    }

    /**
     * Batch-1 dot products take the outputs four at a time and the rest one by one: an output must get the same
     * bits in a group of four as alone, so that a layer's output does not depend on how many outputs it has.
     */
    @Test
    void aDotProductGivesTheSameBitsInAGroupOfFourAsAlone() {
        SplittableRandom rnd = new SplittableRandom(11);
        int k = 100; // six whole vectors of 16 (twelve of 8) and a tail
        int n = 6; // dots, not row updates, at 8 or 16 lanes: a group of four, then two alone
        float[] a = random(rnd, k);
        float[] w = random(rnd, n * k);
        float[] bias = random(rnd, n);
        Epilogue e = new Epilogue(new CpuStorage(bias), 0, false);
        GemmOperand ga = new GemmOperand(new CpuStorage(a), 0, k, false, 0);
        GemmOperand gw = new GemmOperand(new CpuStorage(w), 0, k, true, 0);
        float[] all = new float[n];
        VectorGemm.gemm(1, 1, n, k, ga, gw, new GemmOperand(new CpuStorage(all), 0, n, false, 0), e);
        for (int j = 0; j < n; j++) { // output j alone: a one-row weight at row j
            float[] one = new float[1];
            VectorGemm.gemm(1, 1, 1, k, ga, new GemmOperand(new CpuStorage(w), j * k, k, true, 0),
                    new GemmOperand(new CpuStorage(one), 0, 1, false, 0), new Epilogue(new CpuStorage(bias), j, false));
            assertEquals(Float.floatToIntBits(all[j]), Float.floatToIntBits(one[0]), "output " + j);
        }
    }

    /**
     * A batch-1 row with a bias and ReLU: the same bits as the product without them followed by
     * {@link EpilogueRow} over the stored row, for widths that end in a whole vector or in a masked one, with B
     * as [k, n] and as [n, k] (a weight: its first product and a later one from the cached transpose).
     */
    @ParameterizedTest(name = "n={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {10, 16, 20, 32, 40, 64, 70})
    void aRowWithBiasAndReluGivesTheBitsOfTheProductThenTheEpilogue(int n) {
        SplittableRandom rnd = new SplittableRandom(n);
        int k = 24;
        float[] a = random(rnd, k);
        float[] bias = random(rnd, n + 3);
        GemmOperand ga = new GemmOperand(new CpuStorage(a), 0, k, false, 0);
        for (boolean transB : new boolean[] {false, true}) {
            GemmOperand gb = new GemmOperand(new CpuStorage(random(rnd, n * k)), 0, transB ? k : n, transB, 0);
            for (int call = 0; call < 3; call++) { // for B as [n, k]: noted, then copied, then from the copy
                float[] plain = new float[n];
                VectorGemm.gemm(1, 1, n, k, ga, gb, new GemmOperand(new CpuStorage(plain), 0, n, false, 0),
                        Epilogue.NONE);
                EpilogueRow.apply(plain, 0, n, bias, 3, true);
                float[] fused = new float[n];
                VectorGemm.gemm(1, 1, n, k, ga, gb, new GemmOperand(new CpuStorage(fused), 0, n, false, 0),
                        new Epilogue(new CpuStorage(bias), 3, true));
                for (int j = 0; j < n; j++) {
                    assertEquals(Float.floatToIntBits(plain[j]), Float.floatToIntBits(fused[j]),
                            "transB=" + transB + " call " + call + " output " + j);
                }
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
