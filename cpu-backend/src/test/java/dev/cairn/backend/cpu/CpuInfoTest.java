package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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

    @Test
    void modelNameCarriesFamilyAndModelOfTheFirstProcessor() {
        List<String> cpuinfo = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25",
                "model\t\t: 17", "model name\t: AMD EPYC", "flags\t\t: fpu avx512f", "",
                "processor\t: 1", "cpu family\t: 26", "model\t\t: 2", "model name\t: Other");
        assertEquals("AMD EPYC, family 25 model 17", CpuInfo.modelName(cpuinfo));
        // ARM's /proc/cpuinfo has neither a model name nor a family: the architecture's name stands in
        assertEquals(System.getProperty("os.arch"), CpuInfo.modelName(List.of("processor\t: 0", "BogoMIPS\t: 50.00")));
        assertEquals("Some CPU", CpuInfo.modelName(List.of("model name : Some CPU")));
    }
}
