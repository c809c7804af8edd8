package dev.cairn.backend.cpu;

import dev.cairn.backend.Storage;
import dev.cairn.CairnException;
import dev.cairn.Device;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * Float32 elements in a Java heap array: recycled through {@link CpuMemoryPool} when closed, else freed by the GC.
 *
 * <p>Every kernel {@linkplain #pin pins} the storages it reads or writes for its whole run. {@link #close()}
 * (the last tensor over the storage was closed, possibly on another thread) marks the storage closed at
 * once, so no new kernel can start on it, but the array goes back to the pool only when the last running
 * kernel unpins it: a kernel never sees the numbers of the tensor that reuses the memory next, it either
 * completes on the old values or fails with a clear "closed" error before it reads anything.
 */
final class CpuStorage implements Storage {
    final float[] data;
    /**
     * Whether the array goes back to the pool on close (so kernels must pin it while they run): set for
     * lengths the pool takes, cleared for good by {@link #keepOutOfPool} (a parameter's memory). Once
     * cleared, nothing recycles the array, so a kernel that saw it cleared can read it unpinned.
     */
    volatile boolean pooled;
    /** Bit 30: closed; bits 0-29: kernels running on this storage. */
    private static final int CLOSED = 1 << 30;
    private static final AtomicIntegerFieldUpdater<CpuStorage> STATE =
            AtomicIntegerFieldUpdater.newUpdater(CpuStorage.class, "state");
    private volatile int state;
    /**
     * A {@linkplain WriteStamps stamp} stored after every kernel that writes into this storage (0 until the
     * first), so a cache derived from it (even one built while a write was under way on another thread) can
     * tell it is stale.
     */
    private static final AtomicLongFieldUpdater<CpuStorage> VERSION =
            AtomicLongFieldUpdater.newUpdater(CpuStorage.class, "version");
    private volatile long version;
    /** A transposed copy of a matrix in this storage, kept for small-batch products (see {@link TransposeCache}). */
    volatile TransposeCache.Entry transposed;
    /** A matrix in this storage packed for the blocked GEMM, kept for repeated products (see {@link PackedBCache}). */
    volatile PackedBCache.Entry packed;

    CpuStorage(float[] data) {
        this.data = data;
        this.pooled = CpuMemoryPool.accepts(data.length);
    }

    /**
     * Marks the contents as changed; a kernel calls it when it has written (through {@link KernelPins}).
     * A reader that builds a cache notes {@link #version()} first (an acquire read) and then reads the
     * data: if a write overlapped or followed that read, its stamp is stored after it and differs from the
     * one noted (stamps are never reused), so the cache is stale; if the stamp was seen, the release store
     * makes the kernel's data visible too. A release store of a fresh stamp rather than an atomic increment:
     * on x86 it is a plain store, where a locked instruction per kernel cost measurably on small models; and
     * unlike storing the count read plus one, two kernels writing disjoint parts of one storage on two
     * threads cannot store the same value.
     */
    void touch() {
        VERSION.lazySet(this, WriteStamps.next());
    }

    long version() {
        return version;
    }

    /**
     * Claims the array for one kernel: until the matching {@link #unpin}, a concurrent {@link #close()}
     * does not hand it to the pool.
     *
     * @throws CairnException when the storage is already closed
     */
    void pin() {
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) {
                throw new CairnException("a tensor used by this operation has been closed (its memory of "
                        + data.length + " floats was released, possibly by another thread closing it while this"
                        + " operation started); it cannot be used any more");
            }
            if ((s & ~CLOSED) == CLOSED - 1) {
                throw new IllegalStateException("internal error: too many kernels pin one CPU storage");
            }
            if (STATE.compareAndSet(this, s, s + 1)) {
                return;
            }
        }
    }

    /** Ends a kernel's claim; the last one after {@link #close()} recycles the array. */
    void unpin() {
        if (STATE.decrementAndGet(this) == CLOSED) {
            recycle();
        }
    }

    /** Kernels running on this storage now (for tests). */
    int pins() {
        return state & ~CLOSED;
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public int size() {
        return data.length;
    }

    @Override
    public boolean needsExplicitFree() {
        return false;
    }

    @Override
    public boolean recyclable() {
        return pooled;
    }

    @Override
    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /**
     * Called when the last tensor over this storage is closed: the array goes back to the pool now, or
     * when the last kernel still running on it finishes.
     */
    @Override
    public void close() {
        int before = STATE.getAndUpdate(this, s -> s | CLOSED);
        if (before == 0) {
            recycle();
        }
    }

    /** The array is left to the garbage collector once closed: kernels stop pinning this storage. */
    @Override
    public void keepOutOfPool() {
        if (pooled) {
            pooled = false; // a volatile store (a fence on x86) once, not on every call
        }
    }

    private void recycle() {
        // the cached copies go with the storage (a packed one can be several times the weight); each is a volatile
        // field, written only when set: a volatile store is a full fence on x86, and most storages never hold one
        if (transposed != null) {
            transposed = null;
        }
        if (packed != null) {
            packed = null;
        }
        if (pooled) {
            CpuMemoryPool.give(data);
        }
    }
}
