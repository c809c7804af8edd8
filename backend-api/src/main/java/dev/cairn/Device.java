package dev.cairn;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a tensor's memory lives: the CPU or one CUDA GPU. Devices are values: {@code Device.cuda(0)}
 * equals any other {@code Device.cuda(0)}, and naming a device does not check that it exists; which
 * devices can run here, and the automatic choice, are {@code dev.cairn.tensor.Devices}'. Immutable and
 * safe to share between threads.
 */
public final class Device {
    /** The kind of device; each kind is served by one backend. */
    public enum Type {
        CPU("cpu"), CUDA("cuda");

        private final String id;

        Type(String id) {
            this.id = id;
        }

        /** The backend name for this kind ({@code cpu}, {@code cuda}). */
        public String id() {
            return id;
        }
    }

    private static final Device CPU = new Device(Type.CPU, 0);

    private final Type type;
    private final int index;

    private Device(Type type, int index) {
        this.type = type;
        this.index = index;
    }

    /** The host CPU. */
    public static Device cpu() {
        return CPU;
    }

    /** CUDA GPU number {@code index}. Using it where CUDA cannot run raises a {@link DeviceException} saying why. */
    public static Device cuda(int index) {
        if (index < 0) {
            throw new DeviceException("CUDA device index must be >= 0, got " + index);
        }
        return new Device(Type.CUDA, index);
    }

    /** CUDA GPU 0. */
    public static Device cuda() {
        return cuda(0);
    }

    /**
     * Parses {@code cpu}, {@code cuda} or {@code cuda:N}, as PyTorch's {@code torch.device} does. The
     * automatic choice, {@code auto}, depends on what can run here and is {@code dev.cairn.tensor.Devices.parse}'s.
     *
     * @throws DeviceException naming the text when it is not a device name
     */
    public static Device parse(String name) {
        Objects.requireNonNull(name, "device name");
        String s = name.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return cpu();
        }
        if (s.equals("auto")) {
            throw new DeviceException("'auto' is a choice, not a device: use Devices.parse(\"auto\") or Devices.auto() "
                    + "(dev.cairn.tensor.Devices), which pick CUDA 0 when it can run here and the CPU otherwise");
        }
        if (s.equals("cuda")) {
            return cuda(0);
        }
        if (s.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new DeviceException("unknown device '" + name + "' (expected cpu, cuda, cuda:N or auto)");
    }

    public Type type() {
        return type;
    }

    public int index() {
        return index;
    }

    public boolean isCpu() {
        return type == Type.CPU;
    }

    public boolean isCuda() {
        return type == Type.CUDA;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.type == type && d.index == index;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + index;
    }

    /** {@code cpu} or {@code cuda:N}, as PyTorch prints devices. */
    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}
