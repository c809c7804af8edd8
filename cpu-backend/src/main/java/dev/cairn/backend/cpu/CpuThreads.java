package dev.cairn.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's dedicated workers, one thread per core besides the caller. A call splits its work into
 * parts; the calling thread runs part 0 and then takes any part no worker has taken, so small jobs never
 * wait for a hand-off and no part is ever left behind.
 *
 * <p>A kernel is tens to hundreds of microseconds, and handing one off through an executor's queue cost
 * about as much: a parked thread on this kind of VM takes 10-20 us to wake, twice per call (the worker, then
 * the caller waiting for it), which left convnet at batch 256 as slow on 2 threads as on 1. So an idle worker
 * spins for {@code -Dcairn.cpu.spinMicros} (default 100) before it parks, as OpenMP's runtimes do, and the
 * caller spins for the parts still running before it parks too. A worker only spins between kernels of a
 * busy model; one that had nothing to do for the spin time sleeps until it is offered work.
 *
 * <p>One call at a time uses the workers: a call made while another thread's call holds them (or from inside a
 * part) runs all its parts on its own thread, which on a machine whose cores are already busy costs nothing.
 * Safe to call from any thread.
 */
final class CpuThreads {
    private static final int CORES = Math.max(1, Integer.getInteger("cairn.cpu.threads",
            Runtime.getRuntime().availableProcessors()));
    /** How long an idle worker, or a caller waiting for its parts, spins before it parks. */
    private static final long SPIN_NANOS = Math.max(0L, Long.getLong("cairn.cpu.spinMicros", 100L)) * 1_000L;
    private static final Worker[] WORKERS = startWorkers();
    /** Held by the call whose parts the workers run. */
    private static final AtomicBoolean BUSY = new AtomicBoolean();

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
     * Runs {@code body} for parts 0..parts-1, in parallel on the workers with part 0 on the caller; runs
     * everything on the caller when {@code parts} is 1, inside a worker, or while another call holds the
     * workers. Returns when every part has finished; rethrows the caller's own failure (part 0's) first, else
     * the first part's that failed (a checked throwable wrapped in {@link IllegalStateException}).
     */
    static void parallel(int parts, Part body) {
        if (parts <= 1 || WORKERS.length == 0 || Thread.currentThread() instanceof Worker
                || !BUSY.compareAndSet(false, true)) {
            inline(parts, body);
            return;
        }
        try {
            Job job = new Job(body, parts, Thread.currentThread());
            for (int w = 0; w < Math.min(parts - 1, WORKERS.length); w++) {
                WORKERS[w].offer(job);
            }
            Throwable own = null;
            try {
                body.run(0, parts);
            } catch (Throwable t) {
                own = t;
            }
            job.finish();
            job.runParts(); // the parts no worker has taken yet
            job.await();
            rethrow(own != null ? own : job.failure.get());
        } finally {
            BUSY.set(false);
        }
    }

    private static void inline(int parts, Part body) {
        Throwable failure = null;
        for (int p = 0; p < parts; p++) {
            try {
                body.run(p, parts);
            } catch (Throwable t) {
                failure = failure == null ? t : failure;
            }
        }
        rethrow(failure);
    }

    private static void rethrow(Throwable failure) {
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

    private static Worker[] startWorkers() {
        Worker[] w = new Worker[CORES - 1];
        for (int i = 0; i < w.length; i++) {
            w[i] = new Worker(i + 1);
            w[i].start();
        }
        return w;
    }

    /** One call's parts: taken one at a time by the caller and the workers it was offered to. */
    private static final class Job {
        final Part body;
        final int parts;
        final Thread caller;
        /** The next part not yet taken (part 0 is the caller's). */
        final AtomicInteger next = new AtomicInteger(1);
        /** Parts not yet finished. */
        final AtomicInteger remaining;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(Part body, int parts, Thread caller) {
            this.body = body;
            this.parts = parts;
            this.caller = caller;
            this.remaining = new AtomicInteger(parts);
        }

        /** Runs parts until none is left to take; a failure is kept (the first) and the next part still runs. */
        void runParts() {
            for (int p = next.getAndIncrement(); p < parts; p = next.getAndIncrement()) {
                try {
                    body.run(p, parts);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                finish();
            }
        }

        /** One part done; the last one wakes the caller if it parked. */
        void finish() {
            if (remaining.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }

        /** Waits for every part: spins a while, then parks (with a timeout, so a wake-up cannot be missed). */
        void await() {
            long spinEnd = System.nanoTime() + SPIN_NANOS;
            while (remaining.get() != 0) {
                if (System.nanoTime() < spinEnd) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 50_000L);
                }
            }
        }
    }

    /** A worker thread: takes the job offered to it, runs parts of it, spins for the next, then sleeps. */
    private static final class Worker extends Thread {
        private final AtomicReference<Job> offered = new AtomicReference<>();
        private volatile boolean sleeping;

        Worker(int index) {
            super("cairn-cpu-" + index);
            setDaemon(true);
        }

        /** Hands {@code job} to this worker (replacing an offer it never took: that job's parts are all taken). */
        void offer(Job job) {
            offered.set(job);
            if (sleeping) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            while (true) {
                take().runParts();
            }
        }

        private Job take() {
            long spinEnd = System.nanoTime() + SPIN_NANOS;
            while (true) {
                Job job = offered.getAndSet(null);
                if (job != null) {
                    return job;
                }
                if (System.nanoTime() < spinEnd) {
                    Thread.onSpinWait();
                    continue;
                }
                sleeping = true;
                if (offered.get() == null) { // an offer made before `sleeping` was seen set is not missed
                    LockSupport.park(this);
                }
                sleeping = false;
                spinEnd = System.nanoTime() + SPIN_NANOS;
            }
        }
    }
}
