package dev.cairn.backend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventQuery;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import dev.cairn.Device;
import dev.cairn.DeviceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.runtime.cudaStream_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CUDA device as the backend uses it: its primary context (retained on first use and made
 * current in every thread that touches the device), the kernel modules loaded from the committed PTX,
 * the caching allocator, and per-thread state (a stream, a cuBLAS handle, a pinned staging buffer)
 * held in thread-locals so that threads never share a stream.
 */
final class CudaDevice implements KernelLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(CudaDevice.class);
    /** The PTX modules under {@code dev/cairn/backend/cuda/}. */
    static final String[] MODULES = {"elementwise", "compare", "convert", "indexing", "reduce", "gemm", "rows", "windows", "random",
        "attention"};
    /** Pinned staging buffer per thread, in bytes; transfers above {@link #PINNED_THRESHOLD} go through it. */
    static final int STAGING_BYTES = 8 << 20;
    /** Transfers of at most this many bytes are copied straight from/to the Java array. */
    static final int PINNED_THRESHOLD = 256 << 10;

    /** The context current in each thread, so that cuCtxSetCurrent is called only on a change. */
    private static final ThreadLocal<CUcontext> CURRENT = new ThreadLocal<>();

    private final Device device;
    private final CUdevice cuDevice;
    private final String name;
    private final long totalMemory;
    private final int smCount;
    private volatile GemmPath gemmPath;

    private volatile boolean initialized;
    private CUcontext context;
    private CachingAllocator<CUdeviceptr> allocator;
    private final Map<String, CUfunction> functions = new HashMap<>();
    /** Each thread's stream, cuBLAS handle and staging buffer, retired when the thread ends. */
    private final ThreadResources<PerThread> perThread = new ThreadResources<>(PerThread::new, this::retire);
    /** Pinned staging buffers of threads that ended, for the next thread that copies (cuMemAllocHost is slow). */
    private final java.util.concurrent.ConcurrentLinkedQueue<PerThread> stagingPool = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Streams of threads that ended: events for blocks last used on them go on the legacy stream instead. */
    private final java.util.Set<CUstream> retiredStreams = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Recorded-and-waited events, for reuse by the allocator (cuEventCreate is not free). */
    private final java.util.concurrent.ConcurrentLinkedQueue<CUevent> events = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Per-thread state for this device. */
    private static final class PerThread {
        CUstream stream;
        cublasHandle cublas;
        boolean cublasFailed;
        int cublasMathMode = -1;
        Pointer staging;
        ByteBuffer stagingBuffer;
    }

    CudaDevice(Device device, CUdevice cuDevice, String name, long totalMemory, int smCount, GemmPath gemmPath) {
        this.device = device;
        this.cuDevice = cuDevice;
        this.name = name;
        this.totalMemory = totalMemory;
        this.smCount = smCount;
        this.gemmPath = gemmPath;
    }

    Device device() {
        return device;
    }

    String name() {
        return name;
    }

    @Override
    public int smCount() {
        return smCount;
    }

    GemmPath gemmPath() {
        return gemmPath;
    }

    /** The device's allocator; the device must be initialized ({@link #enter()} ran once). No driver call. */
    CachingAllocator<CUdeviceptr> allocator() {
        if (!initialized) {
            enter();
        }
        return allocator;
    }

    /** Makes this device's context current in the calling thread, initializing the device on first use. */
    void enter() {
        if (!initialized) {
            initialize();
        }
        if (CURRENT.get() != context) {
            Cu.check(cuCtxSetCurrent(context), "cuCtxSetCurrent(" + device + ")");
            CURRENT.set(context);
        }
    }

    private synchronized void initialize() {
        if (initialized) {
            return;
        }
        CUcontext ctx = new CUcontext();
        Cu.check(cuDevicePrimaryCtxRetain(ctx, cuDevice), "cuDevicePrimaryCtxRetain(" + device + ")");
        Cu.check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent(" + device + ")");
        CURRENT.set(ctx);
        for (String m : MODULES) {
            byte[] ptx = readPtx(m);
            CUmodule module = new CUmodule();
            Cu.check(cuModuleLoadData(module, ptx), "cuModuleLoadData(" + m + ".ptx) on " + device
                    + " (the driver must accept PTX ISA 8.0, i.e. CUDA 12.0 or newer)");
            for (String fn : kernelNames(ptx)) {
                CUfunction f = new CUfunction();
                Cu.check(cuModuleGetFunction(f, module, fn), "cuModuleGetFunction(" + fn + ")");
                functions.put(fn, f);
            }
        }
        allocator = new CachingAllocator<>(device + " (" + name + ")", new Memory());
        context = ctx;
        initialized = true;
        LOG.debug("CUDA: initialized {} ({}), kernels {}", device, name, functions.keySet());
    }

    private static byte[] readPtx(String module) {
        String res = "/dev/cairn/backend/cuda/" + module + ".ptx";
        try (InputStream in = CudaDevice.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new DeviceException("CUDA kernels missing from the jar: " + res);
            }
            byte[] b = in.readAllBytes();
            byte[] z = new byte[b.length + 1];  // cuModuleLoadData wants a NUL-terminated PTX string
            System.arraycopy(b, 0, z, 0, b.length);
            return z;
        } catch (IOException e) {
            throw new DeviceException("cannot read " + res + ": " + e.getMessage(), e);
        }
    }

    /** The names of the {@code .entry} functions in a PTX text. */
    static java.util.List<String> kernelNames(byte[] ptx) {
        java.util.List<String> names = new java.util.ArrayList<>();
        String text = new String(ptx, java.nio.charset.StandardCharsets.US_ASCII);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\.entry\\s+([A-Za-z_][A-Za-z0-9_]*)").matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private PerThread state() {
        return perThread.get();
    }

    /**
     * Gives back a finished thread's resources: destroys its cuBLAS handle and stream (work still queued
     * on it completes first, as cuStreamDestroy documents) and pools its pinned staging buffer. Runs on
     * the cleaner's thread; logs instead of throwing.
     */
    private void retire(PerThread s) {
        try {
            enter();
            if (s.cublas != null) {
                JCublas2.cublasDestroy(s.cublas);
            }
            if (s.stream != null) {
                retiredStreams.add(s.stream);
                Cu.check(cuStreamDestroy(s.stream), "cuStreamDestroy");
            }
            if (s.staging != null) {
                PerThread pooled = new PerThread();
                pooled.staging = s.staging;
                pooled.stagingBuffer = s.stagingBuffer;
                stagingPool.add(pooled);
            }
        } catch (Throwable t) {
            LOG.warn("CUDA: could not release the resources of a finished thread on {}: {}", device, t.toString());
        }
    }

    /** Releases the calling thread's stream, cuBLAS handle and staging buffer now (they are remade on next use). */
    void releaseCurrentThread() {
        if (initialized) {
            syncStream();
        }
        perThread.releaseCurrentThread();
    }

    /** Threads holding a stream (or staging buffer) on this device now. */
    int liveThreadResources() {
        return perThread.live();
    }

    /**
     * The calling thread's stream on this device. It is a blocking stream (flag 0), so the synchronous
     * copies on the legacy default stream order correctly with it.
     */
    CUstream stream() {
        enter();
        PerThread s = state();
        if (s.stream == null) {
            CUstream st = new CUstream();
            Cu.check(cuStreamCreate(st, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate");
            s.stream = st;
        }
        return s.stream;
    }

    /** Waits for the calling thread's stream. */
    void syncStream() {
        Cu.check(cuStreamSynchronize(stream()), "cuStreamSynchronize");
    }

    /**
     * The calling thread's cuBLAS handle bound to its stream, or null when cuBLAS cannot be used
     * (then this device switches to its own GEMM kernel, with a warning).
     */
    cublasHandle cublas() {
        CUstream st = stream();
        PerThread s = state();
        if (s.cublas == null && !s.cublasFailed) {
            try {
                cublasHandle h = new cublasHandle();
                Cu.checkBlas(JCublas2.cublasCreate(h), "cublasCreate");
                Cu.checkBlas(JCublas2.cublasSetStream(h, new cudaStream_t(st)), "cublasSetStream");
                s.cublas = h;
            } catch (Throwable t) {
                s.cublasFailed = true;
                gemmPath = GemmPath.OWN;
                LOG.warn("CUDA: cuBLAS could not be initialized on {} ({}); using Cairn's own GEMM kernel",
                        device, CudaRuntime.chain(t));
                return null;
            }
        }
        if (s.cublas != null) {
            // The math mode of the float32 matmul precision in effect (plain FP32 by default, so that
            // results match the CPU backend and PyTorch with allow_tf32 = False).
            int mode = MatmulPrecision.get().cublasMathMode();
            if (s.cublasMathMode != mode) {
                Cu.checkBlas(JCublas2.cublasSetMathMode(s.cublas, mode), "cublasSetMathMode(" + mode + ")");
                s.cublasMathMode = mode;
            }
        }
        return s.cublas;
    }

    /** The calling thread's pinned staging buffer (allocated on first use). */
    Pointer staging() {
        ensureStaging();
        return state().staging;
    }

    /** The calling thread's pinned staging buffer as a native-order byte buffer. */
    ByteBuffer stagingBuffer() {
        ensureStaging();
        return state().stagingBuffer;
    }

    private void ensureStaging() {
        enter();
        PerThread s = state();
        if (s.staging == null) {
            PerThread pooled = stagingPool.poll();
            if (pooled != null) {
                s.staging = pooled.staging;
                s.stagingBuffer = pooled.stagingBuffer;
                return;
            }
            Pointer p = new Pointer();
            Cu.check(cuMemAllocHost(p, STAGING_BYTES), "cuMemAllocHost(" + STAGING_BYTES + ")");
            s.staging = p;
            s.stagingBuffer = p.getByteBuffer(0, STAGING_BYTES).order(ByteOrder.nativeOrder());
        }
    }

    @Override
    public boolean hasKernel(String name) {
        enter();
        return functions.containsKey(name);
    }

    CUfunction function(String name) {
        enter();
        CUfunction f = functions.get(name);
        if (f == null) {
            throw new DeviceException("CUDA kernel " + name + " not found in the loaded PTX modules "
                    + java.util.Arrays.toString(MODULES) + " on " + device + "; regenerate them with cuda-backend/compile-kernels.sh");
        }
        return f;
    }

    /** Launches {@code kernel} on the calling thread's stream. */
    @Override
    public void launch(String kernel, int gx, int gy, int gz, int block, KernelArgs args) {
        CUfunction f = function(kernel);
        Cu.check(cuLaunchKernel(f, gx, gy, gz, block, 1, 1, 0, stream(), args.pointer(), null),
                "cuLaunchKernel(" + kernel + ", grid " + gx + "x" + gy + "x" + gz + ", block " + block + ")");
    }

    /**
     * The {@link CUdeviceptr} of a CUDA storage (the launcher handle of {@link KernelArgs#ptr}); notes the
     * calling thread's stream as a user of its block, so that freeing it waits for this work.
     */
    @Override
    public Object pointer(dev.cairn.backend.Storage storage, String role) {
        CudaStorage s = CudaBackend.cuda(storage, role);
        CUdeviceptr p = s.pointer();  // throws for a closed storage before its block is touched
        s.useOn(stream());
        return p;
    }

    /** Raw device memory through the driver API, for the caching allocator. */
    private final class Memory implements DeviceMemory<CUdeviceptr> {
        @Override
        public CUdeviceptr allocate(long bytes) {
            enter();
            CUdeviceptr p = new CUdeviceptr();
            int r = cuMemAlloc(p, bytes);
            if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
                return null;
            }
            Cu.check(r, "cuMemAlloc(" + bytes + ")");
            return p;
        }

        @Override
        public void free(CUdeviceptr block) {
            enter();
            Cu.check(cuMemFree(block), "cuMemFree");
        }

        @Override
        public long freeBytes() {
            enter();
            long[] free = new long[1];
            long[] total = new long[1];
            int r = cuMemGetInfo(free, total);
            return r == CUresult.CUDA_SUCCESS ? free[0] : -1;
        }

        @Override
        public long totalBytes() {
            return totalMemory;
        }

        @Override
        public Object recordEvent(Object streamTag) {
            enter();
            CUevent e = events.poll();
            if (e == null) {
                e = new CUevent();
                Cu.check(cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
            }
            CUstream st = (CUstream) streamTag;
            // A stream of a thread that ended is destroyed: the legacy stream orders after all its work.
            Cu.check(cuEventRecord(e, retiredStreams.contains(st) ? null : st), "cuEventRecord (releasing a block)");
            return e;
        }

        @Override
        public boolean eventDone(Object event) {
            enter();
            int r = cuEventQuery((CUevent) event);
            if (r == CUresult.CUDA_ERROR_NOT_READY) {
                return false;
            }
            Cu.check(r, "cuEventQuery");
            return true;
        }

        @Override
        public void streamWaitEvent(Object streamTag, Object event) {
            enter();
            CUstream st = (CUstream) streamTag;
            Cu.check(cuStreamWaitEvent(retiredStreams.contains(st) ? null : st, (CUevent) event, 0),
                    "cuStreamWaitEvent (reusing a block released on another stream)");
        }

        @Override
        public void releaseEvent(Object event) {
            events.add((CUevent) event);
        }
    }
}
