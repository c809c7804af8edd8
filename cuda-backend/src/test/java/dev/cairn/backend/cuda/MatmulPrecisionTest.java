package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jcuda.cudaDataType;
import jcuda.jcublas.cublasComputeType;
import jcuda.jcublas.cublasGemmAlgo;
import jcuda.jcublas.cublasMath;
import org.junit.jupiter.api.Test;

/** The float32 matmul precision setting maps to the cuBLAS modes PyTorch uses for the same names. */
class MatmulPrecisionTest {
    @Test
    void eachPrecisionSelectsTheMatchingCublasModeAndComputeType() {
        assertEquals(cublasMath.CUBLAS_DEFAULT_MATH, MatmulPrecision.HIGHEST.cublasMathMode());
        assertEquals(cublasComputeType.CUBLAS_COMPUTE_32F, MatmulPrecision.HIGHEST.cublasComputeType());
        assertEquals(cublasMath.CUBLAS_TF32_TENSOR_OP_MATH, MatmulPrecision.HIGH.cublasMathMode());
        assertEquals(cublasComputeType.CUBLAS_COMPUTE_32F_FAST_TF32, MatmulPrecision.HIGH.cublasComputeType());
        assertEquals(cublasComputeType.CUBLAS_COMPUTE_32F_FAST_16BF, MatmulPrecision.MEDIUM.cublasComputeType());
        assertTrue(MatmulPrecision.MEDIUM.needsGemmEx());
        assertFalse(MatmulPrecision.HIGH.needsGemmEx());
        assertFalse(MatmulPrecision.HIGHEST.needsGemmEx());
        assertEquals(cudaDataType.CUDA_R_32F, CudaBackend.CUDA_R_32F);
        assertEquals(cublasGemmAlgo.CUBLAS_GEMM_DEFAULT, CudaBackend.CUBLAS_GEMM_DEFAULT);
    }

    @Test
    void pytorchNamesParseAndOthersAreRejectedWithTheChoices() {
        assertSame(MatmulPrecision.HIGHEST, MatmulPrecision.parse("highest"));
        assertSame(MatmulPrecision.HIGH, MatmulPrecision.parse(" High "));
        assertSame(MatmulPrecision.MEDIUM, MatmulPrecision.parse("MEDIUM"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatmulPrecision.parse("tf32"));
        assertTrue(e.getMessage().contains("'tf32'") && e.getMessage().contains("highest"), e.getMessage());
        assertEquals("high", MatmulPrecision.HIGH.toString());
    }

    @Test
    void theDefaultIsPlainFp32AndSetChangesIt() {
        MatmulPrecision before = MatmulPrecision.get();
        try {
            if (System.getProperty(MatmulPrecision.PROPERTY) == null) {
                assertSame(MatmulPrecision.HIGHEST, before);
            }
            MatmulPrecision.set(MatmulPrecision.HIGH);
            assertSame(MatmulPrecision.HIGH, MatmulPrecision.get());
            assertThrows(NullPointerException.class, () -> MatmulPrecision.set(null));
        } finally {
            MatmulPrecision.set(before);
        }
    }
}
