package dev.cairn.samples.cli;

import dev.cairn.tensor.Devices;
import dev.cairn.Device;
import dev.cairn.DeviceException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --device cpu|cuda|cuda:N|auto} and {@code --quiet} options shared by the commands that run
 * models. The device is resolved when the command runs, not while options are parsed, so that options
 * such as {@code --threads} take effect before any backend starts; resolving it prints one line on
 * stderr saying which device runs and, for {@code auto}, why ({@code --quiet} leaves it out). Stdout
 * is never touched, so machine-readable output ({@code --json}) stays clean.
 */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "D", defaultValue = "auto",
            description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-q", "--quiet"}, description = "Do not print the chosen device on stderr.")
    boolean quiet;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /**
     * The chosen device, announced on stderr unless {@code --quiet}: {@code device: cpu (auto: CUDA is not
     * usable: ...)} or {@code device: cuda:0 (requested)}. A name that is not a device is a usage error
     * (exit 2); a device that cannot run here is an error saying why (exit 1).
     */
    public Device resolve() {
        Device d = resolveSilently();
        announce(d);
        return d;
    }

    /**
     * The chosen device without announcing it, for commands that check their input first and then call
     * {@link #announce}, so that bad input still gives exactly one {@code error:} line on stderr.
     */
    public Device resolveSilently() {
        Device d;
        try {
            d = Devices.parse(device);
        } catch (DeviceException e) {
            throw new ParameterException(command.commandLine(), "--device: " + e.getMessage());
        }
        if (!d.isCpu()) {
            Devices.check(d);
        }
        return d;
    }

    /** Prints which device runs the model and, for {@code auto}, why, as one line on stderr; nothing with {@code --quiet}. */
    public void announce(Device d) {
        if (quiet) {
            return;
        }
        boolean auto = device.trim().equalsIgnoreCase("auto");
        var err = command.commandLine().getErr();
        err.println("device: " + d + (auto ? " (auto: " + Devices.autoReason() + ")" : " (requested)"));
        err.flush();
    }
}
