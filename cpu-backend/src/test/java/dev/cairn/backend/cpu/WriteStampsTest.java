package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class WriteStampsTest {

    @Test
    void stampsFromManyThreadsAreAllDifferentAndNeverZero() throws Exception {
        int threads = 4;
        int each = 200_000; // the four threads interleave their increments
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            @SuppressWarnings("unchecked")
            Future<long[]>[] got = new Future[threads];
            for (int t = 0; t < threads; t++) {
                got[t] = pool.submit(() -> {
                    start.await();
                    long[] s = new long[each];
                    for (int i = 0; i < each; i++) {
                        s[i] = WriteStamps.next();
                    }
                    return s;
                });
            }
            start.countDown();
            Set<Long> seen = new HashSet<>();
            for (Future<long[]> f : got) {
                long[] s = f.get(); // rethrows a failure on the worker
                for (int i = 0; i < s.length; i++) {
                    assertNotEquals(0L, s[i], "0 stands for a storage never written");
                    if (i > 0) {
                        assertTrue(s[i] > s[i - 1], "one thread's stamps increase");
                    }
                    assertTrue(seen.add(s[i]), "stamp " + s[i] + " handed out twice");
                }
            }
            assertEquals(threads * each, seen.size());
        } finally {
            pool.shutdownNow();
        }
    }

    /** What a cache notes stays the same until a write, and differs from every earlier value after one. */
    @Test
    void theVersionChangesWithEachWriteOnly() {
        CpuStorage storage = new CpuStorage(new float[8]);
        assertEquals(0L, storage.version(), "a new storage has not been written");
        storage.touch();
        long first = storage.version();
        assertTrue(first > 0, "a stamp after a write");
        assertEquals(first, storage.version(), "no write since: the same version");
        storage.touch();
        storage.touch();
        long second = storage.version();
        assertNotEquals(first, second);
        assertTrue(second > 0);
        assertEquals(second, storage.version());
    }

    /**
     * Two threads write one storage (as kernels writing disjoint halves of it would), each reading the version
     * after each of its writes as a cache would: a cache is reused while the version still equals what it
     * noted, so a version that has been replaced must never come back. With a count that each writer stored as
     * "the count read plus one" it did, within a few hundred writes.
     */
    @Test
    void aWriteCountThatWasReplacedNeverComesBack() throws Exception {
        CpuStorage storage = new CpuStorage(new float[64]);
        assertEquals(0L, storage.version(), "a new storage has not been written");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(2);
            Future<?>[] writers = new Future[2];
            for (int w = 0; w < 2; w++) {
                writers[w] = pool.submit(() -> {
                    start.countDown();
                    start.await();
                    Set<Long> replaced = new HashSet<>();
                    long last = 0;
                    for (int i = 0; i < 200_000; i++) {
                        storage.touch();
                        long v = storage.version();
                        if (v != last) {
                            assertFalse(replaced.contains(v), "write count " + v + " came back after it was replaced");
                            replaced.add(last);
                            last = v;
                        }
                    }
                    return null;
                });
            }
            for (Future<?> f : writers) {
                f.get(); // rethrows a writer's failure
            }
            assertNotEquals(0L, storage.version());
        } finally {
            pool.shutdownNow();
        }
    }
}
