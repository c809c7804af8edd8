package dev.cairn.backend.cuda;

/**
 * Raw device memory as {@link CachingAllocator} sees it: allocate and free blocks, ask how much is
 * free, and wait for a stream. The CUDA backend implements it over the driver API; tests implement it
 * over a fake memory, so that the allocator's bookkeeping is checked without a GPU.
 *
 * @param <P> the handle of one raw block (a device pointer)
 */
public interface DeviceMemory<P> {
    /**
     * Allocates {@code bytes} bytes.
     *
     * @return the block, or {@code null} when the device is out of memory
     * @throws dev.cairn.tensor.CairnException for any other failure
     */
    P allocate(long bytes);

    /** Gives a block obtained from {@link #allocate} back to the device. */
    void free(P block);

    /** Bytes free on the device right now (for error messages). */
    long freeBytes();

    /** Total bytes of the device (for error messages). */
    long totalBytes();

    /**
     * Waits until the work queued so far on the stream identified by {@code streamTag} has finished.
     * The allocator calls it before handing a cached block, last used on that stream, to another stream.
     */
    void awaitStream(Object streamTag);
}
