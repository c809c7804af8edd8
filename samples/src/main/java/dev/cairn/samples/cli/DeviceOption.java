package dev.cairn.samples.cli;

import dev.cairn.backend.Backends;
import dev.cairn.tensor.Device;
import picocli.CommandLine.Option;

/** The {@code --device cpu|cuda|cuda:N|auto} option shared by the commands that run models. */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "D", defaultValue = "auto", converter = DeviceConverter.class,
            description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE}).")
    Device device;

    /** The chosen device; one that cannot run here is an error saying why (exit 1, not a usage error). */
    public Device resolve() {
        if (!device.isCpu()) {
            Backends.forDevice(device);
        }
        return device;
    }
}
