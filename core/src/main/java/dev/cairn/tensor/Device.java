package dev.cairn.tensor;

import dev.cairn.backend.Backends;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a tensor's memory lives: the CPU or one CUDA GPU. Devices are values: {@code Device.cuda(0)}
 * equals any other {@code Device.cuda(0)}.
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

    /** CUDA GPU 0 when a usable CUDA backend is present, else the CPU; the choice and its reason are logged once. */
    public static Device auto() {
        return Backends.autoDevice();
    }

    /**
     * Parses {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto}, as PyTorch's {@code torch.device} does.
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
            return auto();
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
