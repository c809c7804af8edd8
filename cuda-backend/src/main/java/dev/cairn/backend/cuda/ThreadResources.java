package dev.cairn.backend.cuda;

import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One resource per thread (a CUDA stream with its cuBLAS handle and pinned staging buffer) that is
 * given back when the thread ends: {@link #get()} makes the calling thread's resource on first use and
 * registers the thread with a {@link Cleaner}, which retires the resource once the finished thread is
 * unreachable; {@link #releaseCurrentThread()} retires it at once (thread pools that want it now).
 * A retired resource is never used again by this object. Thread-safe.
 *
 * @param <R> the resource
 */
final class ThreadResources<R> {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Supplier<R> create;
    private final Consumer<R> retire;
    private final ThreadLocal<Holder<R>> local = new ThreadLocal<>();
    private final AtomicInteger live = new AtomicInteger();

    /** The calling thread's resource and the registration that retires it. */
    private static final class Holder<R> implements Runnable {
        final R resource;
        final ThreadResources<R> owner;
        Cleaner.Cleanable cleanable;
        private final java.util.concurrent.atomic.AtomicBoolean retired = new java.util.concurrent.atomic.AtomicBoolean();

        Holder(R resource, ThreadResources<R> owner) {
            this.resource = resource;
            this.owner = owner;
        }

        @Override
        public void run() {
            if (retired.compareAndSet(false, true)) {
                owner.live.decrementAndGet();
                owner.retire.accept(resource);
            }
        }
    }

    /**
     * @param create makes a resource for the calling thread
     * @param retire gives one back (destroys it or returns it to a pool); it runs on the cleaner's thread
     *               for a thread that ended, and must not throw
     */
    ThreadResources(Supplier<R> create, Consumer<R> retire) {
        this.create = Objects.requireNonNull(create);
        this.retire = Objects.requireNonNull(retire);
    }

    /** The calling thread's resource, made on first use. */
    R get() {
        Holder<R> h = local.get();
        if (h == null) {
            h = new Holder<>(create.get(), this);
            live.incrementAndGet();
            // The action holds the resource, never the thread, so the finished thread can be collected.
            h.cleanable = CLEANER.register(Thread.currentThread(), h);
            local.set(h);
        }
        return h.resource;
    }

    /** Retires the calling thread's resource now, if it has one; the next {@link #get()} makes a new one. */
    void releaseCurrentThread() {
        Holder<R> h = local.get();
        if (h != null) {
            local.remove();
            h.cleanable.clean();
        }
    }

    /** Resources made and not yet retired. */
    int live() {
        return live.get();
    }
}
