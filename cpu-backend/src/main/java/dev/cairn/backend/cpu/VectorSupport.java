package dev.cairn.backend.cpu;

import dev.cairn.backend.Diagnostics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Java Vector API ({@code jdk.incubator.vector}) can be used: the JVM must have been started
 * with {@code --add-modules jdk.incubator.vector}, and {@code -Dcairn.cpu.vector=false} turns it off
 * (the plain-Java path, for tests and comparisons). Decided once per process; when the Vector API is
 * missing the warning goes through {@link Diagnostics}, so it reaches stderr even without an SLF4J provider.
 */
final class VectorSupport {
    private static final Logger LOG = LoggerFactory.getLogger(VectorSupport.class);
    static final boolean ENABLED = decide();

    private VectorSupport() {
    }

    /**
     * Vector registers the JIT can give a kernel: 32 on AArch64 (NEON and SVE) and on x86 with 512-bit vectors
     * (AVX-512: zmm0-31), 16 on x86 with narrower ones (AVX2, ymm0-15; also AVX-512 hardware that the JVM runs
     * as AVX2, as HotSpot does by default on some Intel CPUs or with {@code -XX:UseAVX=2}). With {@code
     * -XX:MaxVectorSize=32} on AVX-512 hardware there are 32 but this says 16: the register-hungry kernels then
     * take their smaller form, which is correct there and a little slower. Depends on no static state, so that
     * {@link VectorGemm} may call it while this class initializes.
     */
    static int vectorRegisters() {
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return 32;
        }
        return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? 32 : 16;
    }

    private static boolean decide() {
        if (!Boolean.parseBoolean(System.getProperty("cairn.cpu.vector", "true"))) {
            LOG.info("CPU kernels: Vector API turned off by -Dcairn.cpu.vector=false; using plain Java loops");
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            Diagnostics.warnOnce(VectorSupport.class, "cpu.vector.missing",
                    "CPU kernels: the Java Vector API is not enabled, using plain Java loops (several times slower); "
                    + "start the JVM with --add-modules jdk.incubator.vector to enable it");
            return false;
        }
        try {
            return VectorGemm.L >= 1;
        } catch (LinkageError e) {
            Diagnostics.warnOnce(VectorSupport.class, "cpu.vector.failed",
                    "CPU kernels: the Vector API failed to load (" + e + "); using plain Java loops (several times slower)");
            return false;
        }
    }
}
