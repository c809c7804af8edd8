package dev.cairn.backend.cpu;

import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the CPU GEMM: the Vector API kernel when the JVM has {@code jdk.incubator.vector} (and
 * {@code -Dcairn.cpu.vector=false} does not turn it off), else the plain-Java blocked kernel, logging
 * once how to enable the fast one.
 */
final class GemmKernels {
    private static final Logger LOG = LoggerFactory.getLogger(GemmKernels.class);
    private static final boolean VECTOR = vectorUsable();

    private GemmKernels() {
    }

    private static boolean vectorUsable() {
        if (!Boolean.parseBoolean(System.getProperty("cairn.cpu.vector", "true"))) {
            LOG.info("CPU GEMM: Vector API turned off by -Dcairn.cpu.vector=false; using plain Java loops");
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.warn("CPU GEMM: the Java Vector API is not enabled, using plain Java loops (several times slower); "
                    + "start the JVM with --add-modules jdk.incubator.vector to enable it");
            return false;
        }
        try {
            return VectorGemm.L >= 1;
        } catch (LinkageError e) {
            LOG.warn("CPU GEMM: the Vector API failed to load ({}); using plain Java loops", e.toString());
            return false;
        }
    }

    /** Which kernel runs, for {@code bin/cairn devices}. */
    static String describe() {
        return VECTOR ? "GEMM: Vector API, " + VectorGemm.S.vectorBitSize() + "-bit, " + VectorGemm.MR + "x" + VectorGemm.NR
                + " micro-kernel" : "GEMM: plain Java (Vector API not enabled)";
    }

    static void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epi) {
        if (VECTOR && k > 0) {
            VectorGemm.gemm(batch, m, n, k, a, b, c, epi);
        } else {
            BlockedGemm.gemm(batch, m, n, k, a, b, c, epi);
        }
    }
}
