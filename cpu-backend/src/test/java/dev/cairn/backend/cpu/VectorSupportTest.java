package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The suite runs twice over the ops (surefire executions default-test and plain-java): this checks that
 * each run really takes the path it is named for, so the plain-Java kernels are tested end to end.
 */
class VectorSupportTest {
    @Test
    void theSystemPropertyChoosesTheKernels() {
        boolean wanted = Boolean.parseBoolean(System.getProperty("cairn.cpu.vector", "true"));
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "tests run with the Vector API module");
        assertEquals(wanted, VectorSupport.ENABLED, "-Dcairn.cpu.vector=" + wanted);
        assertEquals(wanted, GemmKernels.describe().startsWith("GEMM: Vector API"), GemmKernels.describe());
    }
}
