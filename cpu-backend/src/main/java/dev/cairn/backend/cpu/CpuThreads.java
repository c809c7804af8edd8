package dev.cairn.backend.cpu;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CPU backend's dedicated worker pool, one thread per core. Work is split into as many parts as
 * there are cores; the calling thread runs the first part itself, so small jobs never hand off.
 */
final class CpuThreads {
    private static final int CORES = Math.max(1, Integer.getInteger("cairn.cpu.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(Math.max(1, CORES - 1), r -> {
        Thread t = new Thread(r, "cairn-cpu-" + COUNTER.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private CpuThreads() {
    }

    /** Number of threads work is split across. */
    static int cores() {
        return CORES;
    }

    /** A body run for part {@code part} of {@code parts}. */
    @FunctionalInterface
    interface Part {
        void run(int part, int parts);
    }

    /**
     * Runs {@code body} for parts 0..parts-1, in parallel on the pool with part 0 on the caller;
     * runs everything on the caller when {@code parts} is 1 or when already inside a worker.
     */
    static void parallel(int parts, Part body) {
        if (parts <= 1 || IN_WORKER.get()) {
            for (int p = 0; p < parts; p++) {
                body.run(p, parts);
            }
            return;
        }
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int part = p;
            futures[p - 1] = POOL.submit(() -> {
                IN_WORKER.set(Boolean.TRUE);
                try {
                    body.run(part, parts);
                } finally {
                    IN_WORKER.set(Boolean.FALSE);
                }
            });
        }
        Throwable failure = null;
        try {
            body.run(0, parts);
        } catch (Throwable t) {
            failure = t;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? e : failure;
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }
}
