package dev.cairn.samples.cli;

import dev.cairn.tensor.Device;
import picocli.CommandLine.Option;

/** The {@code --device cpu|cuda|cuda:N|auto} option shared by the commands that run models. */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "D", defaultValue = "auto",
            description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE}).")
    String device;

    /** The chosen device; an unknown name or an unusable device is an error saying why. */
    public Device resolve() {
        Device d = Device.parse(device);
        if (!d.isCpu()) {
            dev.cairn.backend.Backends.forDevice(d);
        }
        return d;
    }
}
