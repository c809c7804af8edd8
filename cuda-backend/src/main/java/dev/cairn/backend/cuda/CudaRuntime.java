package dev.cairn.backend.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import dev.cairn.backend.Availability;
import dev.cairn.backend.DeviceInfo;
import dev.cairn.Device;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the CUDA backend found when it probed this machine, once: whether JCuda's natives load,
 * whether a driver and devices are present, which GEMM path runs, and the devices (contexts are made
 * lazily on first use, so probing is cheap). Only ever touched after a successful probe, or inside
 * the probe's catch-all, so that a missing native library is a reason, never a crash.
 */
final class CudaRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(CudaRuntime.class);
    private static final AtomicBoolean WARNED_GEMM = new AtomicBoolean();

    /** System property choosing the GEMM path: {@code auto} (default), {@code cublas} or {@code own}. */
    static final String GEMM_PROPERTY = "cairn.cuda.gemm";
    /** The PTX is built for compute_75, so the devices must be Turing (7.5) or newer. */
    static final int MIN_CC = 75;

    final Availability availability;
    final List<DeviceInfo> infos;
    final CudaDevice[] devices;
    final GemmPath gemmPath;
    final String gemmDetail;

    private CudaRuntime(Availability availability, List<DeviceInfo> infos, CudaDevice[] devices,
                        GemmPath gemmPath, String gemmDetail) {
        this.availability = availability;
        this.infos = infos;
        this.devices = devices;
        this.gemmPath = gemmPath;
        this.gemmDetail = gemmDetail;
    }

    static CudaRuntime unavailable(String reason) {
        return new CudaRuntime(Availability.no(reason), List.of(), new CudaDevice[0], GemmPath.OWN, "none");
    }

    private static CudaRuntime shared;

    /**
     * The process-wide probe result (devices, contexts and allocators are per process, so every
     * CudaBackend instance shares them); probes on first call, never throws.
     */
    static synchronized CudaRuntime shared() {
        if (shared == null) {
            shared = probe();
        }
        return shared;
    }

    /** Probes the machine; never throws. */
    private static CudaRuntime probe() {
        try {
            return doProbe();
        } catch (Throwable t) {
            return unavailable("CUDA probe failed: " + chain(t));
        }
    }

    private static CudaRuntime doProbe() {
        try {
            JCudaDriver.setExceptionsEnabled(false);  // loads libJCudaDriver, which needs libcuda.so.1
        } catch (Throwable t) {
            String msg = briefNativeError(t);
            if (msg.contains("libcuda.so") || msg.contains("nvcuda.dll")) {
                return unavailable("no NVIDIA driver: the driver library (libcuda.so.1 / nvcuda.dll) is not "
                        + "installed, so JCuda's natives failed to load (" + msg + ")");
            }
            return unavailable("JCuda natives failed to load on " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + " (Cairn ships them for linux-x86_64 and windows-x86_64): " + msg);
        }
        int r = cuInit(0);
        if (r == CUresult.CUDA_ERROR_NO_DEVICE) {
            return unavailable("no CUDA GPU: the NVIDIA driver is installed but cuInit reports CUDA_ERROR_NO_DEVICE "
                    + "(no GPU visible; check CUDA_VISIBLE_DEVICES)");
        }
        if (r != CUresult.CUDA_SUCCESS) {
            return unavailable("no usable NVIDIA driver: cuInit failed with " + CUresult.stringFor(r)
                    + (r == 35 /* CUDA_ERROR_INSUFFICIENT_DRIVER */ ? " (the driver is older than CUDA 12)" : ""));
        }
        int[] count = new int[1];
        r = cuDeviceGetCount(count);
        if (r != CUresult.CUDA_SUCCESS) {
            return unavailable("no usable NVIDIA driver: cuDeviceGetCount failed with " + CUresult.stringFor(r));
        }
        if (count[0] == 0) {
            return unavailable("no CUDA GPU: the NVIDIA driver reports 0 devices");
        }
        int[] ver = new int[1];
        cuDriverGetVersion(ver);
        String driver = "CUDA driver " + ver[0] / 1000 + "." + (ver[0] % 1000) / 10;

        GemmPath path;
        String gemmDetail;
        String prop = System.getProperty(GEMM_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        if (prop.equals("own")) {
            path = GemmPath.OWN;
            gemmDetail = "Cairn's tiled GEMM kernel (forced by -D" + GEMM_PROPERTY + "=own)";
        } else {
            String missing = cublasMissing();
            if (missing == null) {
                path = GemmPath.CUBLAS;
                gemmDetail = "cuBLAS (libcublas.so.12, JCublas " + jcuda.JCudaVersion.get() + ")";
            } else {
                path = GemmPath.OWN;
                gemmDetail = "Cairn's tiled GEMM kernel (cuBLAS 12 unavailable: " + missing + "; "
                        + cublas13Note(CublasLocator.system()) + ")";
                if (WARNED_GEMM.compareAndSet(false, true)) {
                    LOG.warn("CUDA: cuBLAS 12 is unavailable ({}); GEMMs run on Cairn's own tiled kernel, which is "
                            + "slower. Install the CUDA 12 cuBLAS runtime (libcublas.so.12) for full speed.", missing);
                }
            }
        }

        List<DeviceInfo> infos = new ArrayList<>();
        List<CudaDevice> devices = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            CUdevice dev = new CUdevice();
            if (cuDeviceGet(dev, i) != CUresult.CUDA_SUCCESS) {
                skipped.add("device " + i + ": cuDeviceGet failed");
                continue;
            }
            byte[] name = new byte[256];
            cuDeviceGetName(name, name.length, dev);
            long[] mem = new long[1];
            cuDeviceTotalMem(mem, dev);
            int[] major = new int[1];
            int[] minor = new int[1];
            int[] sms = new int[1];
            cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
            cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
            cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
            String n = cString(name);
            int cc = major[0] * 10 + minor[0];
            if (cc < MIN_CC) {
                skipped.add("device " + i + " (" + n + ") has compute capability " + major[0] + "." + minor[0]
                        + ", Cairn's kernels need 7.5 or newer");
                continue;
            }
            // Device indices follow the driver's numbering; a skipped device leaves a gap.
            Device d = Device.cuda(i);
            CudaDevice cd = new CudaDevice(d, dev, n, mem[0], sms[0], path);
            while (devices.size() < i) {
                devices.add(null);
            }
            devices.add(cd);
            infos.add(new DeviceInfo(d, n, mem[0], String.format(Locale.ROOT,
                    "compute capability %d.%d, %d SMs, %s; GEMM: %s", major[0], minor[0], sms[0], driver, gemmDetail)));
        }
        if (infos.isEmpty()) {
            return unavailable("no usable CUDA GPU: " + String.join("; ", skipped));
        }
        for (String s : skipped) {
            LOG.warn("CUDA: skipping {}", s);
        }
        String detail = driver + ", " + infos.size() + " device(s): " + infos.get(0).name()
                + (infos.size() > 1 ? ", ..." : "") + "; GEMM: " + gemmDetail;
        return new CudaRuntime(Availability.yes(detail), List.copyOf(infos), devices.toArray(new CudaDevice[0]),
                path, gemmDetail);
    }

    /** What the host has of cuBLAS 13, which this version of Cairn finds but does not bind yet. */
    static String cublas13Note(CublasLocator locator) {
        CublasLocator.Found f = locator.find(13);
        return f == null ? "no libcublas.so.13 either"
                : "libcublas.so.13 found at " + f + ", not used: Cairn binds cuBLAS 12 only so far";
    }

    /** Null when JCublas 12 loads (it links libcublas.so.12), else why not. */
    private static String cublasMissing() {
        try {
            JCublas2.initialize();
            JCublas2.setExceptionsEnabled(false);
            return null;
        } catch (Throwable t) {
            String msg = briefNativeError(t);
            if (msg.contains("libcublas")) {
                return "libcublas.so.12 not found (" + msg + ")";
            }
            return "JCublas natives failed to load (" + msg + ")";
        }
    }

    /** The device with driver index {@code index}, or null. */
    CudaDevice device(int index) {
        return index >= 0 && index < devices.length ? devices[index] : null;
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }

    private static final java.util.regex.Pattern MISSING_LIB = java.util.regex.Pattern.compile(
            "([A-Za-z0-9_.+-]+\\.(?:so(?:\\.[0-9]+)*|dll)): cannot open shared object file[^\\t\\n]*");

    /**
     * JCuda's load errors carry whole nested stack traces; this keeps the part that says what is
     * missing, e.g. {@code libcuda.so.1: cannot open shared object file: No such file or directory}.
     */
    static String briefNativeError(Throwable t) {
        String msg = chain(t);
        java.util.regex.Matcher m = MISSING_LIB.matcher(msg);
        String last = null;
        while (m.find()) {
            last = m.group().trim();
        }
        if (last != null) {
            return last;
        }
        int cut = msg.length();
        for (String marker : new String[] {" Operating system", "---(start", "\tat "}) {
            int i = msg.indexOf(marker);
            if (i > 0) {
                cut = Math.min(cut, i);
            }
        }
        String s = msg.substring(0, cut).trim();
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }

    /** The messages of a throwable and its causes, on one line. */
    static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 600; c = c.getCause()) {
            if (!sb.isEmpty()) {
                sb.append(" <- ");
            }
            sb.append(c.getClass().getSimpleName()).append(": ").append(String.valueOf(c.getMessage()).replace('\n', ' '));
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString();
    }
}
