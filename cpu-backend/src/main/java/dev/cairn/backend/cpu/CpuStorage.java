package dev.cairn.backend.cpu;

import dev.cairn.backend.Storage;
import dev.cairn.tensor.Device;

/** Float32 elements in a Java heap array; the garbage collector frees it. */
final class CpuStorage implements Storage {
    final float[] data;
    private volatile boolean closed;

    CpuStorage(float[] data) {
        this.data = data;
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
