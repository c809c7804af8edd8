package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Cache sizes as Linux's sysfs writes them, and the lookup on whatever machine runs the tests. */
class CpuInfoTest {
    @Test
    void parsesSysfsSizes() {
        assertEquals(48L << 10, CpuInfo.parseSize("48K"));
        assertEquals(32L << 20, CpuInfo.parseSize("32M"));
        assertEquals(1L << 30, CpuInfo.parseSize("1G"));
        assertEquals(512, CpuInfo.parseSize("512"));
        assertEquals(-1, CpuInfo.parseSize(""));
        assertEquals(-1, CpuInfo.parseSize("lots"));
        assertEquals(-1, CpuInfo.parseSize("K"));
    }

    @Test
    void cacheSizesAreUnknownOrPlausible() {
        for (int level = 1; level <= 3; level++) {
            long bytes = CpuInfo.dataCacheBytes(level);
            assertTrue(bytes == -1 || bytes >= 4 << 10 && bytes <= 4L << 30, "level " + level + ": " + bytes);
        }
        assertEquals(-1, CpuInfo.dataCacheBytes(9), "no level-9 cache");
    }
}
