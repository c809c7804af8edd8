package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The caching allocator's bookkeeping against a fake device memory (no GPU needed). */
class CachingAllocatorTest {

    /** A device of fixed capacity handing out numbered blocks, recording every call. */
    static final class FakeMemory implements DeviceMemory<Long> {
        final long capacity;
        long used;
        long next = 1;
        final Set<Long> live = new HashSet<>();
        final List<Long> allocSizes = new ArrayList<>();
        final List<Long> freed = new ArrayList<>();
        final List<Object> awaited = new ArrayList<>();
        final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public Long allocate(long bytes) {
            allocSizes.add(bytes);
            if (used + bytes > capacity) {
                return null;
            }
            used += bytes;
            long id = next++;
            live.add(id);
            sizes.put(id, bytes);
            return id;
        }

        @Override
        public void free(Long block) {
            assertTrue(live.remove(block), "free of a block that is not live: " + block);
            used -= sizes.remove(block);
            freed.add(block);
        }

        @Override
        public long freeBytes() {
            return capacity - used;
        }

        @Override
        public long totalBytes() {
            return capacity;
        }

        /** A recorded event: the stream it marks, and whether the work before it has finished. */
        static final class Event {
            final Object stream;
            boolean done;

            Event(Object stream) {
                this.stream = stream;
            }
        }

        final List<Event> recorded = new ArrayList<>();
        final Set<Event> outstanding = new HashSet<>();
        /** (waiting stream, event's stream) of every device-side wait. */
        final List<List<Object>> waits = new ArrayList<>();

        @Override
        public Object recordEvent(Object streamTag) {
            Event e = new Event(streamTag);
            recorded.add(e);
            outstanding.add(e);
            return e;
        }

        @Override
        public boolean eventDone(Object event) {
            assertTrue(outstanding.contains((Event) event), "query of a released event");
            return ((Event) event).done;
        }

        @Override
        public void streamWaitEvent(Object streamTag, Object event) {
            assertTrue(outstanding.contains((Event) event), "wait on a released event");
            waits.add(List.of(streamTag, ((Event) event).stream));
            awaited.add(((Event) event).stream);
        }

        @Override
        public void releaseEvent(Object event) {
            assertTrue(outstanding.remove((Event) event), "event released twice");
        }

        /** The device catches up: every event recorded so far completes. */
        void finishAll() {
            recorded.forEach(e -> e.done = true);
        }
    }

    @Test
    void bucketSizes() {
        assertEquals(512, CachingAllocator.bucketSize(0));
        assertEquals(512, CachingAllocator.bucketSize(1));
        assertEquals(512, CachingAllocator.bucketSize(512));
        assertEquals(1024, CachingAllocator.bucketSize(513));
        assertEquals(4096, CachingAllocator.bucketSize(4000));
        assertEquals(1 << 20, CachingAllocator.bucketSize((1 << 20) - 1));
        assertEquals(1 << 20, CachingAllocator.bucketSize(1 << 20));
        assertEquals(2 << 20, CachingAllocator.bucketSize((1 << 20) + 1));
        assertEquals(4 << 20, CachingAllocator.bucketSize((2 << 20) + 1));
        assertEquals(64L << 20, CachingAllocator.bucketSize(64L << 20));
        assertEquals(66L << 20, CachingAllocator.bucketSize((64L << 20) + 4));
        assertEquals(6L << 30, CachingAllocator.bucketSize(6L << 30));
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.bucketSize(-1));
        for (long b = 0; b < 5_000_000; b += 9973) {
            long s = CachingAllocator.bucketSize(b);
            assertTrue(s >= b && s >= CachingAllocator.MIN_BLOCK, "bucket " + s + " for " + b);
        }
    }

    @Test
    void steadyStateReusesCachedBlocks() {
        FakeMemory mem = new FakeMemory(1L << 30);
        CachingAllocator<Long> alloc = new CachingAllocator<>("fake:0", mem, () -> { });
        Object stream = new Object();
        // One "forward pass": a few intermediates of different sizes, all closed at the end.
        for (int pass = 0; pass < 5; pass++) {
            List<CachingAllocator.Block<Long>> blocks = new ArrayList<>();
            for (long bytes : new long[] {80, 4000, 4000, 1 << 20, 3 << 20}) {
                blocks.add(alloc.allocate(bytes, stream));
            }
            blocks.forEach(alloc::release);
        }
        assertEquals(5, alloc.rawAllocations(), "only the first pass allocates on the device");
        assertEquals(20, alloc.cacheHits());
        assertEquals(0, alloc.inUseBytes());
        assertEquals(512 + 4096 + 4096 + (1 << 20) + (4 << 20), alloc.cachedBytes());
        assertTrue(mem.awaited.isEmpty(), "same-stream reuse needs no wait");
        assertEquals(alloc.cachedBytes(), alloc.emptyCache());
        assertEquals(0, alloc.cachedBytes());
        assertTrue(mem.live.isEmpty());
        assertEquals(5, alloc.rawFrees());
    }

    @Test
    void reuseComesFromTheSameBucketOnly() {
        FakeMemory mem = new FakeMemory(1L << 30);
        CachingAllocator<Long> alloc = new CachingAllocator<>("fake:0", mem, () -> { });
        Object s = new Object();
        CachingAllocator.Block<Long> small = alloc.allocate(1000, s);
        assertEquals(1024, small.size());
        alloc.release(small);
        CachingAllocator.Block<Long> other = alloc.allocate(3000, s);  // 4096 bucket: a new block
        assertNotSame(small.pointer(), other.pointer());
        CachingAllocator.Block<Long> again = alloc.allocate(600, s);   // 1024 bucket: the cached one
        assertSame(small.pointer(), again.pointer());
        assertEquals(2, alloc.rawAllocations());
        assertEquals(1024 + 4096, alloc.inUseBytes());
        assertThrows(IllegalStateException.class, () -> {
            alloc.release(again);
            alloc.release(again);
        });
    }

    @Test
    void otherStreamWaitsForTheBlocksStream() {
        FakeMemory mem = new FakeMemory(1L << 30);
        CachingAllocator<Long> alloc = new CachingAllocator<>("fake:0", mem, () -> { });
        Object s1 = "stream-1";
        Object s2 = "stream-2";
        CachingAllocator.Block<Long> a = alloc.allocate(2048, s1);
        CachingAllocator.Block<Long> b = alloc.allocate(2048, s2);
        alloc.release(a);
        alloc.release(b);
        // s2 prefers its own block: no wait.
        CachingAllocator.Block<Long> c = alloc.allocate(2048, s2);
        assertSame(b.pointer(), c.pointer());
        assertTrue(mem.awaited.isEmpty());
        // Only s1's block is left: s2 waits on the device for s1's work up to the release.
        CachingAllocator.Block<Long> d = alloc.allocate(2048, s2);
        assertSame(a.pointer(), d.pointer());
        assertEquals(List.of(List.of(s2, s1)), mem.waits);
        assertSame(s2, d.stream());
        assertEquals(1, alloc.streamWaits());
        assertTrue(mem.outstanding.stream().noneMatch(e -> e.stream == s1), "the waited event went back to the pool");
    }

    @Test
    void aFinishedStreamNeedsNoWait() {
        FakeMemory mem = new FakeMemory(1L << 30);
        CachingAllocator<Long> alloc = new CachingAllocator<>("fake:0", mem, () -> { });
        CachingAllocator.Block<Long> a = alloc.allocate(4096, "s1");
        alloc.release(a);
        mem.finishAll();
        CachingAllocator.Block<Long> b = alloc.allocate(4096, "s2");
        assertSame(a.pointer(), b.pointer());
        assertTrue(mem.waits.isEmpty(), "the event had completed: " + mem.waits);
        assertTrue(mem.outstanding.isEmpty());
    }

    @Test
    void aBlockUsedOnAnotherStreamIsNotReusedBeforeThatStreamsWork() {
        // Thread A allocates on s1, thread B reads it on s2 (recordStream), A frees it and allocates again.
        FakeMemory mem = new FakeMemory(1L << 30);
        CachingAllocator<Long> alloc = new CachingAllocator<>("fake:0", mem, () -> { });
        Object s1 = "stream-A";
        Object s2 = "stream-B";
        CachingAllocator.Block<Long> x = alloc.allocate(8192, s1);
        alloc.recordStream(x, s2);
        alloc.recordStream(x, s2);
        alloc.recordStream(x, s1);  // its own stream: nothing to note
        alloc.release(x);
        assertEquals(2, mem.recorded.size(), "one event on each stream that used the block");
        CachingAllocator.Block<Long> y = alloc.allocate(8192, s1);
        assertSame(x.pointer(), y.pointer());
        // s1 needs no wait for its own work, but must wait for B's reads on s2.
        assertEquals(List.of(List.of(s1, s2)), mem.waits);
        assertTrue(mem.outstanding.isEmpty(), "both events went back to the pool");
        // Released again without other users: one event, on s1 only.
        alloc.release(y);
        assertEquals(3, mem.recorded.size());
        assertSame(s1, mem.recorded.get(2).stream);
    }

    @Test
    void emptyCacheGivesBackThePendingEvents() {
        FakeMemory mem = new FakeMemory(1L << 30);
        CachingAllocator<Long> alloc = new CachingAllocator<>("fake:0", mem, () -> { });
        CachingAllocator.Block<Long> a = alloc.allocate(100, "s1");
        alloc.recordStream(a, "s2");
        alloc.release(a);
        assertEquals(2, mem.outstanding.size());
        alloc.emptyCache();
        assertTrue(mem.outstanding.isEmpty());
        assertTrue(mem.live.isEmpty());
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetries() {
        FakeMemory mem = new FakeMemory(10L << 20);
        AtomicInteger gcs = new AtomicInteger();
        CachingAllocator<Long> alloc = new CachingAllocator<>("fake:0", mem, gcs::incrementAndGet);
        Object s = new Object();
        CachingAllocator.Block<Long> a = alloc.allocate(4L << 20, s);
        CachingAllocator.Block<Long> b = alloc.allocate(4L << 20, s);
        alloc.release(a);
        alloc.release(b);
        assertEquals(8L << 20, alloc.cachedBytes());
        // 6 MiB does not fit beside the 8 MiB cache; emptying the cache makes room, no GC needed.
        CachingAllocator.Block<Long> c = alloc.allocate(6L << 20, s);
        assertEquals(6L << 20, c.size());
        assertEquals(0, gcs.get());
        assertEquals(0, alloc.cachedBytes());
        assertEquals(2, mem.freed.size());
        assertEquals(6L << 20, alloc.inUseBytes());
    }

    @Test
    void outOfMemoryRunsTheGcOnceThenThrowsWithBothByteCounts() {
        FakeMemory mem = new FakeMemory(10L << 20);
        AtomicInteger gcs = new AtomicInteger();
        CachingAllocator<Long> alloc = new CachingAllocator<>("fake:0", mem, gcs::incrementAndGet);
        Object s = new Object();
        alloc.allocate(8L << 20, s);  // live, never released
        int callsBefore = mem.allocSizes.size();
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                () -> alloc.allocate(4L << 20, s));
        assertEquals(1, gcs.get(), "the GC hook runs exactly once");
        assertEquals(3, mem.allocSizes.size() - callsBefore, "first try, retry after emptying, retry after GC");
        assertEquals(4L << 20, e.requestedBytes());
        assertEquals(2L << 20, e.freeBytes());
        assertEquals(10L << 20, e.totalBytes());
        assertEquals(8L << 20, e.inUseBytes());
        assertTrue(e.getMessage().contains("4194304 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("2097152 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("fake:0"), e.getMessage());
        // Still usable afterwards.
        CachingAllocator.Block<Long> ok = alloc.allocate(1L << 20, s);
        assertEquals(1L << 20, ok.size());
    }

    @Test
    void gcThatReturnsBlocksLetsTheRetrySucceed() {
        FakeMemory mem = new FakeMemory(10L << 20);
        List<CachingAllocator.Block<Long>> leaked = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<CachingAllocator<Long>> holder = new java.util.concurrent.atomic.AtomicReference<>();
        // The GC hook plays the Cleaner: it closes a storage nobody closed, returning its block to the cache.
        holder.set(new CachingAllocator<>("fake:0", mem, () -> leaked.forEach(holder.get()::release)));
        CachingAllocator<Long> alloc = holder.get();
        Object s = new Object();
        leaked.add(alloc.allocate(8L << 20, s));
        CachingAllocator.Block<Long> c = alloc.allocate(6L << 20, s);
        assertEquals(6L << 20, c.size());
        assertEquals(6L << 20, alloc.inUseBytes());
        assertEquals(0, alloc.cachedBytes());
    }
}
