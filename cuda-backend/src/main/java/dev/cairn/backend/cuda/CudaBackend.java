package dev.cairn.backend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.cairn.backend.Availability;
import dev.cairn.backend.Backend;
import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.DeviceInfo;
import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.RandomOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.DeviceException;
import java.nio.ByteBuffer;
import dev.cairn.backend.Window;
import java.nio.FloatBuffer;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;

/**
 * The CUDA backend: device memory through a caching allocator, tensors of float32, int64, int32 and bool,
 * kernels from Cairn's committed PTX (elementwise, broadcasting, comparisons, where, dtype conversions,
 * gather / indexSelect / scatterAdd, reductions incl. argmax, fused bias + ReLU, tiled GEMM) and float32
 * GEMM through
 * cuBLAS where {@code libcublas.so.12} loads, else through Cairn's own GEMM kernel. JCuda's driver
 * API carries everything; the availability probe runs once, on first use, and never throws.
 *
 * <p>Threads: each thread gets its own stream and cuBLAS handle per device; every kernel a thread
 * launches runs in order on its stream. {@link #download} waits for the calling thread's stream.
 * Set {@code -Dcairn.cuda.gemm=own} to force the own GEMM kernel. The float32 matmul precision of
 * the cuBLAS path is {@link MatmulPrecision} (plain FP32 unless set otherwise).
 */
public final class CudaBackend implements Backend {
    /** {@code cudaDataType} of float32 ({@code CUDA_R_32F}). */
    static final int CUDA_R_32F = 0;
    /** {@code cublasGemmAlgo_t} letting cuBLAS choose ({@code CUBLAS_GEMM_DEFAULT}). */
    static final int CUBLAS_GEMM_DEFAULT = -1;
    private volatile CudaRuntime runtime;

    /** Made by {@link java.util.ServiceLoader}; cheap (the probe runs on first use). */
    public CudaBackend() {
    }

    private CudaRuntime runtime() {
        CudaRuntime r = runtime;
        if (r == null) {
            synchronized (this) {
                if (runtime == null) {
                    runtime = CudaRuntime.shared();
                }
                r = runtime;
            }
        }
        return r;
    }

    @Override
    public Device.Type type() {
        return Device.Type.CUDA;
    }

    @Override
    public Availability availability() {
        try {
            return runtime().availability;
        } catch (Throwable t) {
            return Availability.no("CUDA probe failed: " + t);
        }
    }

    @Override
    public List<DeviceInfo> devices() {
        try {
            return runtime().infos;
        } catch (Throwable t) {
            return List.of();
        }
    }

    /** Which GEMM path device {@code index} uses now (it falls back to {@link GemmPath#OWN} if cuBLAS fails). */
    public GemmPath gemmPath(int index) {
        return device(index).gemmPath();
    }

    /** Frees the cached (unused) device memory of device {@code index}; returns the bytes freed. */
    public long emptyCache(int index) {
        return device(index).allocator().emptyCache();
    }

    /** Bytes held by live storages of device {@code index} and bytes in its cache, for diagnostics. */
    public String memoryStats(int index) {
        return device(index).allocator().toString();
    }

    /**
     * Releases the calling thread's CUDA stream, cuBLAS handle and pinned staging buffer on device
     * {@code index} now, after its queued work finished (pooled threads can call it before they park).
     * Without it they are released once the thread has ended and been collected.
     */
    public void releaseThreadResources(int index) {
        device(index).releaseCurrentThread();
    }

    @Override
    public long memoryInUseBytes(int index) {
        return device(index).allocator().inUseBytes();
    }

    /** The caching allocator of device {@code index} (tests read its counters). */
    CachingAllocator<CUdeviceptr> allocator(int index) {
        return device(index).allocator();
    }

    private CudaDevice device(int index) {
        CudaRuntime rt = runtime();
        if (!rt.availability.usable()) {
            throw new DeviceException("CUDA cannot be used: " + rt.availability.reason());
        }
        CudaDevice d = rt.device(index);
        if (d == null) {
            throw new DeviceException("CUDA device " + index + " does not exist here (" + rt.infos.size()
                    + " usable device(s))");
        }
        return d;
    }

    static CudaStorage cuda(Storage s, String role) {
        if (s instanceof CudaStorage c) {
            return c;
        }
        throw new DeviceException("the CUDA backend got a " + (s == null ? "null" : s.device() + " storage")
                + " as " + role + "; expected CUDA memory");
    }

    // ---- memory ----

    @Override
    public Storage allocate(int index, int numel) {
        return allocate(index, DType.FLOAT32, numel);
    }

    @Override
    public Storage allocate(int index, DType dtype, int numel) {
        if (numel < 0) {
            throw new IllegalArgumentException("negative element count " + numel + " for a " + dtype
                    + " storage on cuda:" + index);
        }
        CudaDevice d = device(index);
        CUstream stream = d.stream();
        CachingAllocator.Block<CUdeviceptr> block = d.allocator().allocate((long) numel * dtype.byteSize(), stream);
        return new CudaStorage(d, block, dtype, numel);
    }

    @Override
    public Storage upload(int index, float[] data, int offset, int length) {
        return upload(index, DType.FLOAT32, data, offset, length);
    }

    @Override
    public Storage upload(int index, DType dtype, Object data, int offset, int length) {
        checkHostArray("upload", dtype, data);
        Object host = data;
        int from = offset;
        if (dtype == DType.BOOL) {
            host = boolsToBytes((boolean[]) data, offset, length);
            from = 0;
        }
        CudaStorage s = (CudaStorage) allocate(index, dtype, length);
        try {
            copyIn(s.cudaDevice(), s, host, from, length);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The Java array type of each dtype: float[], long[], int[], boolean[]. */
    private static void checkHostArray(String op, DType dtype, Object array) {
        boolean ok = switch (dtype) {
            case FLOAT32 -> array instanceof float[];
            case INT64 -> array instanceof long[];
            case INT32 -> array instanceof int[];
            case BOOL -> array instanceof boolean[];
        };
        if (!ok) {
            throw new IllegalArgumentException(op + ": a " + dtype + " tensor on CUDA needs a host array of type "
                    + switch (dtype) {
                        case FLOAT32 -> "float[]";
                        case INT64 -> "long[]";
                        case INT32 -> "int[]";
                        case BOOL -> "boolean[]";
                    } + ", got " + (array == null ? "null" : array.getClass().getSimpleName()));
        }
    }

    private static byte[] boolsToBytes(boolean[] b, int offset, int length) {
        byte[] r = new byte[length];
        for (int i = 0; i < length; i++) {
            r[i] = b[offset + i] ? (byte) 1 : 0;
        }
        return r;
    }

    /** A host array (float[], long[], int[] or byte[]) as a JCuda pointer. */
    private static Pointer hostPointer(Object array) {
        return switch (array) {
            case float[] f -> Pointer.to(f);
            case long[] l -> Pointer.to(l);
            case int[] i -> Pointer.to(i);
            case byte[] b -> Pointer.to(b);
            default -> throw new IllegalArgumentException("host array of type " + array.getClass());
        };
    }

    /** Moves {@code n} elements between the staging buffer and the host array at {@code at}. */
    private static void stage(ByteBuffer staging, Object array, int at, int n, boolean toStaging) {
        staging.clear();
        switch (array) {
            case float[] f -> {
                if (toStaging) {
                    staging.asFloatBuffer().put(f, at, n);
                } else {
                    staging.asFloatBuffer().get(f, at, n);
                }
            }
            case long[] l -> {
                if (toStaging) {
                    staging.asLongBuffer().put(l, at, n);
                } else {
                    staging.asLongBuffer().get(l, at, n);
                }
            }
            case int[] i -> {
                if (toStaging) {
                    staging.asIntBuffer().put(i, at, n);
                } else {
                    staging.asIntBuffer().get(i, at, n);
                }
            }
            case byte[] b -> {
                if (toStaging) {
                    staging.put(b, at, n);
                } else {
                    staging.get(b, at, n);
                }
            }
            default -> throw new IllegalArgumentException("host array of type " + array.getClass());
        }
    }

    private static void copyIn(CudaDevice d, CudaStorage s, Object host, int offset, int length) {
        int elem = s.dtype().byteSize();
        long bytes = (long) length * elem;
        if (length == 0) {
            return;
        }
        if (bytes <= CudaDevice.PINNED_THRESHOLD) {
            // Synchronous copy on the legacy stream, which waits for earlier work of the (blocking)
            // per-thread streams that might still use this block.
            Cu.check(cuMemcpyHtoD(s.pointer(), hostPointer(host).withByteOffset((long) offset * elem), bytes),
                    "cuMemcpyHtoD(" + bytes + " bytes)");
            return;
        }
        CUstream stream = d.stream();
        Pointer staging = d.staging();
        ByteBuffer buffer = d.stagingBuffer();
        int chunk = CudaDevice.STAGING_BYTES / elem;
        // TODO(perf): double-buffer the staging so that filling one half overlaps the copy of the other.
        for (int pos = 0; pos < length; pos += chunk) {
            int n = Math.min(chunk, length - pos);
            stage(buffer, host, offset + pos, n, true);
            Cu.check(cuMemcpyHtoDAsync(s.pointer(pos), staging, (long) n * elem, stream), "cuMemcpyHtoDAsync");
            Cu.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
        }
    }

    @Override
    public void download(Storage src, int srcOffset, float[] dst, int dstOffset, int length) {
        download(src, srcOffset, (Object) dst, dstOffset, length);
    }

    @Override
    public void download(Storage src, int srcOffset, Object dst, int dstOffset, int length) {
        CudaStorage s = cuda(src, "download source");
        checkHostArray("download", s.dtype(), dst);
        if (s.dtype() == DType.BOOL) {
            byte[] bytes = new byte[length];
            copyOut(s, srcOffset, bytes, 0, length);
            boolean[] out = (boolean[]) dst;
            for (int i = 0; i < length; i++) {
                out[dstOffset + i] = bytes[i] != 0;
            }
            return;
        }
        copyOut(s, srcOffset, dst, dstOffset, length);
    }

    private static void copyOut(CudaStorage s, int srcOffset, Object dst, int dstOffset, int length) {
        CudaDevice d = s.cudaDevice();
        d.syncStream();
        if (length == 0) {
            return;
        }
        int elem = s.dtype().byteSize();
        long bytes = (long) length * elem;
        if (bytes <= CudaDevice.PINNED_THRESHOLD) {
            Cu.check(cuMemcpyDtoH(hostPointer(dst).withByteOffset((long) dstOffset * elem), s.pointer(srcOffset),
                    bytes), "cuMemcpyDtoH(" + bytes + " bytes)");
            return;
        }
        CUstream stream = d.stream();
        Pointer staging = d.staging();
        ByteBuffer buffer = d.stagingBuffer();
        int chunk = CudaDevice.STAGING_BYTES / elem;
        for (int pos = 0; pos < length; pos += chunk) {
            int n = Math.min(chunk, length - pos);
            Cu.check(cuMemcpyDtoHAsync(staging, s.pointer((long) srcOffset + pos), (long) n * elem, stream),
                    "cuMemcpyDtoHAsync");
            Cu.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
            stage(buffer, dst, dstOffset + pos, n, false);
        }
    }

    @Override
    public void fill(Storage dst, int offset, int length, float value) {
        CudaStorage s = cuda(dst, "fill destination");
        if (length == 0) {
            return;
        }
        CudaDevice d = s.cudaDevice();
        if (s.dtype() != DType.FLOAT32) {
            CudaKernels.fill(d, s, offset, length, value);
            return;
        }
        s.useOn(d.stream());
        Cu.check(cuMemsetD32Async(s.pointer(offset), Float.floatToRawIntBits(value), length, d.stream()),
                "cuMemsetD32Async");
    }

    // ---- elementwise ----

    @Override
    public void unary(UnaryOp op, float scalar, StridedView src, Storage dst) {
        CudaKernels.unary(cuda(dst, "unary destination").cudaDevice(), op, scalar, src, dst);
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        CudaKernels.copy(cuda(dst.storage(), "copy destination").cudaDevice(), src, dst);
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, Storage dst) {
        CudaKernels.binary(cuda(dst, "binary destination").cudaDevice(), op, a, b, dst);
    }

    @Override
    public void compare(CompareOp op, StridedView a, StridedView b, Storage dst) {
        CudaKernels.compare(cuda(dst, "compare destination").cudaDevice(), op, a, b, dst);
    }

    @Override
    public void where(StridedView cond, StridedView a, StridedView b, Storage dst) {
        CudaKernels.where(cuda(dst, "where destination").cudaDevice(), cond, a, b, dst);
    }

    // ---- indexing ----

    @Override
    public void indexSelect(StridedView src, int dim, StridedView index, Storage dst) {
        CudaKernels.indexSelect(cuda(dst, "indexSelect destination").cudaDevice(), src, dim, index, dst);
    }

    @Override
    public void gather(StridedView src, int dim, StridedView index, Storage dst) {
        CudaKernels.gather(cuda(dst, "gather destination").cudaDevice(), src, dim, index, dst);
    }

    @Override
    public void scatterAdd(StridedView src, int dim, StridedView index, StridedView dst) {
        CudaKernels.scatterAdd(cuda(dst.storage(), "scatterAdd destination").cudaDevice(), src, dim, index, dst);
    }

    // ---- reductions ----

    @Override
    public void softmax(StridedView src, int dim, boolean log, Storage dst) {
        CudaKernels.softmax(cuda(dst, "softmax destination").cudaDevice(), src, dim, log, dst);
    }

    @Override
    public void softmaxBackward(StridedView y, StridedView g, int dim, boolean log, Storage dst) {
        CudaKernels.softmaxBackward(cuda(dst, "softmax gradient destination").cudaDevice(), y, g, dim, log, dst);
    }

    @Override
    public void attention(StridedView q, StridedView k, StridedView v, StridedView mask, float scale, Storage dst) {
        CudaKernels.attention(cuda(dst, "attention destination").cudaDevice(), q, k, v, mask, scale, dst);
    }

    @Override
    public void layerNorm(StridedView x, StridedView weight, StridedView bias, float eps, Storage dst, Storage mean,
                          Storage rstd) {
        CudaKernels.layerNorm(cuda(dst, "layerNorm destination").cudaDevice(), x, weight, bias, eps, dst, mean, rstd);
    }

    @Override
    public void layerNormBackward(StridedView x, StridedView g, Storage mean, Storage rstd, StridedView weight,
                                  Storage dx, Storage dweight, Storage dbias) {
        CudaKernels.layerNormBackward(cuda(mean, "layerNorm mean").cudaDevice(), x, g, mean, rstd, weight, dx,
                dweight, dbias);
    }

    @Override
    public void batchNorm(StridedView x, StridedView weight, StridedView bias, StridedView runningMean,
                          StridedView runningVar, boolean training, float momentum, float eps, Storage dst,
                          Storage saveMean, Storage saveInvstd) {
        CudaKernels.batchNorm(cuda(dst, "batchNorm destination").cudaDevice(), x, weight, bias, runningMean,
                runningVar, training, momentum, eps, dst, saveMean, saveInvstd);
    }

    @Override
    public void batchNormBackward(StridedView x, StridedView g, Storage mean, Storage invstd, StridedView weight,
                                  boolean training, Storage dx, Storage dweight, Storage dbias) {
        CudaKernels.batchNormBackward(cuda(mean, "batchNorm mean").cudaDevice(), x, g, mean, invstd, weight,
                training, dx, dweight, dbias);
    }

    @Override
    public void cumsum(StridedView src, int dim, boolean reverse, Storage dst) {
        CudaKernels.cumsum(cuda(dst, "cumsum destination").cudaDevice(), src, dim, reverse, dst);
    }

    @Override
    public void random(RandomOp op, long seed, long counter, float a, float b, Storage dst, int offset, int length) {
        CudaKernels.random(cuda(dst, "random destination").cudaDevice(), op, seed, counter, a, b, dst, offset, length);
    }

    @Override
    public void reduce(ReduceOp op, StridedView src, int dim, Storage dst) {
        CudaKernels.reduce(cuda(dst, "reduce destination").cudaDevice(), op, src, dim, dst);
    }

    // ---- sliding windows ----

    @Override
    public void unfold(StridedView src, Window window, Storage dst) {
        CudaKernels.unfold(cuda(dst, "unfold destination").cudaDevice(), src, window, dst);
    }

    @Override
    public void conv2d(StridedView src, Window window, int groups, StridedView weight, StridedView bias,
                       Storage dst) {
        CudaKernels.conv2d(cuda(dst, "conv2d destination").cudaDevice(), src, window, groups, weight, bias, dst);
    }

    @Override
    public void fold(StridedView src, Window window, Storage dst) {
        CudaKernels.fold(cuda(dst, "fold destination").cudaDevice(), src, window, dst);
    }

    @Override
    public void maxPool2d(StridedView src, Window window, Storage dst, Storage indices) {
        CudaKernels.maxPool2d(cuda(dst, "maxPool2d destination").cudaDevice(), src, window, dst, indices);
    }

    @Override
    public void maxPool2dBackward(StridedView grad, StridedView indices, Window window, Storage dst) {
        CudaKernels.maxPool2dBackward(cuda(dst, "maxPool2d input gradient").cudaDevice(), grad, indices, window, dst);
    }

    // ---- GEMM ----

    @Override
    public void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epilogue) {
        CudaStorage cs = cuda(c.storage(), "GEMM output");
        gemm(cs.cudaDevice().gemmPath(), batch, m, n, k, a, b, c, epilogue);
    }

    /** {@link #gemm} on a chosen path (tests force {@link GemmPath#OWN}); falls back to OWN where cuBLAS cannot run. */
    void gemm(GemmPath path, int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c,
              Epilogue epilogue) {
        if (batch <= 0 || m <= 0 || n <= 0) {
            return;
        }
        CudaStorage sa = cuda(a.storage(), "GEMM operand A");
        CudaStorage sb = cuda(b.storage(), "GEMM operand B");
        CudaStorage sc = cuda(c.storage(), "GEMM output");
        CudaDevice d = sc.cudaDevice();
        d.enter();
        if (path == GemmPath.CUBLAS && d.gemmPath() == GemmPath.CUBLAS && k > 0
                && cublasGemm(d, batch, m, n, k, a, sa, b, sb, c, sc)) {
            CudaKernels.epilogue(d, batch, m, n, c, epilogue);
            return;
        }
        CudaKernels.ownGemm(d, batch, m, n, k, a, b, c, epilogue);
    }

    /**
     * Row-major C = A B through column-major cuBLAS: a row-major matrix is the column-major view of its
     * transpose, so C^T = B^T A^T, i.e. cublasSgemm(opB, opA, n, m, k, B, ldb, A, lda, C, ldc).
     * Returns false (caller uses the own kernel) where the leading dimensions break cuBLAS's rules or no
     * cuBLAS handle can be made.
     */
    private static boolean cublasGemm(CudaDevice d, int batch, int m, int n, int k,
                                      GemmOperand a, CudaStorage sa, GemmOperand b, CudaStorage sb,
                                      GemmOperand c, CudaStorage sc) {
        int lda = a.ld();
        int ldb = b.ld();
        int ldc = c.ld();
        int opA;
        int opB;
        int rowsA;
        int rowsB;
        // cuBLAS's first operand is B. Not transposed: B[k][j] at k*ldb + j, column-major n x k, op N.
        // Transposed: B[k][j] at j*ldb + k, column-major k x n, op T.
        if (!b.transposed()) {
            opB = cublasOperation.CUBLAS_OP_N;
            rowsB = n;
            if (k == 1) {
                ldb = Math.max(ldb, n);  // a single column: its leading dimension is never used
            }
        } else {
            opB = cublasOperation.CUBLAS_OP_T;
            rowsB = k;
            if (n == 1) {
                ldb = Math.max(ldb, k);
            }
        }
        // Second operand A. Not transposed: A[i][k] at i*lda + k, column-major k x m, op N.
        // Transposed: A[i][k] at k*lda + i, column-major m x k, op T.
        if (!a.transposed()) {
            opA = cublasOperation.CUBLAS_OP_N;
            rowsA = k;
            if (m == 1) {
                lda = Math.max(lda, k);
            }
        } else {
            opA = cublasOperation.CUBLAS_OP_T;
            rowsA = m;
            if (k == 1) {
                lda = Math.max(lda, m);
            }
        }
        // C[i][j] at i*ldc + j: column-major n x m.
        if (m == 1) {
            ldc = Math.max(ldc, n);
        }
        if (ldb < Math.max(1, rowsB) || lda < Math.max(1, rowsA) || ldc < Math.max(1, n)) {
            return false;
        }
        if (batch > 1 && c.batchStride() == 0) {
            return false;
        }
        cublasHandle h = d.cublas();
        if (h == null) {
            return false;
        }
        CUstream stream = d.stream();
        sa.useOn(stream);
        sb.useOn(stream);
        sc.useOn(stream);
        Pointer alpha = Pointer.to(new float[] {1f});
        Pointer beta = Pointer.to(new float[] {0f});
        MatmulPrecision precision = MatmulPrecision.get();
        if (precision.needsGemmEx()) {
            // BF16 products, FP32 in and out: cublasGemmEx with a compute type no math mode selects.
            int f32 = CUDA_R_32F;
            int ct = precision.cublasComputeType();
            if (batch == 1) {
                Cu.checkBlas(JCublas2.cublasGemmEx(h, opB, opA, n, m, k, alpha, sb.pointer(b.offset()), f32, ldb,
                        sa.pointer(a.offset()), f32, lda, beta, sc.pointer(c.offset()), f32, ldc, ct, CUBLAS_GEMM_DEFAULT),
                        "cublasGemmEx(" + precision + ")");
            } else {
                Cu.checkBlas(JCublas2.cublasGemmStridedBatchedEx(h, opB, opA, n, m, k, alpha, sb.pointer(b.offset()), f32,
                        ldb, b.batchStride(), sa.pointer(a.offset()), f32, lda, a.batchStride(), beta,
                        sc.pointer(c.offset()), f32, ldc, c.batchStride(), batch, ct, CUBLAS_GEMM_DEFAULT),
                        "cublasGemmStridedBatchedEx(" + precision + ")");
            }
            return true;
        }
        if (batch == 1) {
            Cu.checkBlas(JCublas2.cublasSgemm(h, opB, opA, n, m, k, alpha, sb.pointer(b.offset()), ldb,
                    sa.pointer(a.offset()), lda, beta, sc.pointer(c.offset()), ldc), "cublasSgemm");
        } else {
            Cu.checkBlas(JCublas2.cublasSgemmStridedBatched(h, opB, opA, n, m, k, alpha,
                    sb.pointer(b.offset()), ldb, b.batchStride(), sa.pointer(a.offset()), lda, a.batchStride(),
                    beta, sc.pointer(c.offset()), ldc, c.batchStride(), batch), "cublasSgemmStridedBatched");
        }
        return true;
    }

    @Override
    public void synchronize(int index) {
        CudaDevice d = device(index);
        d.enter();
        Cu.check(cuCtxSynchronize(), "cuCtxSynchronize");
    }

    @Override
    public String toString() {
        return "CudaBackend[" + availability() + "]";
    }
}
