package dev.cairn.backend.cpu;

/** The GEMM epilogue on one row segment in plain Java: add the bias, then ReLU (NaN and -0 kept, as in PyTorch). */
final class EpilogueRow {
    private EpilogueRow() {
    }

    /** {@code c[pos + j] = relu?(c[pos + j] + bias[biasOff + j])} for j in [0, n); {@code bias} may be null. */
    static void apply(float[] c, int pos, int n, float[] bias, int biasOff, boolean relu) {
        for (int j = 0; j < n; j++) {
            float v = c[pos + j];
            if (bias != null) {
                v += bias[biasOff + j];
            }
            if (relu && v < 0f) {
                v = 0f;
            }
            c[pos + j] = v;
        }
    }
}
