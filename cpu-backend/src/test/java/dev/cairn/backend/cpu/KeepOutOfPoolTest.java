package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import org.junit.jupiter.api.Test;

/** A storage marked long-lived (a parameter's) is never recycled, so kernels read it without pinning it. */
class KeepOutOfPoolTest {
    private static final int LENGTH = 256; // a length the calling thread's small arrays keep

    @Test
    void aClosedPooledStorageHandsItsArrayToTheNextAllocation() {
        float[] array = CpuMemoryPool.take(LENGTH);
        CpuStorage s = new CpuStorage(array);
        assertTrue(s.pooled);
        s.close();
        assertSame(array, CpuMemoryPool.take(LENGTH), "the control case: recycled");
    }

    @Test
    void aStorageKeptOutOfThePoolIsNotRecycledWhenClosed() {
        float[] array = CpuMemoryPool.take(LENGTH);
        CpuStorage s = new CpuStorage(array);
        s.keepOutOfPool();
        assertFalse(s.pooled);
        assertFalse(s.recyclable());
        s.keepOutOfPool(); // one-way and idempotent
        s.close();
        assertTrue(s.isClosed());
        assertNotSame(array, CpuMemoryPool.take(LENGTH), "kept out of the pool, yet handed out again");
    }

    @Test
    void kernelsPinPooledStoragesOnly() {
        CpuStorage pooled = new CpuStorage(CpuMemoryPool.take(LENGTH));
        pooled.close();
        assertThrows(CairnException.class, () -> KernelPins.of(null, pooled), "a pinned storage is checked");
        CpuStorage kept = new CpuStorage(CpuMemoryPool.take(LENGTH));
        kept.keepOutOfPool();
        kept.close();
        KernelPins.of(null, kept).close(); // not pinned: no claim taken, none to check
    }
}
