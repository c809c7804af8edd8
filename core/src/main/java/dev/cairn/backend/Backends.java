package dev.cairn.backend;

import dev.cairn.tensor.Device;
import dev.cairn.tensor.DeviceException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends found on the class path by {@link ServiceLoader}, and the choice of device. A backend
 * whose provider fails to load is reported as unavailable with the loader's reason, never a crash.
 */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    private static volatile Map<Device.Type, Backend> found;
    private static volatile java.util.List<String> loadErrors = java.util.List.of();
    private static volatile Device autoDevice;
    private static volatile String autoReason;

    private Backends() {
    }

    private static Map<Device.Type, Backend> found() {
        Map<Device.Type, Backend> f = found;
        if (f == null) {
            synchronized (Backends.class) {
                if (found == null) {
                    Map<Device.Type, Backend> map = new EnumMap<>(Device.Type.class);
                    List<String> errors = new ArrayList<>();
                    var it = ServiceLoader.load(Backend.class, Backends.class.getClassLoader()).iterator();
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
    public static List<DeviceInfo> devices() {
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
     * The backend that serves {@code device}.
     *
     * @throws DeviceException naming the device and why it cannot run here
     */
    public static Backend forDevice(Device device) {
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
        return b;
    }

    /**
     * CUDA 0 when usable, else the CPU. The choice is made and reported once per process: when a CUDA
     * backend is on the class path but cannot run here (the user asked for GPUs and will not get them),
     * as a {@link Diagnostics} warning that reaches stderr even without logging set up; otherwise at
     * SLF4J's info level. {@link #autoReason()} says why, for tools that print it themselves.
     */
    public static Device autoDevice() {
        Device d = autoDevice;
        if (d == null) {
            synchronized (Backends.class) {
                if (autoDevice == null) {
                    Availability cuda = report().get(Device.Type.CUDA);
                    if (cuda.usable() && isUsable(Device.cuda(0))) {
                        autoReason = "CUDA is usable: " + cuda.reason();
                        autoDevice = Device.cuda(0);
                        LOG.info("Device.auto(): using cuda:0 ({})", cuda.reason());
                    } else {
                        autoReason = "CUDA is not usable: " + cuda.reason();
                        autoDevice = Device.cpu();
                        if (found().containsKey(Device.Type.CUDA)) {
                            Diagnostics.warnOnce(Backends.class, "auto.cuda.unusable",
                                    "Device.auto(): cairn-cuda-backend is on the class path but CUDA cannot run here, "
                                    + "so models run on the CPU: " + cuda.reason());
                        } else {
                            LOG.info("Device.auto(): using the CPU because CUDA is not usable: {}", cuda.reason());
                        }
                    }
                }
                d = autoDevice;
            }
        }
        return d;
    }

    /**
     * Why {@link #autoDevice()} chose the device it chose, in words (e.g. {@code CUDA is not usable: no
     * NVIDIA driver found}); makes the choice first if it has not been made yet.
     */
    public static String autoReason() {
        autoDevice();
        return autoReason;
    }
}
