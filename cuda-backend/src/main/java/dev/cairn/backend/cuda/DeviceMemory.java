package dev.cairn.backend.cuda;

/**
 * Raw device memory as {@link CachingAllocator} sees it: allocate and free blocks, ask how much is
 * free, and order streams with events. The CUDA backend implements it over the driver API; tests implement it
 * over a fake memory, so that the allocator's bookkeeping is checked without a GPU.
 *
 * @param <P> the handle of one raw block (a device pointer)
 */
public interface DeviceMemory<P> {
    /**
     * Allocates {@code bytes} bytes.
     *
     * @return the block, or {@code null} when the device is out of memory
     * @throws dev.cairn.CairnException for any other failure
     */
    P allocate(long bytes);

    /** Gives a block obtained from {@link #allocate} back to the device. */
    void free(P block);

    /** Bytes free on the device right now (for error messages). */
    long freeBytes();

    /** Total bytes of the device (for error messages). */
    long totalBytes();

    /**
     * Records an event on the stream identified by {@code streamTag}, after the work queued on it so
     * far, and returns its handle (implementations pool events). The allocator records one when a block
     * is released, on every stream the block was used on.
     */
    Object recordEvent(Object streamTag);

    /** Whether the work before {@code event} has finished; never waits. */
    boolean eventDone(Object event);

    /**
     * Makes the stream {@code streamTag} wait, on the device, for {@code event} before it runs the work
     * queued after this call; the host does not block ({@code cuStreamWaitEvent}).
     */
    void streamWaitEvent(Object streamTag, Object event);

    /** Gives an event from {@link #recordEvent} back (to a pool); it is not used again by the caller. */
    void releaseEvent(Object event);
}
