package dev.cairn.backend.cpu;

import dev.cairn.backend.Storage;
import dev.cairn.DType;
import dev.cairn.Device;

/**
 * Heap storage of a non-float dtype: a {@code long[]} (INT64), {@code int[]} (INT32) or {@code boolean[]}
 * (BOOL). Not pooled: integer and bool tensors are small next to activations. Float32 storages are
 * {@link CpuStorage}.
 */
final class CpuTypedStorage implements Storage {
    final DType dtype;
    final Object data;
    private volatile boolean closed;

    CpuTypedStorage(DType dtype, Object data) {
        this.dtype = dtype;
        this.data = data;
    }

    static CpuTypedStorage allocate(DType dtype, int numel) {
        return new CpuTypedStorage(dtype, switch (dtype) {
            case INT64 -> new long[numel];
            case INT32 -> new int[numel];
            case BOOL -> new boolean[numel];
            case FLOAT32 -> throw new IllegalArgumentException("float32 storages are CpuStorage");
        });
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public int size() {
        return java.lang.reflect.Array.getLength(data);
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
