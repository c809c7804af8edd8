package dev.cairn.backend.cpu;

import dev.cairn.backend.Philox;
import dev.cairn.backend.RandomOp;

/**
 * The CPU's {@link dev.cairn.backend.Backend#random}: the {@link Philox} blocks of a draw are split into
 * contiguous ranges, one per core ({@link CpuThreads}), and each block's four words become up to four
 * elements through {@link RandomOp#apply}, so the values are the stream's whatever the split. Stateless.
 */
final class RandomKernels {
    /** Blocks per part below which a draw stays on fewer threads (NORMAL's log, sin and cos cost ~10x more). */
    private static final long MIN_BLOCKS = 4096;
    private static final long MIN_BLOCKS_NORMAL = 512;

    private RandomKernels() {
    }

    /** {@code dst[offset + i] = op(lane i % 4 of block counter + i / 4)} for {@code i < length}. */
    static void random(RandomOp op, long seed, long counter, float a, float b, float[] dst, int offset, int length) {
        long blocks = Philox.blocks(length);
        long min = op == RandomOp.NORMAL ? MIN_BLOCKS_NORMAL : MIN_BLOCKS;
        int parts = (int) Math.max(1, Math.min(CpuThreads.cores(), blocks / min));
        CpuThreads.parallel(parts, (part, n) -> {
            long from = blocks * part / n;
            long to = blocks * (part + 1) / n;
            int[] words = new int[4];
            float[] values = new float[4];
            for (long j = from; j < to; j++) {
                Philox.block(seed, counter + j, words);
                op.apply(words, a, b, values);
                int first = (int) (j << 2);
                int count = Math.min(4, length - first);
                System.arraycopy(values, 0, dst, offset + first, count);
            }
        });
    }
}
