package dev.cairn.samples.transfers;

import dev.cairn.backend.Storage;
import dev.cairn.DType;
import dev.cairn.Device;

/**
 * The memory of {@link CountingBackend}'s device: a CPU storage that only that backend can open, so no
 * code path can read the elements on the host except through the backend's counted download. Reports
 * itself as device memory that must be freed explicitly, as CUDA memory does. Thread-safe as the CPU
 * storage it wraps.
 */
final class CountedStorage implements Storage {
    private final Storage inner;

    CountedStorage(Storage inner) {
        this.inner = inner;
    }

    /** The CPU storage behind the device memory: for the backend's own kernels only. */
    Storage inner() {
        return inner;
    }

    @Override
    public Device device() {
        return Device.cuda(0);
    }

    @Override
    public int size() {
        return inner.size();
    }

    @Override
    public DType dtype() {
        return inner.dtype();
    }

    @Override
    public boolean isClosed() {
        return inner.isClosed();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return "CountedStorage[" + dtype() + " x " + size() + "]";
    }
}
