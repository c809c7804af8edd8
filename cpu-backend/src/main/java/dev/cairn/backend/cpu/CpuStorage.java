package dev.cairn.backend.cpu;

import dev.cairn.backend.Storage;
import dev.cairn.CairnException;
import dev.cairn.Device;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
    private static final VarHandle POOLED;

    static {
        try {
            POOLED = MethodHandles.lookup().findVarHandle(CpuStorage.class, "pooled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** Bit 30: closed; bits 0-29: kernels running on this storage. */
    private static final int CLOSED = 1 << 30;
    private static final AtomicIntegerFieldUpdater<CpuStorage> STATE =
            AtomicIntegerFieldUpdater.newUpdater(CpuStorage.class, "state");
    private volatile int state;
    /**
     * What a cache built from this storage notes to learn later whether it is stale: 0 until the first write,
     * {@link #WRITTEN} after a write nobody has noted yet, or a {@linkplain WriteStamps stamp} that the first
     * reader after a write put in place of {@code WRITTEN} (see {@link #version()}).
     */
    private static final AtomicLongFieldUpdater<CpuStorage> VERSION =
            AtomicLongFieldUpdater.newUpdater(CpuStorage.class, "version");
    private static final long WRITTEN = -1;
    private volatile long version;
    /** A transposed copy of a matrix in this storage, kept for small-batch products (see {@link TransposeCache}). */
    volatile TransposeCache.Entry transposed;
    /** A matrix in this storage packed for the blocked GEMM, kept for repeated products (see {@link PackedBCache}). */
    volatile PackedBCache.Entry packed;

    CpuStorage(float[] data) {
        this.data = data;
        // a release store, not a volatile write: the latter is a full fence on x86, paid by every tensor an op
        // makes; false, the default, needs no store at all
        if (CpuMemoryPool.accepts(data.length)) {
            POOLED.setRelease(this, true);
        }
    }

    /**
     * Marks the contents as changed; a kernel calls it when it has written (through {@link KernelPins}): a
     * release store of the constant {@link #WRITTEN} after the kernel's own stores, which on x86 is one plain
     * store, with no read, no locked instruction and no thread-local lookup. Two kernels writing one storage at
     * once (disjoint halves on two threads) store the same constant, and that is enough: what a reader noted
     * is never {@code WRITTEN}, so any write after the noting makes it stale.
     */
    void touch() {
        VERSION.lazySet(this, WRITTEN);
    }

    /**
     * The version a cache built now notes, read before the data it copies (an acquire read): the same value
     * until the next write, and after a write a value never returned before. After a write the first reader
     * replaces {@link #WRITTEN} with a fresh {@linkplain WriteStamps stamp} (compare-and-set: a write stored
     * after that replaces the stamp again, and one stored before it is seen with its data, the read of the
     * constant acquiring the writer's release). Readers are the weight caches, once per product; most
     * products after a write find the stamp in place.
     */
    long version() {
        long v = version;
        while (v == WRITTEN) {
            long stamp = WriteStamps.next();
            if (VERSION.compareAndSet(this, WRITTEN, stamp)) {
                return stamp;
            }
            v = version;
        }
        return v;
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
