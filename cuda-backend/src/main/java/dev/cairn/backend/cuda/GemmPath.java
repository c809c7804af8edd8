package dev.cairn.backend.cuda;

/** Which implementation runs the CUDA backend's float32 GEMMs. */
public enum GemmPath {
    /** NVIDIA cuBLAS ({@code cublasSgemm}) through JCublas 12.6, which needs {@code libcublas.so.12}. */
    CUBLAS,
    /** Cairn's own tiled GEMM kernel (shared-memory tiles, register blocking, fused epilogue). */
    OWN
}
