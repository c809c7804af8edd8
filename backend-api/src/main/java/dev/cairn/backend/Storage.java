package dev.cairn.backend;

import dev.cairn.DType;
import dev.cairn.Device;

/**
 * A flat block of float32 elements in one device's memory, owned by the backend that made it.
 * Tensors are views (offset, shape, strides) over a storage; several views can share one.
 * {@link #close()} gives the memory back; it is idempotent.
 */
public interface Storage extends AutoCloseable {
    /** The device that holds the memory. */
    Device device();

    /** Capacity in elements. */
    int size();

    /** The element type (float32 unless the backend made the storage for another dtype). */
    default DType dtype() {
        return DType.FLOAT32;
    }

    /**
     * Whether the memory must be given back explicitly (device memory, pooled buffers). Storages on the
     * Java heap say false: tensors over them skip reference counting and the cleaner.
     */
    default boolean needsExplicitFree() {
        return true;
    }

    /**
     * Whether the backend can reuse the memory once every tensor over it is closed, although the garbage
     * collector would free it too (pooled heap arrays): tensors then count their claims, without a cleaner.
     */
    default boolean recyclable() {
        return false;
    }

    /**
     * Marks the memory as long-lived (what a module's parameters and buffers stand on): once every tensor
     * over it is closed it is left to the garbage collector rather than recycled, so kernels need not claim
     * it while they run. One-way and safe to call from any thread; the default does nothing.
     */
    default void keepOutOfPool() {
    }

    /** Whether {@link #close()} has run. */
    boolean isClosed();

    /** Frees the memory (or returns it to the backend's cache). Safe to call more than once. */
    @Override
    void close();
}
