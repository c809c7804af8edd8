package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Per-thread resources (streams, cuBLAS handles, pinned staging) are given back when their thread ends. */
class ThreadResourcesTest {
    /** A fake resource with a pool, as CudaDevice pools its pinned staging buffers. */
    static final class Pool {
        final AtomicInteger made = new AtomicInteger();
        final ConcurrentLinkedQueue<Object> free = new ConcurrentLinkedQueue<>();
        final List<Object> retired = java.util.Collections.synchronizedList(new ArrayList<>());

        Object create() {
            Object r = free.poll();
            if (r == null) {
                made.incrementAndGet();
                r = new Object();
            }
            return r;
        }

        void retire(Object r) {
            retired.add(r);
            free.add(r);
        }
    }

    @Test
    void eachThreadHasItsOwnAndKeepsIt() throws Exception {
        Pool pool = new Pool();
        ThreadResources<Object> res = new ThreadResources<>(pool::create, pool::retire);
        Object mine = res.get();
        assertSame(mine, res.get());
        AtomicReference<Object> other = new AtomicReference<>();
        Thread t = new Thread(() -> other.set(res.get()));
        t.start();
        t.join();
        assertNotSame(mine, other.get());
        res.releaseCurrentThread();
        res.releaseCurrentThread();  // idempotent
        assertEquals(List.of(mine), pool.retired.subList(0, 1));
    }

    @Test
    void explicitReleaseRetiresAtOnceAndTheNextGetReusesThePool() {
        Pool pool = new Pool();
        ThreadResources<Object> res = new ThreadResources<>(pool::create, pool::retire);
        Object first = res.get();
        assertEquals(1, res.live());
        res.releaseCurrentThread();
        assertEquals(0, res.live());
        assertEquals(List.of(first), pool.retired);
        assertSame(first, res.get(), "the pooled resource is handed out again");
        assertEquals(1, pool.made.get());
    }

    @Test
    void aThreadThatEndsGivesItsResourceBackWithoutBeingAsked() throws Exception {
        Pool pool = new Pool();
        ThreadResources<Object> res = new ThreadResources<>(pool::create, pool::retire);
        int threads = 8;
        for (int i = 0; i < threads; i++) {
            runInThread(res);
        }
        // The cleaner runs once the finished threads are collected: poll the GC (a liveness wait, not
        // a timing assertion; it ends as soon as every resource came back).
        for (int i = 0; i < 600 && res.live() > 0; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(0, res.live(), "resources of ended threads still live");
        assertEquals(threads, pool.retired.size());
        assertTrue(pool.made.get() <= threads);
        // A new thread takes a pooled one instead of making another.
        int made = pool.made.get();
        runInThread(res);
        assertEquals(made, pool.made.get());
    }

    /** Runs get() in a new thread and waits for it; no reference to the thread survives the call. */
    private static void runInThread(ThreadResources<Object> res) throws InterruptedException {
        Thread t = new Thread(res::get);
        t.start();
        t.join();
    }
}
