package dev.cairn.tensor;

import dev.cairn.Device;
import dev.cairn.DeviceException;
import dev.cairn.backend.Availability;
import dev.cairn.backend.Backend;
import dev.cairn.backend.DeviceInfo;
import dev.cairn.backend.Diagnostics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which devices can run here and which one to use: the backends found on the class path by
 * {@link ServiceLoader} (a backend is used when its jar, such as {@code cairn-cpu-backend}, is on the
 * runtime class path), the automatic choice ({@link #auto()}: CUDA 0 when usable, else the CPU), and
 * the device-wide operations an application may need ({@link #synchronize}, {@link #memoryInUseBytes}).
 * A backend whose provider fails to load is reported as unavailable with the loader's reason, never a
 * crash.
 *
 * <p>{@link Device} itself is a plain value that knows nothing of backends; this class is where a device
 * meets the backend that serves it. Thread-safe: discovery and the automatic choice happen once per
 * class loader, however many threads ask.
 */
public final class Devices {
    /**
     * The system property that names the backends to use instead of discovering them: fully qualified
     * class names separated by commas, one per device type (for example a custom or instrumented
     * backend, or test doubles). Unset (the default), every {@link Backend} provider on the class path is
     * found by {@link ServiceLoader} and the first of each device type is used. Read once, at the first
     * use of a device.
     */
    public static final String BACKENDS_PROPERTY = "cairn.backends";

    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);
    /** The devices {@link #backend} has found usable, with their backends (a device's usability does not change). */
    private static final java.util.concurrent.ConcurrentHashMap<Device, Backend> CHECKED =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static volatile Map<Device.Type, Backend> found;
    private static volatile List<String> loadErrors = List.of();
    private static volatile Device autoDevice;
    private static volatile String autoReason;

    private Devices() {
    }

    private static Map<Device.Type, Backend> found() {
        Map<Device.Type, Backend> f = found;
        if (f == null) {
            synchronized (Devices.class) {
                if (found == null) {
                    Map<Device.Type, Backend> map = new EnumMap<>(Device.Type.class);
                    List<String> errors = new ArrayList<>();
                    String chosen = System.getProperty(BACKENDS_PROPERTY, "").trim();
                    if (!chosen.isEmpty()) {
                        for (String name : chosen.split(",")) {
                            Backend b = instantiate(name.trim());
                            if (map.putIfAbsent(b.type(), b) != null) {
                                throw new DeviceException(BACKENDS_PROPERTY + " names two backends for "
                                        + b.type().id() + ": " + map.get(b.type()).getClass().getName() + " and "
                                        + name.trim() + "; name one backend per device type");
                            }
                        }
                        found = map;
                        return map;
                    }
                    var it = ServiceLoader.load(Backend.class, Devices.class.getClassLoader()).iterator();
                    while (true) {
                        try {
                            if (!it.hasNext()) {
                                break;
                            }
                            Backend b = it.next();
                            map.putIfAbsent(b.type(), b);
                        } catch (ServiceConfigurationError | LinkageError e) {
                            LOG.warn("a backend failed to load: {}", e.toString());
                            errors.add(e.toString());
                        }
                    }
                    loadErrors = List.copyOf(errors);
                    found = map;
                }
                f = found;
            }
        }
        return f;
    }

    /**
     * The backend with the public no-argument constructor of class {@code name}, for
     * {@value #BACKENDS_PROPERTY}.
     *
     * @throws DeviceException naming the class and what is wrong with it
     */
    private static Backend instantiate(String name) {
        try {
            Class<?> c = Class.forName(name, true, Devices.class.getClassLoader());
            if (!Backend.class.isAssignableFrom(c)) {
                throw new DeviceException(BACKENDS_PROPERTY + ": " + name + " does not implement "
                        + Backend.class.getName());
            }
            return (Backend) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new DeviceException(BACKENDS_PROPERTY + ": cannot create backend " + name + " (" + e
                    + "); give fully qualified class names with a public no-argument constructor, separated by commas", e);
        }
    }

    /** Every backend type known to Cairn with its availability here (absent backends say so). */
    public static Map<Device.Type, Availability> report() {
        Map<Device.Type, Availability> out = new EnumMap<>(Device.Type.class);
        for (Device.Type t : Device.Type.values()) {
            Backend b = found().get(t);
            if (b != null) {
                out.put(t, b.availability());
            } else {
                String why = "no " + t.id() + " backend on the class path (add cairn-" + t.id() + "-backend)";
                if (!loadErrors.isEmpty()) {
                    why += "; a backend provider failed to load: " + String.join("; ", loadErrors);
                }
                out.put(t, Availability.no(why));
            }
        }
        return out;
    }

    /** The usable devices of every backend. */
    public static List<DeviceInfo> available() {
        List<DeviceInfo> out = new ArrayList<>();
        for (Backend b : found().values()) {
            if (b.availability().usable()) {
                out.addAll(b.devices());
            }
        }
        return out;
    }

    /** Whether {@code device} can be used here. */
    public static boolean isUsable(Device device) {
        Backend b = found().get(device.type());
        return b != null && b.availability().usable()
                && b.devices().stream().anyMatch(d -> d.device().equals(device));
    }

    /**
     * Checks that {@code device} can run here.
     *
     * @throws DeviceException naming the device and why it cannot run here
     */
    public static void check(Device device) {
        backend(device);
    }

    /** Waits until all work queued on {@code device} has finished (a no-op on the CPU, whose kernels return when done). */
    public static void synchronize(Device device) {
        backend(device).synchronize(device.index());
    }

    /**
     * Bytes of device memory that live tensors hold on {@code device} (not counting memory a cache keeps
     * for reuse), or -1 where the backend does not track it (the CPU's memory is the Java heap).
     */
    public static long memoryInUseBytes(Device device) {
        return backend(device).memoryInUseBytes(device.index());
    }

    /**
     * The backend that serves {@code device}; for core's op code, not for applications.
     *
     * @throws DeviceException naming the device and why it cannot run here
     */
    static Backend backend(Device device) {
        Backend known = CHECKED.get(device);
        if (known != null) {
            return known; // every tensor creation asks: after the first check it is one map lookup
        }
        Backend b = found().get(device.type());
        if (b == null) {
            throw new DeviceException("device " + device + " cannot be used: " + report().get(device.type()).reason());
        }
        Availability a = b.availability();
        if (!a.usable()) {
            throw new DeviceException("device " + device + " cannot be used: " + a.reason());
        }
        if (b.devices().stream().noneMatch(d -> d.device().equals(device))) {
            throw new DeviceException("device " + device + " does not exist here (" + b.devices().size()
                    + " " + device.type().id() + " device(s) found)");
        }
        CHECKED.put(device, b);
        return b;
    }

    /**
     * CUDA 0 when usable, else the CPU, as {@code Devices.parse("auto")} gives. The choice is made and reported once per process: when a CUDA
     * backend is on the class path but cannot run here (the user asked for GPUs and will not get them),
     * as a {@link Diagnostics} warning that reaches stderr even without logging set up; otherwise at
     * SLF4J's info level. {@link #autoReason()} says why, for tools that print it themselves.
     */
    public static Device auto() {
        Device d = autoDevice;
        if (d == null) {
            synchronized (Devices.class) {
                if (autoDevice == null) {
                    Availability cuda = report().get(Device.Type.CUDA);
                    if (cuda.usable() && isUsable(Device.cuda(0))) {
                        autoReason = "CUDA is usable: " + cuda.reason();
                        autoDevice = Device.cuda(0);
                        LOG.info("Devices.auto(): using cuda:0 ({})", cuda.reason());
                    } else {
                        autoReason = "CUDA is not usable: " + cuda.reason();
                        autoDevice = Device.cpu();
                        if (found().containsKey(Device.Type.CUDA)) {
                            Diagnostics.warnOnce(Devices.class, "auto.cuda.unusable",
                                    "Devices.auto(): cairn-cuda-backend is on the class path but CUDA cannot run here, "
                                    + "so models run on the CPU: " + cuda.reason());
                        } else {
                            LOG.info("Devices.auto(): using the CPU because CUDA is not usable: {}", cuda.reason());
                        }
                    }
                }
                d = autoDevice;
            }
        }
        return d;
    }

    /**
     * Why {@link #auto()} chose the device it chose, in words (e.g. {@code CUDA is not usable: no
     * NVIDIA driver found}); makes the choice first if it has not been made yet.
     */
    public static String autoReason() {
        auto();
        return autoReason;
    }

    /**
     * Parses {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto} (the device {@link #auto()} chooses),
     * as PyTorch's {@code torch.device} does, plus the automatic choice.
     *
     * @throws DeviceException naming the text when it is not a device name
     */
    public static Device parse(String name) {
        if (name != null && name.trim().equalsIgnoreCase("auto")) {
            return auto();
        }
        return Device.parse(name);
    }
}
