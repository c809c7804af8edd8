package dev.cairn.backend.cuda;

import dev.cairn.backend.Storage;

/**
 * Where {@link CudaKernels} sends its launches: a CUDA device ({@link CudaDevice}, through
 * {@code cuLaunchKernel} on the calling thread's stream) or, in the tests, the host emulation that
 * runs the same kernel sources on the CPU. Implementations decide the thread-safety; CudaDevice's
 * launches are safe from any thread (each thread has its own stream).
 */
interface KernelLauncher {
    /** CUDA's limit on gridDim.y and gridDim.z. */
    int GRID_YZ_LIMIT = 65535;

    /** Queues {@code kernel} on a grid of {@code gx x gy x gz} blocks of {@code block} threads. */
    void launch(String kernel, int gx, int gy, int gz, int block, KernelArgs args);

    /** Whether a kernel of that name is loaded (the PTX modules on a GPU; the host build in the tests). */
    boolean hasKernel(String kernel);

    /** Streaming multiprocessors of the device (sizes grid-stride launches and picks GEMM tiles). */
    int smCount();

    /**
     * The device pointer of {@code storage}'s element 0, as {@link KernelArgs#ptr} takes it; throws a
     * {@link dev.cairn.DeviceException} naming {@code role} when the storage is not this device's.
     */
    Object pointer(Storage storage, String role);

    /**
     * The largest gridDim.y and gridDim.z the launches may use: {@link #GRID_YZ_LIMIT} on a GPU; the
     * emulation lowers it so that the loops over launch chunks and grid-stride batches run in tests.
     */
    default int gridYZLimit() {
        return GRID_YZ_LIMIT;
    }

    /** A grid-stride launch size for {@code n} work items of {@code block} threads: at most 32 blocks per SM. */
    default int gridFor(long n, int block) {
        long blocks = (n + block - 1) / block;
        long cap = (long) Math.max(1, smCount()) * 32;
        return (int) Math.max(1, Math.min(blocks, cap));
    }
}
