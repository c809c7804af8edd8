package dev.cairn.backend.cpu;

import dev.cairn.backend.Storage;
import dev.cairn.tensor.Device;

/** Float32 elements in a Java heap array: recycled through {@link CpuMemoryPool} when closed, else freed by the GC. */
final class CpuStorage implements Storage {
    final float[] data;
    private volatile boolean closed;
    /**
     * Bumped before and after every kernel that writes into this storage, so a cache derived from it
     * (even one built while a write was under way on another thread) can tell it is stale.
     */
    private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<CpuStorage> VERSION =
            java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(CpuStorage.class, "version");
    private volatile int version;
    /** A transposed copy of a matrix in this storage, kept for small-batch products (see {@link TransposeCache}). */
    volatile TransposeCache.Entry transposed;

    CpuStorage(float[] data) {
        this.data = data;
    }

    /** Marks the contents as changed. */
    void touch() {
        VERSION.incrementAndGet(this);
    }

    int version() {
        return version;
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
        return CpuMemoryPool.accepts(data.length);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Called when the last tensor over this storage is closed: the array goes back to the pool. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            transposed = null;
            CpuMemoryPool.give(data);
        }
    }
}
