package dev.cairn.backend.cpu;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.SoftReference;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Arrays of closed CPU tensors, kept by exact length for the next tensor of that size. A steady
 * inference loop that closes its intermediates (a {@code TensorScope}) then reuses warm memory instead
 * of allocating and zeroing fresh arrays on every op. Arrays of tensors nobody closes are simply left to
 * the garbage collector.
 *
 * <p>The pool gives memory back under pressure: it is bounded ({@code -Dcairn.cpu.pool.floats}, by
 * default 1/32 of the maximum heap's floats, at most 64 Mi floats) and holds its arrays through soft
 * references, which the garbage collector clears when the heap runs short (always before it would
 * throw {@code OutOfMemoryError}) or when an array has sat unused for long; a cleared array simply
 * misses the pool. PyTorch's CPU allocator keeps no cache of its own; this one exists because a Java
 * array is zeroed on allocation, which costs more than the small ops that use it.
 *
 * <p>Thread-safe.
 */
final class CpuMemoryPool {
    /** Arrays smaller than this are cheaper to allocate than to pool. */
    private static final int MIN_LENGTH = 1024;
    private static final long CAPACITY_FLOATS = Long.getLong("cairn.cpu.pool.floats",
            Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 4 / 8));

    private static final Map<Integer, Queue<Pooled>> FREE = new ConcurrentHashMap<>();
    /** Floats in the pool's queues whose arrays have not been taken or found cleared. */
    private static final AtomicLong POOLED = new AtomicLong();
    private static final ReferenceQueue<float[]> CLEARED = new ReferenceQueue<>();

    /** A pooled array; {@code counted} makes sure its length leaves {@link #POOLED} exactly once. */
    private static final class Pooled extends SoftReference<float[]> {
        final int length;
        final AtomicBoolean counted = new AtomicBoolean(true);

        Pooled(float[] array) {
            super(array, CLEARED);
            this.length = array.length;
        }

        void uncount() {
            if (counted.compareAndSet(true, false)) {
                POOLED.addAndGet(-length);
            }
        }
    }

    private CpuMemoryPool() {
    }

    /** Whether arrays of this length are pooled (small ones are not worth it). */
    static boolean accepts(int length) {
        return length >= MIN_LENGTH && CAPACITY_FLOATS > 0;
    }

    /** An array of exactly {@code length} floats with unspecified contents. */
    static float[] take(int length) {
        if (length >= MIN_LENGTH) {
            drainCleared();
            Queue<Pooled> q = FREE.get(length);
            if (q != null) {
                for (Pooled p = q.poll(); p != null; p = q.poll()) {
                    float[] a = p.get();
                    p.uncount();
                    if (a != null) {
                        p.clear(); // taken: the reference no longer stands for pooled memory
                        return a;
                    }
                }
            }
        }
        return new float[length];
    }

    /** Hands back an array nobody uses any more. */
    static void give(float[] array) {
        int length = array.length;
        if (length < MIN_LENGTH) {
            return;
        }
        drainCleared();
        if (POOLED.addAndGet(length) > CAPACITY_FLOATS) {
            POOLED.addAndGet(-length);
            return;
        }
        FREE.computeIfAbsent(length, k -> new ConcurrentLinkedQueue<>()).offer(new Pooled(array));
    }

    /** Forgets the arrays the garbage collector took back (and their entries, so idle sizes leave no trace). */
    private static void drainCleared() {
        for (Reference<? extends float[]> r = CLEARED.poll(); r != null; r = CLEARED.poll()) {
            Pooled p = (Pooled) r;
            if (p.counted.get()) { // not taken: the collector cleared it while pooled
                p.uncount();
                Queue<Pooled> q = FREE.get(p.length);
                if (q != null) {
                    q.remove(p);
                }
            }
        }
    }

    /** Floats held for reuse (for tests and diagnostics). */
    static long pooledFloats() {
        drainCleared();
        return POOLED.get();
    }
}
