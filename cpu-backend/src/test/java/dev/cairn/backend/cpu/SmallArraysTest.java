package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SmallArraysTest {
    @Test
    void keepsTheLengthsBelowTheSharedPoolFromMinOn() {
        assertFalse(SmallArrays.keeps(SmallArrays.MIN - 1));
        assertTrue(SmallArrays.keeps(SmallArrays.MIN));
        assertTrue(SmallArrays.keeps(CpuMemoryPool.MIN_LENGTH - 1));
        assertFalse(SmallArrays.keeps(CpuMemoryPool.MIN_LENGTH));
        assertTrue(CpuMemoryPool.accepts(256), "a pooled storage: kernels pin it, close recycles it");
        assertFalse(CpuMemoryPool.accepts(10));
    }

    /** Runs {@code body} on a new thread (so that it starts with empty stacks) and rethrows what it threw. */
    private static void onNewThread(Thread.Builder builder, Runnable body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        builder.start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }).join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void anArrayHandedBackIsTheNextOfItsLengthOnThisThreadNewestFirst() throws Exception {
        onNewThread(Thread.ofPlatform(), () -> {
            float[] a = SmallArrays.take(300);
            float[] b = SmallArrays.take(300);
            assertEquals(300, a.length);
            assertNotSame(a, b);
            SmallArrays.give(a);
            SmallArrays.give(b);
            assertEquals(600, SmallArrays.heldByThisThread());
            assertSame(b, SmallArrays.take(300));
            assertSame(a, SmallArrays.take(300));
            assertEquals(301, SmallArrays.take(301).length, "another length is never handed out");
            assertEquals(0, SmallArrays.heldByThisThread());
        });
    }

    @Test
    void eachLengthAndEachThreadIsBounded() throws Exception {
        onNewThread(Thread.ofPlatform(), () -> {
            List<float[]> many = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                many.add(new float[500]);
            }
            many.forEach(SmallArrays::give);
            assertEquals(8 * 500, SmallArrays.heldByThisThread(), "eight per length");
            for (int len = SmallArrays.MIN; len < CpuMemoryPool.MIN_LENGTH; len++) {
                for (int i = 0; i < 8; i++) {
                    SmallArrays.give(new float[len]);
                }
            }
            assertTrue(SmallArrays.heldByThisThread() <= 1 << 18, "at most 1 MiB a thread");
            assertTrue(SmallArrays.heldByThisThread() > (1 << 18) - CpuMemoryPool.MIN_LENGTH, "filled to the cap");
        });
    }

    @Test
    void virtualThreadsKeepNothing() throws Exception {
        onNewThread(Thread.ofVirtual(), () -> {
            float[] a = SmallArrays.take(200);
            SmallArrays.give(a);
            assertNotSame(a, SmallArrays.take(200));
        });
    }

    @Test
    void aClosedSmallStorageComesBackOnlyAfterItsLastKernel() throws Exception {
        onNewThread(Thread.ofPlatform(), () -> {
            CpuStorage s = new CpuStorage(CpuMemoryPool.take(256));
            s.pin();
            s.close(); // closed while a kernel still runs on it: not handed out yet
            assertNotSame(s.data, SmallArrays.take(256));
            s.unpin();
            assertSame(s.data, SmallArrays.take(256));
        });
    }
}
