package dev.cairn.backend.cpu;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Values for a {@link CpuStorage}'s version that no two calls share, on any threads: one process-wide counter.
 * Only the first cache reader after a write takes one (it puts it in place of the storage's "written" mark, which
 * is all a kernel stores), so a locked increment here costs about as much as the compare-and-set beside it and
 * is not on any kernel's path. A cache notes the stamp; any later write replaces it. (A count that each writer
 * stored as "the count read plus one" let two racing writers store the same value, and a cache built between
 * their two stores still looked current after the second.) Stamps start at 1: 0 is a storage never written.
 * Safe to call from any thread.
 */
final class WriteStamps {
    private static final AtomicLong LAST = new AtomicLong();

    private WriteStamps() {
    }

    /** A stamp no other call in this process returns. */
    static long next() {
        return LAST.incrementAndGet();
    }
}
