package dev.cairn.backend.cpu;

import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, register-blocked, cache-blocked float32 GEMM on the Java Vector API (the preferred species: 512-bit with
 * AVX-512). A is packed into MR-row panels, B into NR-column panels; an MR x NR micro-kernel (12 rows x 2 vectors, or
 * 3 x 3 where the CPU has 16 vector registers) keeps its accumulators in registers. The loops keep a KC x NC block of
 * packed B in L2 and one MR x KC panel of packed A in L1 (where L1 is small, in L2: see {@link #KC}) while the
 * micro-kernel sweeps the B block's panels; a block of up to MC rows of A is packed once per K block and each B block
 * once per MC rows, so for products up to MC rows both operands are packed exactly once. Split across threads by rows
 * where there are enough of them ({@link #splitByRows}): each thread runs those loops on its own rows against the
 * whole of B. Otherwise by columns: each block of MC rows of A is packed whole once, by all threads, and the columns
 * go in more parts than threads, all reading that one copy. Transposed operands are read through their layout while
 * packing, never copied whole. Products with few rows (batch-1 inference) skip packing and run as vectorized dot
 * products or row updates on the calling thread. The epilogue (bias, ReLU) is applied while the last K block is
 * stored. Stateless apart from per-thread packing buffers, so safe to call from any number of threads.
 */
final class VectorGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Whether the micro-kernel is the one for 32 vector registers (12 rows x 2 vectors: 24 accumulators, two B
     * vectors and the broadcast A) or the one for 16 (3 rows x 3 vectors: 9 accumulators, three B vectors, the
     * broadcast A). On x86 without AVX-512 (16 ymm registers) the 12 x 2 kernel ran at 47-59 GFLOP/s on one core
     * and a 6 x 2 one at 45-50, spilling; 3 x 3 at 96-101 ({@code -XX:UseAVX=2} on a Zen 4, BENCHMARKS.md). {@code
     * -Dcairn.cpu.gemm.registers=16|32} overrides {@link VectorSupport#vectorRegisters}'s guess.
     */
    private static final boolean WIDE_REGISTER_FILE =
            Integer.getInteger("cairn.cpu.gemm.registers", VectorSupport.vectorRegisters()) >= 32;
    /** Rows of the micro-kernel (see {@link #WIDE_REGISTER_FILE}). */
    static final int MR = WIDE_REGISTER_FILE ? 12 : 3;
    /** Vectors across the micro-kernel (see {@link #WIDE_REGISTER_FILE}). */
    private static final int NR_VECTORS = WIDE_REGISTER_FILE ? 2 : 3;
    /** Columns of the micro-kernel and of a packed B panel. */
    static final int NR = NR_VECTORS * L;
    /** This machine's L2 per core in bytes, from sysfs (not positive: unknown); read once for the blocking below. */
    private static final long L2_BYTES = CpuInfo.dataCacheBytes(2);
    /**
     * Depth of a packed block. 512 where the L1 data cache holds 48 KiB or more (one 24 KiB MR x KC panel of A
     * stays in L1 across a B block); 1024 where it holds less but L2 holds 1 MiB or more (a Zen 4 core: the 48 KiB
     * panel of A then comes from L2 with the B panel, and C is read and written once per 1024 of depth instead of
     * once per 256: SGEMM 1.04-1.10x at n = 1024-4096 on two threads against depth 256, two builds in one JVM,
     * BENCHMARKS.md, twelfth stop); else (cache sizes unknown, or a small L2) 256. {@code -Dcairn.cpu.gemm.kc}
     * overrides.
     */
    private static final int KC = Math.max(1, Integer.getInteger("cairn.cpu.gemm.kc",
            defaultKc(CpuInfo.dataCacheBytes(1), L2_BYTES)));
    /**
     * Most rows of A packed together (a multiple of MR): B blocks are packed once per block of rows; with the deep
     * blocks of a small L1 each block of rows as many as {@link #blockRows} says for its depth. {@code
     * -Dcairn.cpu.gemm.mc} sets it, for every block.
     */
    private static final int MC = Math.max(1, Integer.getInteger("cairn.cpu.gemm.mc", 1032) / MR) * MR;
    /** Whether blocks of rows take their height from their depth ({@link #blockRows}). */
    private static final boolean ROWS_FOLLOW_DEPTH = Integer.getInteger("cairn.cpu.gemm.mc") == null && KC > 512;
    /**
     * Most columns of a packed B block (a multiple of NR; the size of the packing buffer): with depth blocks up to
     * 512, as many as fill half of L2 with a whole block (256 columns at KC 512 with a 1 MiB L2), at most 16 panels
     * (512 columns; also where L2's size is unknown); with deeper blocks 16 panels, each block then as wide as
     * {@link #blockColumns} says for its depth. {@code -Dcairn.cpu.gemm.nc} sets it, for every block.
     */
    private static final int NC = Math.max(1, Integer.getInteger("cairn.cpu.gemm.nc",
            defaultNc(L2_BYTES, KC)) / NR) * NR;
    /** Floats in half of L2 where blocks take their width from their depth ({@link #blockColumns}), else 0. */
    private static final long HALF_L2_FLOATS = Integer.getInteger("cairn.cpu.gemm.nc") == null && KC > 512
            ? Math.max(0, L2_BYTES) / 8 : 0;
    /**
     * Distance between two packed B panels (floats): KC x NR plus a pad. A compile-time constant, so
     * that C2 can eliminate the bounds checks of the packing stores (range-check elimination needs a
     * constant scale; a panel stride of {@code kc * NR} left a compare per store). The pad (default
     * 16 floats, one cache line) keeps the NR-float rows that packB writes to successive panels off a
     * single L1 set, which a power-of-two stride (32 KiB at KC 256) would put them in.
     */
    static final int B_PANEL = KC * NR + Math.max(0, Integer.getInteger("cairn.cpu.gemm.bpad", 16));
    /** At or below this many rows the unpacked row-by-row path is used. */
    private static final int SMALL_M = 4;
    /** Below this depth the unpacked row-by-row path is used. */
    private static final int MIN_PACKED_K = 48;
    private static final long PARALLEL_THRESHOLD = 1L << 20;

    /** Row panels per thread from which a product may be split by rows ({@link #splitByRows}). */
    private static final int ROW_SPLIT_PANELS = 4;
    /** Fewest row panels in a part of a row split ({@link #guidedParts}): each part sweeps all of B. */
    private static final int ROW_PART_MIN_PANELS = Math.max(1, Integer.getInteger("cairn.cpu.gemm.rowPartMin", 2));
    /** Floats of A (1 MiB, a Zen 5 core's L2) above which a product may be split by rows. */
    private static final long ROW_SPLIT_MIN_A_FLOATS = 1L << 18;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(
            () -> new float[][] {new float[0], new float[NC / NR * B_PANEL], new float[MR * NR]});
    /**
     * Most floats of a block of A (up to MC rows, all of its depth) packed whole for the column parts of one
     * product to share (32 MiB, the size of OpenBLAS's buffer per thread): above it A is packed block by block by
     * every part. The calling thread keeps a buffer this large at most ({@link #SHARED_A}).
     */
    private static final int SHARED_A_MAX = 1 << 23;
    /** The calling thread's buffer of A packed whole, grown on demand (see {@link #SHARED_A_MAX}). */
    private static final ThreadLocal<float[][]> SHARED_A = ThreadLocal.withInitial(() -> new float[][] {new float[0]});
    /** Column parts per thread when A is packed once: parts a late worker leaves behind go to the caller. */
    private static final int PARTS_PER_THREAD = Math.max(1, Integer.getInteger("cairn.cpu.gemm.partsPerThread", 4));

    private VectorGemm() {
    }

    /** The cache blocking in use, for {@code bin/cairn devices}: "depth block 1024, 512-column B blocks". */
    static String blocking() {
        return "depth block " + KC + ", " + NC + "-column B blocks";
    }

    /** KC for an L1 data cache and an L2 of these sizes in bytes (not positive: unknown): see {@link #KC}. */
    static int defaultKc(long l1, long l2) {
        if (l1 >= 48 << 10) {
            return 512;
        }
        return l1 > 0 && l2 >= 1 << 20 ? 1024 : 256;
    }

    /**
     * Columns of a B block of depth {@code kc}: {@link #NC}, or with the deep blocks of a small L1 as many as fill
     * half of L2 with the block (128 at depth 1024 with a 1 MiB L2, 512 at depth 256 or less), from 2 to NC / NR
     * panels. Measured on a Zen 4 at KC 1024, two builds in one JVM: 128 columns at every depth made
     * encoder-seq128 at batch 32 3-6% slower than 512; at depth 1024, 128 and 512 columns gave SGEMM alike.
     */
    static int blockColumns(int kc) {
        return blockColumns(kc, HALF_L2_FLOATS, NC);
    }

    /** {@link #blockColumns(int)} for {@code halfL2} floats in half of L2 (0: always {@code most}) and NC {@code most}. */
    static int blockColumns(int kc, long halfL2, int most) {
        return halfL2 == 0 ? most : (int) Math.max(Math.min(2 * NR, most), Math.min(most, halfL2 / kc / NR * NR));
    }

    /**
     * Rows of A in a packed block whose first depth block is {@code kc} deep: {@link #MC}, or with the deep blocks
     * of a small L1 no more floats than MC rows at depth 256 (1 MiB: 252 rows at depth 1024), so that the packed
     * block stays in L2 while the kernels read it. Measured on a Zen 4, two builds in one JVM: with 1,032 rows at
     * depth 1024 (4 MiB) encoder-large at batch 32 came out 0.93-0.98x of depth 256 in four runs, with 264 rows
     * 1.00x (BENCHMARKS.md, twelfth stop).
     */
    static int blockRows(int kc) {
        return blockRows(kc, ROWS_FOLLOW_DEPTH, MC);
    }

    /** {@link #blockRows(int)} where rows follow depth or not, with MC {@code most}. */
    static int blockRows(int kc, boolean followDepth, int most) {
        return !followDepth || kc <= 256 ? most : Math.max(MR, (int) ((long) most * 256 / kc) / MR * MR);
    }

    /** NC for an L2 of {@code l2} bytes (not positive: unknown) and depth blocks of {@code kc}: see {@link #NC}. */
    static int defaultNc(long l2, int kc) {
        int most = 16 * NR;
        return l2 <= 0 || kc > 512 ? most : (int) Math.max(NR, Math.min(most, l2 / 2 / (4L * kc)));
    }

    static void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epi) {
        long work = (long) batch * m * n * k;
        int threads = work < PARALLEL_THRESHOLD ? 1 : CpuThreads.cores();
        if (m <= SMALL_M || n < NR || k < MIN_PACKED_K) {
            // few rows, a skinny output or a short depth: packing would cost more than it saves
            int parts = threads > 1 && m >= 2 * threads ? threads : 1;
            if (parts == 1) { // the batch-1 path: no closure to allocate
                for (int bi = 0; bi < batch; bi++) {
                    rowwise(bi, 0, m, n, k, a, b, c, epi);
                }
                return;
            }
            CpuThreads.parallel(parts, (part, ps) -> {
                int lo = (int) ((long) m * part / ps);
                int hi = (int) ((long) m * (part + 1) / ps);
                for (int bi = 0; bi < batch; bi++) {
                    rowwise(bi, lo, hi, n, k, a, b, c, epi);
                }
            });
            return;
        }
        // a B shared by every batch (a weight) comes packed from its storage's cache from its second use on
        float[] pre = b.batchStride() == 0
                ? PackedBCache.get((CpuStorage) b.storage(), b.offset(), b.ld(), b.transposed(), k, n, KC, NC, NR,
                        cachedPanelStride(k), BUFFERS.get()[1])
                : null;
        if (threads > 1 && batch >= threads) {
            CpuThreads.parallel(threads, (part, parts) -> {
                for (int bi = part; bi < batch; bi += parts) {
                    blocked(bi, 0, m, 0, n, k, a, b, c, epi, pre, null);
                }
            });
        } else if (threads > 1 && splitByRows(m, n, k, pre != null, threads)) {
            // rows of A and C in parts, all of B: the same loops as on one thread; parts of decreasing size, taken
            // as threads come free, so that a worker that woke late or a core the host slowed leaves the other
            // thread at most a small part to wait for
            int[] starts = guidedParts((m + MR - 1) / MR, threads, ROW_PART_MIN_PANELS);
            CpuThreads.parallel(starts.length - 1, (part, parts) -> {
                int lo = Math.min(m, starts[part] * MR);
                int hi = Math.min(m, starts[part + 1] * MR);
                for (int bi = 0; bi < batch; bi++) {
                    blocked(bi, lo, hi, 0, n, k, a, b, c, epi, pre, null);
                }
            });
        } else if (threads > 1 && paddedA(Math.min(m, MC), k) <= SHARED_A_MAX) {
            // each block of up to MC rows of A packed once, its rows split across the threads, then the columns
            // in more parts than threads (each reading the same packed block): no part packs A again, and the
            // caller takes the parts of a worker that woke late
            int panels = (n + NR - 1) / NR;
            float[] packedA = sharedA(paddedA(Math.min(m, MC), k));
            int parts = Math.min(panels, PARTS_PER_THREAD * threads);
            for (int bi = 0; bi < batch; bi++) {
                for (int ic = 0; ic < m; ic += MC) {
                    int batchIndex = bi;
                    int i0 = ic;
                    int i1 = Math.min(m, ic + MC);
                    packWhole(a, bi, i0, i1, k, packedA, threads);
                    CpuThreads.parallel(parts, (part, ps) -> {
                        int lo = Math.min(n, (int) ((long) panels * part / ps) * NR);
                        int hi = Math.min(n, (int) ((long) panels * (part + 1) / ps) * NR);
                        blocked(batchIndex, i0, i1, lo, hi, k, a, b, c, epi, pre, packedA);
                    });
                }
            }
        } else if (threads > 1) {
            int panels = (n + NR - 1) / NR;
            CpuThreads.parallel(threads, (part, parts) -> {
                int lo = Math.min(n, (int) ((long) panels * part / parts) * NR);
                int hi = Math.min(n, (int) ((long) panels * (part + 1) / parts) * NR);
                for (int bi = 0; bi < batch; bi++) {
                    blocked(bi, 0, m, lo, hi, k, a, b, c, epi, pre, null);
                }
            });
        } else {
            for (int bi = 0; bi < batch; bi++) {
                blocked(bi, 0, m, 0, n, k, a, b, c, epi, pre, null);
            }
        }
    }

    /**
     * Whether {@code threads} threads split the product by rows (each part packs and multiplies its own rows of
     * A against all of B) rather than by columns (all parts read one packed copy of A). By columns, every part
     * sweeps the whole packed A for a few kernels per A panel: cheap while A stays in a core's L2, not once it
     * comes from L3. So rows when A is larger than {@link #ROW_SPLIT_MIN_A_FLOATS}, B comes packed from the cache
     * (else every part would pack all of B) and each thread gets {@link #ROW_SPLIT_PANELS} row panels or more;
     * rows too when the output is too narrow to split by columns. Measured on 2 cores, two builds alternating in
     * one JVM ({@code scripts/TwoBuilds.java}, BENCHMARKS.md): rows 11-13% faster at n = 1024 and 2048; for the
     * 128-row products of encoder-large and encoder-seq128 at batch 1 rows were not faster (0.86-0.94, within
     * that harness's noise for those models) and their two row parts of 6 and 5 panels are uneven, while by
     * columns the parts are small and taken as threads come free.
     */
    static boolean splitByRows(int m, int n, int k, boolean bPacked, int threads) {
        int panels = (m + MR - 1) / MR;
        return n < threads * 2 * NR
                || bPacked && (long) m * k > ROW_SPLIT_MIN_A_FLOATS && panels >= threads * ROW_SPLIT_PANELS;
    }

    /**
     * Splits {@code panels} row panels into parts of decreasing size for {@code threads} threads taking parts as
     * they come free: each part takes 1/(2 x threads) of the panels not yet given out, at least {@code
     * minPanels}. Large parts first keep A's share of each sweep over B large; small parts last leave the threads
     * at most a small part apart at the end, whichever thread the host slowed. Returns the first panel of each
     * part and, last, {@code panels}.
     */
    static int[] guidedParts(int panels, int threads, int minPanels) {
        int[] starts = new int[panels + 1];
        int parts = 0;
        for (int start = 0; start < panels; parts++) {
            starts[parts] = start;
            int rest = panels - start;
            start += Math.min(rest, Math.max(minPanels, (rest + 2 * threads - 1) / (2 * threads)));
        }
        starts[parts] = panels;
        return Arrays.copyOf(starts, parts + 1);
    }

    /**
     * Distance between two panels of a B kept packed by {@link PackedBCache}: {@link #B_PANEL} where the depth fills a
     * block, else the depth's own panels plus the same pad (a weight of depth 48 would otherwise take 5 to 11 times
     * its size).
     */
    static int cachedPanelStride(int k) {
        return k >= KC ? B_PANEL : k * NR + (B_PANEL - KC * NR);
    }

    /** Floats of A's {@code m} rows and {@code k} depth packed whole: whole panels of MR rows, whole KC blocks. */
    private static long paddedA(int m, int k) {
        return (long) ((m + MR - 1) / MR * MR) * KC * ((k + KC - 1) / KC);
    }

    /** The calling thread's buffer for an A packed whole, at least {@code size} floats. */
    private static float[] sharedA(long size) {
        float[][] holder = SHARED_A.get();
        if (holder[0].length < size) {
            holder[0] = new float[(int) size];
        }
        return holder[0];
    }

    /**
     * Packs rows [i0, i1) ({@code i1 - i0 <= MC}) of batch {@code bi}'s A, all of depth {@code k}, into
     * {@code out}: depth block {@code pc / KC} at {@code pc / KC * rows * KC} ({@code rows} = i1 - i0 rounded up
     * to MR), laid out as {@link #packA} lays out one block; the row panels split across the threads.
     */
    private static void packWhole(GemmOperand a, int bi, int i0, int i1, int k, float[] out, int threads) {
        float[] ad = ((CpuStorage) a.storage()).data;
        int aOff = a.offset() + bi * a.batchStride();
        int panels = (i1 - i0 + MR - 1) / MR;
        int rows = panels * MR;
        CpuThreads.parallel(Math.min(threads, panels), (part, ps) -> {
            int lo = panels * part / ps * MR;
            int hi = Math.min(i1 - i0, panels * (part + 1) / ps * MR);
            for (int pc = 0; pc < k; pc += KC) {
                packA(ad, aOff, a.ld(), a.transposed(), i0 + lo, hi - lo, pc, Math.min(KC, k - pc), out,
                        pc / KC * rows * KC + lo * KC);
            }
        });
    }

    /**
     * Rows [i0, i1) x columns [j0, j1) of batch {@code bi} through packed panels; B's panels are read from
     * {@code pre} ({@link PackedBCache}'s layout) when given, else packed here block by block; A's from
     * {@code packedA} ({@link #packWhole}'s layout of rows [i0, i1), only with {@code i1 - i0 <= MC}) when given, else packed
     * here block by block.
     */
    private static void blocked(int bi, int i0, int i1, int j0, int j1, int k,
                                GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epi, float[] pre,
                                float[] packedA) {
        if (i0 >= i1 || j0 >= j1) {
            return;
        }
        float[] ad = ((CpuStorage) a.storage()).data;
        float[] bd = ((CpuStorage) b.storage()).data;
        float[] cd = ((CpuStorage) c.storage()).data;
        int aOff = a.offset() + bi * a.batchStride();
        int bOff = b.offset() + bi * b.batchStride();
        int cOff = c.offset() + bi * c.batchStride();
        float[] bias = epi.bias() == null ? null : ((CpuStorage) epi.bias()).data;
        float[][] buf = BUFFERS.get();
        int height = packedA != null ? MC : blockRows(Math.min(k, KC)); // packedA: rows [i0, i1), at most MC
        float[] packA = packedA != null ? packedA : packBufferA(buf, Math.min(height, i1 - i0));
        int aRows = (i1 - i0 + MR - 1) / MR * MR; // rows of a packedA block
        float[] packB = buf[1];
        float[] tile = buf[2];
        int bStride = pre == null ? B_PANEL : cachedPanelStride(k); // between the panels the kernels read
        int panels = pre == null ? 0 : pre.length / ((k + KC - 1) / KC * bStride); // pre's panels per depth block
        for (int ic = i0; ic < i1; ic += height) {
            int mc = Math.min(height, i1 - ic);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean first = pc == 0;
                boolean last = pc + kc == k;
                int aBase = 0;
                if (packedA == null) {
                    packA(ad, aOff, a.ld(), a.transposed(), ic, mc, pc, kc, packA, 0);
                } else {
                    aBase = pc / KC * aRows * KC;
                }
                int width = blockColumns(kc);
                for (int jc = j0; jc < j1; jc += width) {
                    int nc = Math.min(width, j1 - jc);
                    float[] pb = packB;
                    int pbOff = 0;
                    if (pre != null) {
                        pb = pre;
                        pbOff = (pc / KC * panels + jc / NR) * bStride;
                    } else {
                        packB(bd, bOff, b.ld(), b.transposed(), pc, kc, jc, nc, packB);
                    }
                    for (int ir = 0; ir < mc; ir += MR) {
                        int rows = Math.min(MR, mc - ir);
                        int cRow = cOff + (ic + ir) * c.ld() + jc;
                        boolean direct = rows == MR && !(last && (bias != null || epi.relu()));
                        for (int jr = 0; jr < nc; jr += NR) {
                            if (direct && nc - jr >= NR) { // a whole tile with nothing to add but C
                                kernel(packA, aBase + ir * KC, pb, pbOff + jr / NR * bStride, kc, cd, cRow + jr, c.ld(),
                                        !first);
                                continue;
                            }
                            kernel(packA, aBase + ir * KC, pb, pbOff + jr / NR * bStride, kc, tile, 0, NR, false);
                            store(tile, rows, Math.min(NR, nc - jr), cd, cRow + jr, c.ld(),
                                    first, last, bias, epi.biasOffset() + jc + jr, epi.relu());
                        }
                    }
                }
            }
        }
    }

    /**
     * The thread's buffer for a block of A packed by {@link #packA}, grown to hold {@code rows} rows (whole panels,
     * KC apart) if it is smaller: a thread that only multiplies a few rows keeps a few panels, not MC rows.
     */
    private static float[] packBufferA(float[][] buf, int rows) {
        int floats = (rows + MR - 1) / MR * MR * KC;
        if (buf[0].length < floats) {
            buf[0] = new float[floats];
        }
        return buf[0];
    }

    /**
     * The MR x NR product of a packed A panel (kc x MR) and a packed B panel (kc x NR), the accumulators in
     * registers, written to (or, {@code accumulate}, added to) rows {@code out, out + ld, ...} of {@code dst}:
     * C itself for a whole tile without an epilogue, else a scratch tile for {@link #store}.
     */
    private static void kernel(float[] pa, int aOff, float[] pb, int bOff, int kc, float[] dst, int out, int ld,
                               boolean accumulate) {
        if (WIDE_REGISTER_FILE) {
            kernel12(pa, aOff, pb, bOff, kc, dst, out, ld, accumulate);
        } else {
            kernel3(pa, aOff, pb, bOff, kc, dst, out, ld, accumulate);
        }
    }

    /** {@link #kernel} with 3 rows of 3 vectors: 9 accumulators, for CPUs with 16 vector registers. */
    private static void kernel3(float[] pa, int aOff, float[] pb, int bOff, int kc, float[] dst, int out, int ld,
                                boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector a;
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NR;
            int ai = aOff + p * 3;
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, pb, bi + 2 * L);
            a = FloatVector.broadcast(S, pa[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            c02 = a.fma(b2, c02);
            a = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            c12 = a.fma(b2, c12);
            a = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            c22 = a.fma(b2, c22);
        }
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, dst, out));
            c01 = c01.add(FloatVector.fromArray(S, dst, out + L));
            c02 = c02.add(FloatVector.fromArray(S, dst, out + 2 * L));
            c10 = c10.add(FloatVector.fromArray(S, dst, out + ld));
            c11 = c11.add(FloatVector.fromArray(S, dst, out + ld + L));
            c12 = c12.add(FloatVector.fromArray(S, dst, out + ld + 2 * L));
            c20 = c20.add(FloatVector.fromArray(S, dst, out + 2 * ld));
            c21 = c21.add(FloatVector.fromArray(S, dst, out + 2 * ld + L));
            c22 = c22.add(FloatVector.fromArray(S, dst, out + 2 * ld + 2 * L));
        }
        c00.intoArray(dst, out);
        c01.intoArray(dst, out + L);
        c02.intoArray(dst, out + 2 * L);
        c10.intoArray(dst, out + ld);
        c11.intoArray(dst, out + ld + L);
        c12.intoArray(dst, out + ld + 2 * L);
        c20.intoArray(dst, out + 2 * ld);
        c21.intoArray(dst, out + 2 * ld + L);
        c22.intoArray(dst, out + 2 * ld + 2 * L);
    }

    /** {@link #kernel} with 12 rows: 24 accumulators, for CPUs with 32 vector registers. */
    private static void kernel12(float[] pa, int aOff, float[] pb, int bOff, int kc, float[] dst, int out, int ld,
                                 boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        FloatVector a;
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NR;
            int ai = aOff + p * 12;
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            a = FloatVector.broadcast(S, pa[ai + 0]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, pa[ai + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, pa[ai + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(S, pa[ai + 8]);
            c80 = a.fma(b0, c80);
            c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(S, pa[ai + 9]);
            c90 = a.fma(b0, c90);
            c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(S, pa[ai + 10]);
            c100 = a.fma(b0, c100);
            c101 = a.fma(b1, c101);
            a = FloatVector.broadcast(S, pa[ai + 11]);
            c110 = a.fma(b0, c110);
            c111 = a.fma(b1, c111);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(S, dst, out)).intoArray(dst, out);
            c01.add(FloatVector.fromArray(S, dst, out + L)).intoArray(dst, out + L);
            c10.add(FloatVector.fromArray(S, dst, out + 1 * ld)).intoArray(dst, out + 1 * ld);
            c11.add(FloatVector.fromArray(S, dst, out + 1 * ld + L)).intoArray(dst, out + 1 * ld + L);
            c20.add(FloatVector.fromArray(S, dst, out + 2 * ld)).intoArray(dst, out + 2 * ld);
            c21.add(FloatVector.fromArray(S, dst, out + 2 * ld + L)).intoArray(dst, out + 2 * ld + L);
            c30.add(FloatVector.fromArray(S, dst, out + 3 * ld)).intoArray(dst, out + 3 * ld);
            c31.add(FloatVector.fromArray(S, dst, out + 3 * ld + L)).intoArray(dst, out + 3 * ld + L);
            c40.add(FloatVector.fromArray(S, dst, out + 4 * ld)).intoArray(dst, out + 4 * ld);
            c41.add(FloatVector.fromArray(S, dst, out + 4 * ld + L)).intoArray(dst, out + 4 * ld + L);
            c50.add(FloatVector.fromArray(S, dst, out + 5 * ld)).intoArray(dst, out + 5 * ld);
            c51.add(FloatVector.fromArray(S, dst, out + 5 * ld + L)).intoArray(dst, out + 5 * ld + L);
            c60.add(FloatVector.fromArray(S, dst, out + 6 * ld)).intoArray(dst, out + 6 * ld);
            c61.add(FloatVector.fromArray(S, dst, out + 6 * ld + L)).intoArray(dst, out + 6 * ld + L);
            c70.add(FloatVector.fromArray(S, dst, out + 7 * ld)).intoArray(dst, out + 7 * ld);
            c71.add(FloatVector.fromArray(S, dst, out + 7 * ld + L)).intoArray(dst, out + 7 * ld + L);
            c80.add(FloatVector.fromArray(S, dst, out + 8 * ld)).intoArray(dst, out + 8 * ld);
            c81.add(FloatVector.fromArray(S, dst, out + 8 * ld + L)).intoArray(dst, out + 8 * ld + L);
            c90.add(FloatVector.fromArray(S, dst, out + 9 * ld)).intoArray(dst, out + 9 * ld);
            c91.add(FloatVector.fromArray(S, dst, out + 9 * ld + L)).intoArray(dst, out + 9 * ld + L);
            c100.add(FloatVector.fromArray(S, dst, out + 10 * ld)).intoArray(dst, out + 10 * ld);
            c101.add(FloatVector.fromArray(S, dst, out + 10 * ld + L)).intoArray(dst, out + 10 * ld + L);
            c110.add(FloatVector.fromArray(S, dst, out + 11 * ld)).intoArray(dst, out + 11 * ld);
            c111.add(FloatVector.fromArray(S, dst, out + 11 * ld + L)).intoArray(dst, out + 11 * ld + L);
        } else {
            c00.intoArray(dst, out);
            c01.intoArray(dst, out + L);
            c10.intoArray(dst, out + 1 * ld);
            c11.intoArray(dst, out + 1 * ld + L);
            c20.intoArray(dst, out + 2 * ld);
            c21.intoArray(dst, out + 2 * ld + L);
            c30.intoArray(dst, out + 3 * ld);
            c31.intoArray(dst, out + 3 * ld + L);
            c40.intoArray(dst, out + 4 * ld);
            c41.intoArray(dst, out + 4 * ld + L);
            c50.intoArray(dst, out + 5 * ld);
            c51.intoArray(dst, out + 5 * ld + L);
            c60.intoArray(dst, out + 6 * ld);
            c61.intoArray(dst, out + 6 * ld + L);
            c70.intoArray(dst, out + 7 * ld);
            c71.intoArray(dst, out + 7 * ld + L);
            c80.intoArray(dst, out + 8 * ld);
            c81.intoArray(dst, out + 8 * ld + L);
            c90.intoArray(dst, out + 9 * ld);
            c91.intoArray(dst, out + 9 * ld + L);
            c100.intoArray(dst, out + 10 * ld);
            c101.intoArray(dst, out + 10 * ld + L);
            c110.intoArray(dst, out + 11 * ld);
            c111.intoArray(dst, out + 11 * ld + L);
        }
    }

    /** Writes (first K block) or adds a tile into C; on the last K block also adds the bias and applies ReLU. */
    private static void store(float[] tile, int rows, int cols, float[] cd, int cPos, int ldc, boolean first,
                              boolean last, float[] bias, int biasPos, boolean relu) {
        boolean full = cols == NR;
        for (int r = 0; r < rows; r++) {
            int row = cPos + r * ldc;
            int t = r * NR;
            if (full) {
                for (int h = 0; h < NR; h += L) {
                    FloatVector v = FloatVector.fromArray(S, tile, t + h);
                    if (!first) {
                        v = v.add(FloatVector.fromArray(S, cd, row + h));
                    }
                    if (last && bias != null) {
                        v = v.add(FloatVector.fromArray(S, bias, biasPos + h));
                    }
                    if (last && relu) {
                        v = relu(v);
                    }
                    v.intoArray(cd, row + h);
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    float v = tile[t + j];
                    if (!first) {
                        v += cd[row + j];
                    }
                    if (last && bias != null) {
                        v += bias[biasPos + j];
                    }
                    if (last && relu && v < 0f) {
                        v = 0f;
                    }
                    cd[row + j] = v;
                }
            }
        }
    }

    /** {@code v < 0 ? 0 : v} per lane: NaN and -0 stay, as in PyTorch's relu. */
    private static FloatVector relu(FloatVector v) {
        return v.blend(0f, v.compare(VectorOperators.LT, 0f));
    }

    /**
     * Packs rows [ic, ic+mc) x depth [pc, pc+kc) of A into MR-row panels KC * MR floats apart from
     * {@code outOff}: each holds kc groups of MR values.
     */
    private static void packA(float[] ad, int off, int ld, boolean transposed, int ic, int mc, int pc, int kc, float[] out,
                              int outOff) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int base = outOff + ir * KC;
            if (transposed) {
                for (int p = 0; p < kc; p++) {
                    int src = off + (pc + p) * ld + ic + ir;
                    int dst = base + p * MR;
                    System.arraycopy(ad, src, out, dst, rows);
                    if (rows < MR) {
                        Arrays.fill(out, dst + rows, dst + MR, 0f);
                    }
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    if (r < rows) {
                        int src = off + (ic + ir + r) * ld + pc;
                        for (int p = 0; p < kc; p++) {
                            out[base + p * MR + r] = ad[src + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            out[base + p * MR + r] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs depth [pc, pc+kc) x columns [jc, jc+nc) of B into NR-column panels: panel q holds kc groups
     * of NR values. A row-major B is read row by row (sequential reads the hardware prefetcher follows,
     * rather than kc rows of one panel at a time, a page apart each). Panels start B_PANEL floats apart,
     * A panels (packA) KC * MR apart: constant strides, so the stores' bounds checks leave the loops.
     */
    static void packB(float[] bd, int off, int ld, boolean transposed, int pc, int kc, int jc, int nc, float[] out) {
        if (!transposed) {
            int panels = nc / NR;
            int full = panels * NR;
            for (int p = 0; p < kc; p++) {
                int src = off + (pc + p) * ld + jc;
                int dst = p * NR;
                for (int q = 0; q < panels; q++) {
                    for (int h = 0; h < NR; h += L) {
                        FloatVector.fromArray(S, bd, src + q * NR + h).intoArray(out, q * B_PANEL + dst + h);
                    }
                }
                if (full < nc) {
                    int pos = panels * B_PANEL + dst;
                    System.arraycopy(bd, src + full, out, pos, nc - full);
                    Arrays.fill(out, pos + nc - full, pos + NR, 0f);
                }
            }
            return;
        }
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int base = jr / NR * B_PANEL;
            for (int j = 0; j < NR; j++) {
                if (j < cols) {
                    int src = off + (jc + jr + j) * ld + pc;
                    for (int p = 0; p < kc; p++) {
                        out[base + p * NR + j] = bd[src + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        out[base + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Rows [i0, i1) without packing: vector row updates over B's rows (through a cached dense transpose
     * when B is a transposed weight and that is cheaper), or dot products with B's columns otherwise.
     */
    private static void rowwise(int bi, int i0, int i1, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c,
                                Epilogue epi) {
        float[] ad = ((CpuStorage) a.storage()).data;
        float[] bd = ((CpuStorage) b.storage()).data;
        float[] cd = ((CpuStorage) c.storage()).data;
        int aOff = a.offset() + bi * a.batchStride();
        int bOff = b.offset() + bi * b.batchStride();
        int cOff = c.offset() + bi * c.batchStride();
        float[] bias = epi.bias() == null ? null : ((CpuStorage) epi.bias()).data;
        float[] bt = b.transposed() && b.batchStride() == 0 && rowUpdatesBeatDots(n, k)
                ? TransposeCache.get((CpuStorage) b.storage(), bOff, b.ld(), k, n, i1 - i0) : null;
        for (int i = i0; i < i1; i++) {
            int cRow = cOff + i * c.ld();
            if (bt == TransposeCache.NOTED) { // the first product at this version: the row update's chains, unvectorized
                axpyRow(ad, aOff, a.ld(), a.transposed(), i, bd, bOff, b.ld(), true, n, k, cd, cRow);
            } else if (bt != null) {
                axpyRow(ad, aOff, a.ld(), a.transposed(), i, bt, 0, n, false, n, k, cd, cRow);
            } else if (b.transposed() && !a.transposed()) {
                dotRow(ad, aOff + i * a.ld(), bd, bOff, b.ld(), n, k, cd, cRow);
            } else {
                axpyRow(ad, aOff, a.ld(), a.transposed(), i, bd, bOff, b.ld(), b.transposed(), n, k, cd, cRow);
            }
            if (bias != null || epi.relu()) {
                epilogueRow(cd, cRow, n, bias, epi.biasOffset(), epi.relu());
            }
        }
    }

    /**
     * Whether k vector row updates over n columns (a masked tail vector for n mod L counted as two
     * operations) cost less than n dot products of length k, each ending in a horizontal sum (counted as
     * about 8 vector operations).
     */
    static boolean rowUpdatesBeatDots(int n, int k) {
        long rowUpdates = (long) k * (n / L + (n % L == 0 ? 0 : 2));
        long dots = (long) n * (k / L + k % L + 8);
        return rowUpdates < dots;
    }

    /**
     * c[j] = dot(a[0..k), B row j) for j in [0, n), B stored as [n, k] rows of stride ldb. Four outputs at a
     * time share each load of a and keep four independent fma chains in flight; every output still adds its
     * products in the same order (one vector accumulator over k, its lanes summed by {@link VectorLanes#sum},
     * then the k mod L tail), so the bits do not depend on how the outputs are grouped.
     */
    private static void dotRow(float[] ad, int aPos, float[] bd, int bOff, int ldb, int n, int k, float[] cd, int cPos) {
        int kv = S.loopBound(k);
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            int b0 = bOff + j * ldb;
            int b1 = b0 + ldb;
            int b2 = b1 + ldb;
            int b3 = b2 + ldb;
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            for (int p = 0; p < kv; p += L) {
                FloatVector va = FloatVector.fromArray(S, ad, aPos + p);
                acc0 = va.fma(FloatVector.fromArray(S, bd, b0 + p), acc0);
                acc1 = va.fma(FloatVector.fromArray(S, bd, b1 + p), acc1);
                acc2 = va.fma(FloatVector.fromArray(S, bd, b2 + p), acc2);
                acc3 = va.fma(FloatVector.fromArray(S, bd, b3 + p), acc3);
            }
            cd[cPos + j] = finishDot(acc0, ad, aPos, bd, b0, kv, k);
            cd[cPos + j + 1] = finishDot(acc1, ad, aPos, bd, b1, kv, k);
            cd[cPos + j + 2] = finishDot(acc2, ad, aPos, bd, b2, kv, k);
            cd[cPos + j + 3] = finishDot(acc3, ad, aPos, bd, b3, kv, k);
        }
        for (; j < n; j++) {
            int bRow = bOff + j * ldb;
            FloatVector acc = FloatVector.zero(S);
            for (int p = 0; p < kv; p += L) {
                acc = FloatVector.fromArray(S, ad, aPos + p).fma(FloatVector.fromArray(S, bd, bRow + p), acc);
            }
            cd[cPos + j] = finishDot(acc, ad, aPos, bd, bRow, kv, k);
        }
    }

    /**
     * A dot product's end: the vector accumulator's lanes summed in a fixed order ({@link VectorLanes#sum}:
     * the same bits in every JIT tier), then the products past the last whole vector, from {@code kv} to
     * {@code k}.
     */
    private static float finishDot(FloatVector acc, float[] ad, int aPos, float[] bd, int bRow, int kv,
                                   int k) {
        float s = VectorLanes.sum(acc);
        for (int p = kv; p < k; p++) {
            s = Math.fma(ad[aPos + p], bd[bRow + p], s);
        }
        return s;
    }

    /**
     * c[0..n) = sum over p of A(i, p) * B row p, vectorized over the row: four vectors of the row are
     * accumulated in registers across all of k before they are stored, then the rest two at a time (the
     * second masked where the row ends inside it), so that a 20-wide row keeps two fma chains in flight. With
     * {@code bT} (B stored as [n, k]: a weight's first product at a version, before its transpose is cached)
     * each output runs the same fma chain as its lane would, in scalar code, so the first product and the
     * later ones give the same bits.
     */
    private static void axpyRow(float[] ad, int aOff, int lda, boolean aT, int i, float[] bd, int bOff, int ldb,
                                boolean bT, int n, int k, float[] cd, int cPos) {
        int aStep = aT ? lda : 1;
        int aPos = aT ? aOff + i : aOff + i * lda;
        if (bT) { // B stored as [n, k]: per output the chain a lane of the vector loop below runs; four at a time
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                int r0 = bOff + j * ldb;
                int r1 = r0 + ldb;
                int r2 = r1 + ldb;
                int r3 = r2 + ldb;
                float s0 = 0f;
                float s1 = 0f;
                float s2 = 0f;
                float s3 = 0f;
                for (int p = 0; p < k; p++) {
                    float av = ad[aPos + p * aStep];
                    s0 = Math.fma(av, bd[r0 + p], s0);
                    s1 = Math.fma(av, bd[r1 + p], s1);
                    s2 = Math.fma(av, bd[r2 + p], s2);
                    s3 = Math.fma(av, bd[r3 + p], s3);
                }
                cd[cPos + j] = s0;
                cd[cPos + j + 1] = s1;
                cd[cPos + j + 2] = s2;
                cd[cPos + j + 3] = s3;
            }
            for (; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s = Math.fma(ad[aPos + p * aStep], bd[bOff + j * ldb + p], s);
                }
                cd[cPos + j] = s;
            }
            return;
        }
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector c0 = FloatVector.zero(S);
            FloatVector c1 = FloatVector.zero(S);
            FloatVector c2 = FloatVector.zero(S);
            FloatVector c3 = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                FloatVector va = FloatVector.broadcast(S, ad[aPos + p * aStep]);
                int bRow = bOff + p * ldb + j;
                c0 = va.fma(FloatVector.fromArray(S, bd, bRow), c0);
                c1 = va.fma(FloatVector.fromArray(S, bd, bRow + L), c1);
                c2 = va.fma(FloatVector.fromArray(S, bd, bRow + 2 * L), c2);
                c3 = va.fma(FloatVector.fromArray(S, bd, bRow + 3 * L), c3);
            }
            c0.intoArray(cd, cPos + j);
            c1.intoArray(cd, cPos + j + L);
            c2.intoArray(cd, cPos + j + 2 * L);
            c3.intoArray(cd, cPos + j + 3 * L);
        }
        for (; j + L < n; j += 2 * L) {
            // two vectors in one pass, the second masked where the row ends inside it (a 20- or 40-wide
            // row): two fma chains in flight instead of one after the other, each the chain a lane always runs
            VectorMask<Float> second = S.indexInRange(j + L, n);
            FloatVector c0 = FloatVector.zero(S);
            FloatVector c1 = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                FloatVector va = FloatVector.broadcast(S, ad[aPos + p * aStep]);
                int bRow = bOff + p * ldb + j;
                c0 = va.fma(FloatVector.fromArray(S, bd, bRow), c0);
                c1 = va.fma(FloatVector.fromArray(S, bd, bRow + L, second), c1);
            }
            c0.intoArray(cd, cPos + j);
            c1.intoArray(cd, cPos + j + L, second);
        }
        if (j + L == n) { // one whole vector left
            FloatVector c0 = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                c0 = FloatVector.broadcast(S, ad[aPos + p * aStep]).fma(FloatVector.fromArray(S, bd, bOff + p * ldb + j), c0);
            }
            c0.intoArray(cd, cPos + j);
            j = n;
        }
        if (j < n) {
            // the last n mod L columns as one masked vector (a classifier's 10 outputs, the chimera's 20): the
            // same fma chain per column as a scalar loop, so the same bits, at one vector operation per step
            VectorMask<Float> tail = S.indexInRange(j, n);
            FloatVector c0 = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                c0 = FloatVector.broadcast(S, ad[aPos + p * aStep])
                        .fma(FloatVector.fromArray(S, bd, bOff + p * ldb + j, tail), c0);
            }
            c0.intoArray(cd, cPos + j, tail);
        }
    }

    private static void epilogueRow(float[] cd, int cPos, int n, float[] bias, int biasOff, boolean relu) {
        int nv = S.loopBound(n);
        int j = 0;
        for (; j < nv; j += L) {
            FloatVector v = FloatVector.fromArray(S, cd, cPos + j);
            if (bias != null) {
                v = v.add(FloatVector.fromArray(S, bias, biasOff + j));
            }
            if (relu) {
                v = relu(v);
            }
            v.intoArray(cd, cPos + j);
        }
        EpilogueRow.apply(cd, cPos + j, n - j, bias, biasOff + j, relu);
    }
}
