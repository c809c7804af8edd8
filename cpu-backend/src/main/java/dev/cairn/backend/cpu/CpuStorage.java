package dev.cairn.backend.cpu;

import dev.cairn.backend.Storage;
import dev.cairn.tensor.Device;

/** Float32 elements in a Java heap array; the garbage collector frees it. */
final class CpuStorage implements Storage {
    final float[] data;
    private volatile boolean closed;
    /** Bumped by every kernel that writes into this storage, so caches derived from it can tell they are stale. */
    private volatile int version;
    /** A transposed copy of a matrix in this storage, kept for small-batch products (see {@link TransposeCache}). */
    volatile TransposeCache.Entry transposed;

    CpuStorage(float[] data) {
        this.data = data;
    }

    /** Marks the contents as changed. */
    void touch() {
        version++;
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
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
