package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code -Dcairn.cpu.pool.floats=0} turns every reuse of closed tensors' arrays off, the per-thread small arrays
 * included. Runs in the pom's {@code pool-off} execution, which sets the property (the JVM-wide pool reads it once).
 */
@EnabledIfSystemProperty(named = "cairn.cpu.pool.floats", matches = "0")
class PoolOffTest {
    @Test
    void nothingIsRecycled() {
        for (int length : new int[] {SmallArrays.MIN, 256, CpuMemoryPool.MIN_LENGTH - 1, CpuMemoryPool.MIN_LENGTH, 4096}) {
            assertFalse(CpuMemoryPool.accepts(length), "length " + length);
            CpuStorage s = new CpuStorage(CpuMemoryPool.take(length));
            s.close();
            assertNotSame(s.data, CpuMemoryPool.take(length), "length " + length);
        }
    }
}
