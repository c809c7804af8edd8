package dev.cairn.backend.cpu;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Values for a {@link CpuStorage}'s version that no two calls share, on any threads: each thread takes a block
 * of 2^16 from one process-wide counter and hands them out in order, so a stamp costs a thread-local lookup, not
 * a locked instruction. The first reader after a write puts one in place of the storage's "written" mark; a cache
 * notes it, and any later write replaces it. (A count that each writer stored as "the count read plus one" let
 * two racing writers store the same value, and a cache built between their two stores still looked current after
 * the second.) Stamps start at 1: 0 is a storage never written. Safe to call from any thread.
 */
final class WriteStamps {
    private static final long BLOCK = 1 << 16;
    private static final AtomicLong NEXT_BLOCK = new AtomicLong(1);
    private static final ThreadLocal<Block> LOCAL = ThreadLocal.withInitial(Block::new);

    private WriteStamps() {
    }

    /** The stamps a thread has left: {@code [next, end)}. */
    private static final class Block {
        long next;
        long end;
    }

    /** A stamp no other call in this process returns. */
    static long next() {
        Block b = LOCAL.get();
        if (b.next == b.end) {
            b.next = NEXT_BLOCK.getAndAdd(BLOCK);
            b.end = b.next + BLOCK;
        }
        return b.next++;
    }
}
