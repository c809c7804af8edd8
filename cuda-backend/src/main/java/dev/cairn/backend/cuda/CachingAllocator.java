package dev.cairn.backend.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A caching allocator for one device, so that a steady-state forward pass makes no raw device
 * allocation: a closed storage's block goes to a free list of its size bucket and the next request
 * of that bucket takes it back.
 *
 * <p>Buckets: requests up to {@value #SMALL_LIMIT} bytes round up to a power of two (at least
 * {@value #MIN_BLOCK} bytes); larger requests round up to a multiple of {@value #LARGE_ROUND} bytes.
 * A request is served only from its own bucket (no splitting).
 *
 * <p>Streams, as PyTorch's {@code record_stream}: each block remembers the stream (an opaque tag) it was
 * allocated for and every other stream it was used on ({@link #recordStream}). Releasing it records an
 * event on each of those streams ({@link DeviceMemory#recordEvent}). Reusing it on one of them needs no
 * wait for that stream's event (stream order protects the earlier kernels); for each other stream whose
 * event has not completed, the new stream waits for it on the device ({@link DeviceMemory#streamWaitEvent}),
 * so a block freed after use on one thread's stream is never overwritten by another stream while that
 * work runs, and the host never blocks for it. A request prefers a cached block of its own stream.
 *
 * <p>Out of memory: the allocator empties its cache and retries; if that fails it runs the GC hook
 * once (by default {@code System.gc()} and a short pause, so that Cleaners return the blocks of
 * unreachable tensors), empties the cache again and retries; then it throws
 * {@link DeviceOutOfMemoryException} naming the requested and the free bytes. It stays usable.
 *
 * <p>Thread-safe; the lock is never held while calling the device or the GC hook.
 *
 * @param <P> the raw block handle of the {@link DeviceMemory}
 */
public final class CachingAllocator<P> {
    private static final Logger LOG = LoggerFactory.getLogger(CachingAllocator.class);

    /** Smallest bucket, in bytes. */
    public static final long MIN_BLOCK = 512;
    /** Requests up to this many bytes round up to a power of two. */
    public static final long SMALL_LIMIT = 1L << 20;
    /** Larger requests round up to a multiple of this many bytes. */
    public static final long LARGE_ROUND = 2L << 20;

    /** One block handed out by the allocator; give it back with {@link #release}. */
    public static final class Block<P> {
        private final P pointer;
        private final long size;
        private Object stream;
        private boolean inUse;
        /** Streams other than {@link #stream} the block was used on since it was handed out. */
        private final List<Object> otherStreams = new ArrayList<>(0);
        /** (stream tag, event) pairs recorded at release; waited for or dropped at reuse. */
        private final List<Object[]> pending = new ArrayList<>(0);

        Block(P pointer, long size, Object stream) {
            this.pointer = pointer;
            this.size = size;
            this.stream = stream;
        }

        /** The raw device block. */
        public P pointer() {
            return pointer;
        }

        /** Bucket size in bytes (at least the requested size). */
        public long size() {
            return size;
        }

        /** The stream tag the block was last handed out for. */
        public Object stream() {
            return stream;
        }
    }

    private final String deviceName;
    private final DeviceMemory<P> memory;
    private final Runnable gcHook;
    private final Map<Long, ArrayDeque<Block<P>>> free = new HashMap<>();
    private long inUseBytes;
    private long cachedBytes;
    private long rawAllocations;
    private long rawFrees;
    private long cacheHits;
    private long streamWaits;

    /** An allocator over {@code memory} whose out-of-memory path runs {@link #defaultGcHook()}. */
    public CachingAllocator(String deviceName, DeviceMemory<P> memory) {
        this(deviceName, memory, CachingAllocator::defaultGcHook);
    }

    /** An allocator with an explicit GC hook (tests count its calls). */
    public CachingAllocator(String deviceName, DeviceMemory<P> memory, Runnable gcHook) {
        this.deviceName = Objects.requireNonNull(deviceName);
        this.memory = Objects.requireNonNull(memory);
        this.gcHook = Objects.requireNonNull(gcHook);
    }

    /** {@code System.gc()} then a short pause so that Cleaners can close unreachable storages. */
    public static void defaultGcHook() {
        System.gc();
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The bucket size for a request of {@code bytes} bytes. */
    public static long bucketSize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation size " + bytes);
        }
        if (bytes <= MIN_BLOCK) {
            return MIN_BLOCK;
        }
        if (bytes <= SMALL_LIMIT) {
            return Long.highestOneBit(bytes - 1) << 1;
        }
        return ((bytes + LARGE_ROUND - 1) / LARGE_ROUND) * LARGE_ROUND;
    }

    /**
     * A block of at least {@code bytes} bytes for use on {@code stream}.
     *
     * @throws DeviceOutOfMemoryException when the device has no room even after emptying the cache and a GC
     */
    public Block<P> allocate(long bytes, Object stream) {
        long size = bucketSize(bytes);
        Block<P> cached = takeCached(size, stream);
        if (cached != null) {
            List<Object[]> events;
            synchronized (this) {
                events = new ArrayList<>(cached.pending);
                cached.pending.clear();
                cached.stream = stream;
            }
            for (Object[] e : events) {
                try {
                    if (e[0] != stream && !memory.eventDone(e[1])) {
                        memory.streamWaitEvent(stream, e[1]);
                        synchronized (this) {
                            streamWaits++;
                        }
                    }
                } finally {
                    memory.releaseEvent(e[1]);
                }
            }
            return cached;
        }
        P p = memory.allocate(size);
        if (p == null) {
            long released = emptyCache();
            LOG.debug("{}: out of memory for {} bytes; emptied {} cached bytes and retrying", deviceName, size, released);
            p = memory.allocate(size);
        }
        if (p == null) {
            LOG.debug("{}: still out of memory for {} bytes; running the GC once and retrying", deviceName, size);
            gcHook.run();
            emptyCache();
            p = memory.allocate(size);
        }
        if (p == null) {
            long inUse;
            synchronized (this) {
                inUse = inUseBytes;
            }
            throw new DeviceOutOfMemoryException(deviceName, size, memory.freeBytes(), memory.totalBytes(), inUse);
        }
        Block<P> b = new Block<>(p, size, stream);
        synchronized (this) {
            rawAllocations++;
            b.inUse = true;
            inUseBytes += size;
        }
        return b;
    }

    private synchronized Block<P> takeCached(long size, Object stream) {
        ArrayDeque<Block<P>> list = free.get(size);
        if (list == null || list.isEmpty()) {
            return null;
        }
        Block<P> pick = null;
        for (Iterator<Block<P>> it = list.iterator(); it.hasNext(); ) {
            Block<P> b = it.next();
            if (b.stream == stream) {
                pick = b;
                it.remove();
                break;
            }
        }
        if (pick == null) {
            pick = list.pollFirst();
        }
        pick.inUse = true;
        cachedBytes -= size;
        inUseBytes += size;
        cacheHits++;
        return pick;
    }

    /**
     * Notes that {@code block} is used by work on {@code stream} as well as on its own stream (as
     * PyTorch's {@code Tensor.record_stream}); its release then also waits for that stream's work.
     * Cheap when the stream is the block's own or already noted.
     */
    public synchronized void recordStream(Block<P> block, Object stream) {
        if (stream != block.stream && !containsIdentity(block.otherStreams, stream)) {
            block.otherStreams.add(stream);
        }
    }

    private static boolean containsIdentity(List<Object> list, Object x) {
        for (Object o : list) {
            if (o == x) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns a block to the cache, recording an event on each stream that used it (see the class
     * comment); no other device call. Releasing a block twice is an error.
     */
    public void release(Block<P> block) {
        List<Object> streams;
        synchronized (this) {
            if (!block.inUse) {
                throw new IllegalStateException("block released twice");
            }
            streams = new ArrayList<>(1 + block.otherStreams.size());
            if (block.stream != null) {
                streams.add(block.stream);
            }
            streams.addAll(block.otherStreams);
        }
        // Outside the lock: a driver call. The block is still marked in use, so no one can take it.
        List<Object[]> events = new ArrayList<>(streams.size());
        for (Object s : streams) {
            events.add(new Object[] {s, memory.recordEvent(s)});
        }
        synchronized (this) {
            block.pending.addAll(events);
            block.otherStreams.clear();
            releaseLocked(block);
        }
    }

    private void releaseLocked(Block<P> block) {
        if (!block.inUse) {
            throw new IllegalStateException("block released twice");
        }
        block.inUse = false;
        inUseBytes -= block.size;
        cachedBytes += block.size;
        free.computeIfAbsent(block.size, s -> new ArrayDeque<>()).addLast(block);
    }

    /** Frees every cached block on the device; returns the bytes given back. */
    public long emptyCache() {
        List<Block<P>> toFree = new ArrayList<>();
        synchronized (this) {
            for (ArrayDeque<Block<P>> list : free.values()) {
                toFree.addAll(list);
            }
            free.clear();
            cachedBytes = 0;
            rawFrees += toFree.size();
        }
        long bytes = 0;
        for (Block<P> b : toFree) {
            // The driver's free waits for pending work on the block; its events are no longer needed.
            for (Object[] e : b.pending) {
                memory.releaseEvent(e[1]);
            }
            b.pending.clear();
            memory.free(b.pointer);
            bytes += b.size;
        }
        return bytes;
    }

    /** Bytes held by blocks handed out and not yet released. */
    public synchronized long inUseBytes() {
        return inUseBytes;
    }

    /** Bytes held in the cache (allocated on the device, free for reuse). */
    public synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** How many raw device allocations were made. */
    public synchronized long rawAllocations() {
        return rawAllocations;
    }

    /** How many raw device frees were made. */
    public synchronized long rawFrees() {
        return rawFrees;
    }

    /** How many requests were served from the cache. */
    public synchronized long cacheHits() {
        return cacheHits;
    }

    /** How many reuses made a stream wait on the device for another stream's event. */
    public synchronized long streamWaits() {
        return streamWaits;
    }

    @Override
    public synchronized String toString() {
        return deviceName + " allocator: " + inUseBytes + " bytes in use, " + cachedBytes + " cached, "
                + rawAllocations + " raw allocations, " + rawFrees + " raw frees, " + cacheHits + " cache hits";
    }
}
