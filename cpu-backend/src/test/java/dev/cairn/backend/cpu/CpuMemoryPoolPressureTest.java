package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The pool lets the garbage collector take its arrays back when the heap runs short: checked in a
 * separate JVM with a 64 MB heap ({@link PoolPressureCheck}), so the test's own heap is never exhausted.
 */
class CpuMemoryPoolPressureTest {
    @Test
    void pooledArraysAreCollectedBeforeTheHeapRunsOut() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), PoolPressureCheck.class.getName()))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "deadlock guard: the check JVM did not finish");
        assertEquals(0, p.exitValue(), "the pool kept its arrays when the heap ran out: " + out.strip());
    }
}
