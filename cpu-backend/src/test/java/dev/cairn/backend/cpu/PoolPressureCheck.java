package dev.cairn.backend.cpu;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link CpuMemoryPoolPressureTest} in its own small-heap JVM: fills the pool, then allocates until
 * the heap is exhausted. The JVM clears every soft reference before it throws {@code OutOfMemoryError},
 * so a pool that gives memory back under pressure ends up empty. Prints the outcome; exits 0 when the
 * pooled arrays were collected, 1 when the pool still held them.
 */
public final class PoolPressureCheck {
    private PoolPressureCheck() {
    }

    public static void main(String[] args) {
        List<WeakReference<float[]>> pooled = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            float[] a = new float[1 << 19];
            pooled.add(new WeakReference<>(a));
            CpuMemoryPool.give(a);
        }
        long before = CpuMemoryPool.pooledFloats();
        List<long[]> hog = new ArrayList<>();
        try {
            while (true) {
                hog.add(new long[1 << 16]);
            }
        } catch (OutOfMemoryError expected) {
            hog = null;
        }
        int held = 0;
        for (WeakReference<float[]> w : pooled) {
            if (w.get() != null) {
                held++;
            }
        }
        // the collector clears the references at once but enqueues them from its reference-handler thread a
        // little later (later still on a loaded machine); the pool forgets an array when it sees it enqueued
        long after = CpuMemoryPool.pooledFloats();
        for (long deadline = System.nanoTime() + 10_000_000_000L; after != 0 && System.nanoTime() < deadline; ) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            after = CpuMemoryPool.pooledFloats();
        }
        System.out.println("pooled floats before pressure " + before + ", after " + after + "; arrays still held "
                + held + " of " + pooled.size());
        System.exit(before > 0 && held == 0 && after == 0 ? 0 : 1);
    }
}
