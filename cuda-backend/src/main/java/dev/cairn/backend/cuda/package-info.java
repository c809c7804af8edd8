/**
 * Cairn's CUDA backend: {@link dev.cairn.backend.cuda.CudaBackend} implements the backend SPI over
 * JCuda's driver API (contexts, per-thread streams, a caching allocator, kernels from committed PTX)
 * and JCublas (cuBLAS SGEMM), with its own tiled GEMM kernel where cuBLAS 12 is absent.
 */
package dev.cairn.backend.cuda;
