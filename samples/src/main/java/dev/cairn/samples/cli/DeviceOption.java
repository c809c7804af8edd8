package dev.cairn.samples.cli;

import dev.cairn.backend.Backends;
import dev.cairn.tensor.Device;
import dev.cairn.tensor.DeviceException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --device cpu|cuda|cuda:N|auto} option shared by the commands that run models. It is
 * resolved when the command runs, not while options are parsed, so that options such as
 * {@code --threads} take effect before any backend starts.
 */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "D", defaultValue = "auto",
            description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /**
     * The chosen device. A name that is not a device is a usage error (exit 2); a device that cannot run
     * here is an error saying why (exit 1).
     */
    public Device resolve() {
        Device d;
        try {
            d = Device.parse(device);
        } catch (DeviceException e) {
            throw new ParameterException(command.commandLine(), "--device: " + e.getMessage());
        }
        if (!d.isCpu()) {
            Backends.forDevice(d);
        }
        return d;
    }
}
