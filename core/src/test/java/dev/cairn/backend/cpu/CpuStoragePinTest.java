package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import org.junit.jupiter.api.Test;

/** A storage closed while a kernel has it pinned goes back to the pool only when the kernel unpins it. */
class CpuStoragePinTest {
    /** An odd length no other test allocates, so the pool's queue for it is this test's alone. */
    private static final int LENGTH = 4099;

    @Test
    void closeWhilePinnedDefersRecyclingToTheLastUnpin() {
        CpuStorage s = new CpuStorage(new float[LENGTH]);
        s.pin();
        s.pin();
        s.close();
        assertTrue(s.isClosed());
        float[] fresh = CpuMemoryPool.take(LENGTH);
        assertNotSame(s.data, fresh, "the pool handed out an array that a running kernel still reads");
        s.unpin();
        float[] stillFresh = CpuMemoryPool.take(LENGTH);
        assertNotSame(s.data, stillFresh, "recycled while a second kernel still had it pinned");
        s.unpin();
        assertEquals(0, s.pins());
        assertSame(s.data, CpuMemoryPool.take(LENGTH), "the last unpin after close recycles the array");
    }

    @Test
    void aClosedStorageCannotBePinned() {
        CpuStorage s = new CpuStorage(new float[LENGTH + 2]);
        s.close();
        CairnException e = assertThrows(CairnException.class, s::pin);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        s.close(); // idempotent
        assertSame(s.data, CpuMemoryPool.take(LENGTH + 2), "recycled exactly once, at close");
        assertNotSame(s.data, CpuMemoryPool.take(LENGTH + 2));
    }
}
