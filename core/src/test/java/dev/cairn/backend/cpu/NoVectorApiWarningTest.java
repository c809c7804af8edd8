package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.tensor.Tensor;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A user who starts the JVM without {@code --add-modules jdk.incubator.vector} and has no SLF4J provider
 * (this module's test class path has none) still learns, on stderr, that the CPU kernels are slow and how
 * to fix it.
 */
class NoVectorApiWarningTest {
    /** Runs a matrix product in a JVM started without the Vector API. */
    public static void main(String[] args) {
        System.out.println(Tensor.rand(4, 4).mm(Tensor.rand(4, 4)).sum().item() > 0);
    }

    @Test
    void theSlowPathWarningReachesStderrWithoutLogging() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                NoVectorApiWarningTest.class.getName())).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertEquals("true", out.strip(), "the plain-Java path computes: " + out);
        assertTrue(err.contains("Vector API is not enabled") && err.contains("--add-modules jdk.incubator.vector"),
                "stderr says the CPU kernels are slow and how to fix it: " + err);
    }
}
