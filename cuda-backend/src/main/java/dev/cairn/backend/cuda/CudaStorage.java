package dev.cairn.backend.cuda;

import dev.cairn.backend.Storage;
import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.DeviceException;
import java.util.concurrent.atomic.AtomicBoolean;
import jcuda.driver.CUdeviceptr;

/**
 * Memory for {@code size} elements of one dtype (float32, int64, int32, or bool as one byte each) on one
 * CUDA device: a block of the device's {@link CachingAllocator}, which counts bytes. Closing it returns the
 * block to the cache (no driver call, so a Cleaner thread may close it); closing is thread-safe.
 */
final class CudaStorage implements Storage {
    private final CudaDevice device;
    private final CachingAllocator.Block<CUdeviceptr> block;
    private final DType dtype;
    private final int size;
    private final AtomicBoolean closed = new AtomicBoolean();

    CudaStorage(CudaDevice device, CachingAllocator.Block<CUdeviceptr> block, DType dtype, int size) {
        this.device = device;
        this.block = block;
        this.dtype = dtype;
        this.size = size;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    CudaDevice cudaDevice() {
        return device;
    }

    /** The device pointer of element 0. */
    CUdeviceptr pointer() {
        if (closed.get()) {
            throw new DeviceException("use of a closed CUDA storage on " + device.device());
        }
        return block.pointer();
    }

    /**
     * Notes that work on {@code stream} uses this storage, so that its block is not reused by another
     * stream before that work finishes ({@link CachingAllocator#recordStream}).
     */
    void useOn(jcuda.driver.CUstream stream) {
        if (block.stream() != stream) {
            device.allocator().recordStream(block, stream);
        }
    }

    /** The device pointer of element {@code offset}. */
    CUdeviceptr pointer(long offset) {
        return offset == 0 ? pointer() : pointer().withByteOffset(offset * dtype.byteSize());
    }

    @Override
    public Device device() {
        return device.device();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            device.allocator().release(block);
        }
    }

    @Override
    public String toString() {
        return "CudaStorage[" + device.device() + ", " + size + " " + dtype + " elements" + (isClosed() ? ", closed" : "") + "]";
    }
}
