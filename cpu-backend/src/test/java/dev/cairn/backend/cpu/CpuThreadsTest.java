package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Every part of a call runs once and has finished when the call returns, from one thread or from several at
 * once (one holds the workers, the others run inline), and after the workers have gone to sleep; failures inside
 * the workers reach the caller, after every part has finished, and leave the workers usable.
 */
class CpuThreadsTest {
    private static final int PARTS = 4; // more parts than the test machine may have cores: some run on the pool

    @Test
    void everyPartRunsOnce() {
        AtomicIntegerArray runs = new AtomicIntegerArray(PARTS);
        CpuThreads.parallel(PARTS, (part, parts) -> {
            assertEquals(PARTS, parts);
            runs.incrementAndGet(part);
        });
        for (int p = 0; p < PARTS; p++) {
            assertEquals(1, runs.get(p), "part " + p);
        }
    }

    @Test
    void aRuntimeExceptionInAWorkerIsRethrownAsItself() {
        IllegalArgumentException boom = new IllegalArgumentException("part 3 failed");
        AtomicIntegerArray finished = new AtomicIntegerArray(PARTS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuThreads.parallel(PARTS,
                (part, parts) -> {
                    if (part == 3) {
                        throw boom;
                    }
                    finished.incrementAndGet(part);
                }));
        assertSame(boom, e);
        for (int p = 0; p < 3; p++) {
            assertEquals(1, finished.get(p), "the other parts still finished: part " + p);
        }
        everyPartRunsOnce(); // the pool is still usable
    }

    @Test
    void anErrorInAWorkerIsRethrownAsItself() {
        AssertionError boom = new AssertionError("worker error");
        assertSame(boom, assertThrows(AssertionError.class, () -> CpuThreads.parallel(PARTS, (part, parts) -> {
            if (part == PARTS - 1) {
                throw boom;
            }
        })));
    }

    @Test
    void theCallersOwnFailureWinsOverAWorkers() {
        IllegalStateException first = new IllegalStateException("part 0");
        RuntimeException e = assertThrows(RuntimeException.class, () -> CpuThreads.parallel(PARTS, (part, parts) -> {
            if (part == 0) {
                throw first;
            }
            throw new UncheckedIOException(new IOException("part " + part));
        }));
        assertSame(first, e);
    }

    @Test
    void aSneakyCheckedExceptionIsWrapped() {
        Exception checked = new IOException("disk");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CpuThreads.parallel(PARTS,
                (part, parts) -> {
                    if (part == 2) {
                        CpuThreadsTest.<RuntimeException>sneakyThrow(checked);
                    }
                }));
        assertSame(checked, e.getCause());
    }

    @Test
    void nestedParallelCallsRunInlineInsideAWorker() {
        AtomicIntegerArray inner = new AtomicIntegerArray(PARTS * PARTS);
        CpuThreads.parallel(PARTS, (outer, parts) -> CpuThreads.parallel(PARTS,
                (p, n) -> inner.incrementAndGet(outer * PARTS + p)));
        for (int i = 0; i < PARTS * PARTS; i++) {
            assertEquals(1, inner.get(i));
        }
        assertTrue(CpuThreads.cores() >= 1);
    }

    @Test
    void callsFromSeveralThreadsAtOnceEachRunEveryPartOnce() throws InterruptedException {
        int threads = 4;
        int calls = 3000;
        AtomicInteger wrong = new AtomicInteger();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                for (int c = 0; c < calls; c++) {
                    int[] runs = new int[PARTS]; // plain writes: the call's return must publish them
                    CpuThreads.parallel(PARTS, (part, parts) -> runs[part]++);
                    for (int r : runs) {
                        if (r != 1) {
                            wrong.incrementAndGet();
                        }
                    }
                }
            });
            callers.add(th);
            th.start();
        }
        for (Thread th : callers) {
            th.join(60_000);
        }
        assertEquals(0, wrong.get(), "parts that ran other than once, or whose writes the caller did not see");
    }

    @Test
    void callsAfterTheWorkersWentToSleepStillFinish() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 5; i++) {
                Thread.sleep(5); // longer than the workers spin: they park, and the next call must wake them
                everyPartRunsOnce();
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }
}
