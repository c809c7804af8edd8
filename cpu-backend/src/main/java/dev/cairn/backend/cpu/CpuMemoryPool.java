package dev.cairn.backend.cpu;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Arrays of closed CPU tensors, kept by exact length for the next tensor of that size. A steady
 * inference loop that closes its intermediates (a {@code TensorScope}) then reuses warm memory instead
 * of allocating and zeroing fresh arrays on every op. Bounded in total size; arrays of tensors nobody
 * closes are simply left to the garbage collector.
 */
final class CpuMemoryPool {
    /** Arrays smaller than this are cheaper to allocate than to pool. */
    private static final int MIN_LENGTH = 1024;
    private static final long CAPACITY_FLOATS = Long.getLong("cairn.cpu.pool.floats",
            Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 4 / 8));

    private static final Map<Integer, Queue<float[]>> FREE = new ConcurrentHashMap<>();
    private static final AtomicLong POOLED = new AtomicLong();

    private CpuMemoryPool() {
    }

    /** Whether arrays of this length are pooled (small ones are not worth it). */
    static boolean accepts(int length) {
        return length >= MIN_LENGTH && CAPACITY_FLOATS > 0;
    }

    /** An array of exactly {@code length} floats with unspecified contents. */
    static float[] take(int length) {
        if (length >= MIN_LENGTH) {
            Queue<float[]> q = FREE.get(length);
            float[] a = q == null ? null : q.poll();
            if (a != null) {
                POOLED.addAndGet(-length);
                return a;
            }
        }
        return new float[length];
    }

    /** Hands back an array nobody uses any more. */
    static void give(float[] array) {
        int length = array.length;
        if (length < MIN_LENGTH || POOLED.addAndGet(length) > CAPACITY_FLOATS) {
            if (length >= MIN_LENGTH) {
                POOLED.addAndGet(-length);
            }
            return;
        }
        FREE.computeIfAbsent(length, k -> new ConcurrentLinkedQueue<>()).offer(array);
    }

    /** Floats held for reuse (for tests and diagnostics). */
    static long pooledFloats() {
        return POOLED.get();
    }
}
