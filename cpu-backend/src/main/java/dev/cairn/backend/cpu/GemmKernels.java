package dev.cairn.backend.cpu;

import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;

/** Picks the CPU GEMM: the Vector API kernel when {@link VectorSupport} allows it, else the plain-Java blocked one. */
final class GemmKernels {
    private GemmKernels() {
    }

    /** Which kernel runs, for {@code bin/cairn devices}. */
    static String describe() {
        return VectorSupport.ENABLED ? "GEMM: Vector API, " + VectorGemm.S.vectorBitSize() + "-bit, " + VectorGemm.MR + "x"
                + VectorGemm.NR + " micro-kernel, " + VectorGemm.blocking() : "GEMM: plain Java (Vector API not enabled)";
    }

    static void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epi) {
        if (VectorSupport.ENABLED && k > 0) {
            VectorGemm.gemm(batch, m, n, k, a, b, c, epi);
        } else {
            BlockedGemm.gemm(batch, m, n, k, a, b, c, epi);
        }
    }
}
