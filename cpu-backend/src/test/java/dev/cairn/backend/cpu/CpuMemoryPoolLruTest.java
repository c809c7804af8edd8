package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A full pool makes room for the arrays handed back last by dropping the ones handed back longest ago, so sizes
 * that stopped recurring cannot fill it for good; and uploads take their arrays from the pool.
 */
class CpuMemoryPoolLruTest {
    private static final int N = CpuMemoryPool.MIN_LENGTH;

    @Test
    void aFullPoolDropsTheOldestArraysForANewOne() {
        CpuMemoryPool pool = new CpuMemoryPool(4L * N);
        float[][] old = new float[4][];
        for (int i = 0; i < 4; i++) {
            old[i] = new float[N];
            pool.giveArray(old[i]);
        }
        assertEquals(4L * N, pool.heldFloats());
        float[] recent = new float[2 * N];
        pool.giveArray(recent);
        assertEquals(4L * N, pool.heldFloats(), "the pool stays within its capacity");
        assertSame(recent, pool.takeArray(2 * N), "the array handed back last is kept, not refused");
        assertSame(old[3], pool.takeArray(N));
        assertSame(old[2], pool.takeArray(N));
        float[] fresh = pool.takeArray(N);
        assertNotSame(old[0], fresh, "the oldest arrays were dropped");
        assertNotSame(old[1], fresh, "the oldest arrays were dropped");
        assertEquals(0, pool.heldFloats());
    }

    @Test
    void aLoopKeepsReusingItsArraysWhileStaleSizesFillThePool() {
        CpuMemoryPool pool = new CpuMemoryPool(8L * N);
        float[] work = pool.takeArray(3 * N);
        for (int step = 0; step < 20; step++) {
            pool.giveArray(new float[N + step]); // a size handed back once and never asked for again
            pool.giveArray(work);
            float[] next = pool.takeArray(3 * N);
            assertSame(work, next, "step " + step + ": the loop's array came back from the pool");
            work = next;
        }
        assertTrue(pool.heldFloats() <= 8L * N, "held " + pool.heldFloats());
    }

    @Test
    void takeGivesTheNewestOfALengthAndEachArrayOnce() {
        CpuMemoryPool pool = new CpuMemoryPool(16L * N);
        float[] a = new float[N];
        float[] b = new float[N];
        float[] other = new float[N + 1];
        pool.giveArray(a);
        pool.giveArray(other);
        pool.giveArray(b);
        assertSame(b, pool.takeArray(N));
        assertSame(a, pool.takeArray(N));
        float[] third = pool.takeArray(N);
        assertNotSame(a, third);
        assertNotSame(b, third);
        assertSame(other, pool.takeArray(N + 1));
        assertEquals(0, pool.heldFloats());
    }

    @Test
    void arraysTooSmallOrLargerThanTheCapacityAreNotKept() {
        CpuMemoryPool pool = new CpuMemoryPool(2L * N);
        float[] keep = new float[N];
        pool.giveArray(keep);
        pool.giveArray(new float[N - 1]);
        pool.giveArray(new float[3 * N]);
        assertFalse(pool.keeps(N - 1));
        assertFalse(pool.keeps(3 * N));
        assertEquals(N, pool.heldFloats(), "neither evicted the kept array nor joined it");
        assertSame(keep, pool.takeArray(N));
        assertFalse(new CpuMemoryPool(0).keeps(N), "a pool of capacity 0 keeps nothing");
    }

    @Test
    void uploadCopiesIntoAPooledArray() {
        int length = 3 * N + 7; // a length no other test in this JVM pools
        float[] pooled = new float[length];
        Arrays.fill(pooled, -1f);
        CpuMemoryPool.give(pooled);
        float[] src = new float[length + 5];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        CpuStorage s = (CpuStorage) new CpuBackend().upload(0, src, 5, length);
        assertSame(pooled, s.data, "the upload reused the pooled array");
        assertArrayEquals(Arrays.copyOfRange(src, 5, 5 + length), s.data);
        src[5] = 99f;
        assertEquals(5f, s.data[0], "the upload is a copy");
        assertThrows(IndexOutOfBoundsException.class, () -> new CpuBackend().upload(0, src, 10, length));
    }
}
