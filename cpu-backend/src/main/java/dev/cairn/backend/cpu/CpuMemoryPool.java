package dev.cairn.backend.cpu;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.SoftReference;
import java.util.HashMap;
import java.util.Map;

/**
 * Arrays of closed CPU tensors, kept by exact length for the next tensor of that size. A steady
 * loop that closes its intermediates (a {@code TensorScope}) then reuses warm memory instead
 * of allocating and zeroing fresh arrays on every op. Arrays of tensors nobody closes are simply left to
 * the garbage collector.
 *
 * <p>The pool is bounded ({@code -Dcairn.cpu.pool.floats}, by default 1/32 of the maximum heap's floats, at most
 * 64 Mi floats; 0 turns it and the per-thread {@link SmallArrays} off). When an array handed back does not fit, the arrays handed back longest ago make
 * room for it (least recently used first): a loop's sizes recur every step, while a size that stopped
 * recurring (the input batches of a data loader before they were pooled, the last short batch of an epoch,
 * an evaluation pass at another batch size) would otherwise fill the pool for good and send every later
 * array to the allocator and the garbage collector. A taken array is the newest of its length (its memory
 * is likeliest still in cache). The pool also gives memory back under pressure: it holds its arrays through
 * soft references, which the garbage collector clears when the heap runs short (always before it would
 * throw {@code OutOfMemoryError}) or when an array has sat unused for long; a cleared array simply misses
 * the pool. PyTorch's CPU allocator keeps no cache of its own; this one exists because a Java array is
 * zeroed on allocation, which costs more than the small ops that use it.
 *
 * <p>Thread-safe: every instance method runs under the instance's lock (constant work per call, plus the
 * entries it evicts or finds cleared).
 */
final class CpuMemoryPool {
    /** Arrays smaller than this are cheaper to allocate than to pool. */
    static final int MIN_LENGTH = 1024;
    private static final CpuMemoryPool SHARED = new CpuMemoryPool(Long.getLong("cairn.cpu.pool.floats",
            Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 4 / 8)));

    /** One pooled array, linked into the list of all entries (by age) and into the list of its length. */
    private static final class Pooled extends SoftReference<float[]> {
        final int length;
        Pooled older;
        Pooled newer;
        /** The next older entry of the same length. */
        Pooled olderSame;
        Pooled newerSame;
        boolean linked;

        Pooled(float[] array, ReferenceQueue<float[]> queue) {
            super(array, queue);
            this.length = array.length;
        }
    }

    private final long capacity;
    private final ReferenceQueue<float[]> cleared = new ReferenceQueue<>();
    /** Per length, the newest entry of that length (guarded by this). */
    private final Map<Integer, Pooled> newestOfLength = new HashMap<>();
    /** The oldest and newest of all entries (guarded by this). */
    private Pooled oldest;
    private Pooled newest;
    /** Floats in linked entries (guarded by this). */
    private long floats;

    /** A pool holding at most {@code capacity} floats ({@code 0}: none). */
    CpuMemoryPool(long capacity) {
        this.capacity = Math.max(0, capacity);
    }

    /**
     * Whether arrays of this length are recycled: by the shared pool, or below its {@link #MIN_LENGTH} by the
     * thread's {@link SmallArrays} (the tiniest are not worth it).
     */
    static boolean accepts(int length) {
        return small(length) || SHARED.keeps(length);
    }

    /** Whether arrays of this length go to the thread's {@link SmallArrays}: below MIN_LENGTH, unless pooling is off. */
    private static boolean small(int length) {
        return SHARED.capacity > 0 && SmallArrays.keeps(length);
    }

    /**
     * An array of exactly {@code length} floats with unspecified contents: from the thread's small arrays or the
     * shared pool when they have one, else new.
     */
    static float[] take(int length) {
        return small(length) ? SmallArrays.take(length) : SHARED.takeArray(length);
    }

    /** Hands an array nobody uses any more to the thread's small arrays or the shared pool. */
    static void give(float[] array) {
        if (small(array.length)) {
            SmallArrays.give(array);
        } else {
            SHARED.giveArray(array);
        }
    }

    /** Floats the shared pool holds for reuse (for tests and diagnostics). */
    static long pooledFloats() {
        return SHARED.heldFloats();
    }

    /** Whether this pool keeps arrays of this length. */
    boolean keeps(int length) {
        return length >= MIN_LENGTH && length <= capacity;
    }

    /** An array of exactly {@code length} floats with unspecified contents: the newest pooled one, else a new one. */
    float[] takeArray(int length) {
        if (keeps(length)) {
            synchronized (this) {
                drainCleared();
                for (Pooled p = newestOfLength.get(length); p != null; p = newestOfLength.get(length)) {
                    unlink(p);
                    float[] a = p.get();
                    if (a != null) {
                        p.clear(); // taken: the reference no longer stands for pooled memory
                        return a;
                    }
                }
            }
        }
        return new float[length];
    }

    /** Keeps {@code array} for reuse, making room by dropping the entries handed back longest ago. */
    void giveArray(float[] array) {
        int length = array.length;
        if (!keeps(length)) {
            return;
        }
        synchronized (this) {
            drainCleared();
            while (floats + length > capacity) {
                Pooled p = oldest;
                unlink(p);
                p.clear();
            }
            link(new Pooled(array, cleared));
        }
    }

    /** Floats held for reuse. */
    synchronized long heldFloats() {
        drainCleared();
        return floats;
    }

    /** Forgets the arrays the garbage collector took back. Caller holds the lock. */
    private void drainCleared() {
        for (Reference<? extends float[]> r = cleared.poll(); r != null; r = cleared.poll()) {
            Pooled p = (Pooled) r;
            if (p.linked) { // not taken or evicted: the collector cleared it while pooled
                unlink(p);
            }
        }
    }

    private void link(Pooled p) {
        p.older = newest;
        if (newest != null) {
            newest.newer = p;
        } else {
            oldest = p;
        }
        newest = p;
        Pooled same = newestOfLength.put(p.length, p);
        p.olderSame = same;
        if (same != null) {
            same.newerSame = p;
        }
        p.linked = true;
        floats += p.length;
    }

    private void unlink(Pooled p) {
        if (p.older != null) {
            p.older.newer = p.newer;
        } else {
            oldest = p.newer;
        }
        if (p.newer != null) {
            p.newer.older = p.older;
        } else {
            newest = p.older;
        }
        if (p.olderSame != null) {
            p.olderSame.newerSame = p.newerSame;
        }
        if (p.newerSame != null) {
            p.newerSame.olderSame = p.olderSame;
        } else if (p.olderSame != null) {
            newestOfLength.put(p.length, p.olderSame);
        } else {
            newestOfLength.remove(p.length);
        }
        p.older = p.newer = p.olderSame = p.newerSame = null;
        p.linked = false;
        floats -= p.length;
    }
}
