package dev.cairn.backend.cuda;

import java.util.Locale;

/**
 * The internal precision of float32 GEMMs on cuBLAS, as PyTorch's
 * {@code torch.set_float32_matmul_precision}. Inputs, outputs and accumulation stay float32; what
 * changes is the precision of the products inside cuBLAS:
 * <ul>
 *   <li>{@link #HIGHEST} (the default): plain FP32 ({@code CUBLAS_DEFAULT_MATH}, compute type
 *       {@code CUBLAS_COMPUTE_32F}). Results agree with the CPU backend to float32 rounding
 *       (relative error around {@code 1e-6 * sqrt(k)}).</li>
 *   <li>{@link #HIGH}: TF32 tensor cores ({@code CUBLAS_TF32_TENSOR_OP_MATH},
 *       {@code CUBLAS_COMPUTE_32F_FAST_TF32}; Ampere and newer, plain FP32 elsewhere): inputs rounded
 *       to a 10-bit mantissa, so expect a relative error around {@code 1e-3} per product (about
 *       {@code 5e-4 * sqrt(k)} on sums of random-sign terms), several times the speed.</li>
 *   <li>{@link #MEDIUM}: BF16 inputs with FP32 accumulation ({@code CUBLAS_COMPUTE_32F_FAST_16BF}
 *       through {@code cublasGemmEx}): an 8-bit mantissa, relative error around {@code 4e-3} per
 *       product; for inference where that is acceptable.</li>
 * </ul>
 * Cairn's own GEMM kernel (where cuBLAS is absent) always computes in plain FP32, whatever the setting.
 * The setting is read at each GEMM, so changing it takes effect at once, on every thread; the
 * start-up value comes from {@code -Dcairn.cuda.matmulPrecision} (an unknown name fails the first GEMM
 * with a message). Thread-safe.
 */
public enum MatmulPrecision {
    /** Plain FP32 products. */
    HIGHEST(0, 68),
    /** TF32 tensor-core products. */
    HIGH(3, 77),
    /** BF16 products, FP32 accumulation. */
    MEDIUM(3, 75);

    /** The system property read at start-up: {@code highest}, {@code high} or {@code medium}. */
    public static final String PROPERTY = "cairn.cuda.matmulPrecision";

    /** Null until set or first read (then from {@link #PROPERTY}). */
    private static volatile MatmulPrecision current;

    private final int mathMode;
    private final int computeType;

    MatmulPrecision(int mathMode, int computeType) {
        this.mathMode = mathMode;
        this.computeType = computeType;
    }

    /**
     * The {@code cublasMath_t} set on each cuBLAS handle ({@code cublasSetMathMode}) for
     * {@code cublasSgemm}: {@code CUBLAS_DEFAULT_MATH} (0) or {@code CUBLAS_TF32_TENSOR_OP_MATH} (3).
     */
    public int cublasMathMode() {
        return mathMode;
    }

    /**
     * The {@code cublasComputeType_t} for {@code cublasGemmEx} / {@code cublasLtMatmulDescCreate}:
     * {@code CUBLAS_COMPUTE_32F} (68), {@code CUBLAS_COMPUTE_32F_FAST_TF32} (77) or
     * {@code CUBLAS_COMPUTE_32F_FAST_16BF} (75).
     */
    public int cublasComputeType() {
        return computeType;
    }

    /** Whether the GEMM must go through {@code cublasGemmEx} (a compute type no math mode selects). */
    public boolean needsGemmEx() {
        return this == MEDIUM;
    }

    /** The precision in effect. */
    public static MatmulPrecision get() {
        MatmulPrecision p = current;
        if (p == null) {
            p = fromProperty();
            current = p;
        }
        return p;
    }

    /** Sets the precision for every later GEMM on every thread (as {@code torch.set_float32_matmul_precision}). */
    public static void set(MatmulPrecision precision) {
        current = java.util.Objects.requireNonNull(precision, "precision");
    }

    /** {@code "highest"}, {@code "high"} or {@code "medium"} (any case), PyTorch's names. */
    public static MatmulPrecision parse(String name) {
        if (name != null) {
            switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "highest":
                    return HIGHEST;
                case "high":
                    return HIGH;
                case "medium":
                    return MEDIUM;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("unknown float32 matmul precision '" + name
                + "'; use highest (plain FP32, the default), high (TF32) or medium (BF16 products)");
    }

    private static MatmulPrecision fromProperty() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            return HIGHEST;
        }
        try {
            return parse(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
