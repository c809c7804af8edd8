package dev.cairn.samples.cli;

import dev.cairn.backend.Availability;
import dev.cairn.tensor.Devices;
import dev.cairn.backend.DeviceInfo;
import dev.cairn.Device;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cairn devices}: each backend, whether it can run here and why not, and each usable device. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the backends found, whether each can run here (and why not), and the usable devices.")
public final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        for (Map.Entry<Device.Type, Availability> e : Devices.report().entrySet()) {
            Availability a = e.getValue();
            out.printf(Locale.ROOT, "%-5s %s: %s%n", e.getKey().id(), a.usable() ? "usable" : "not usable", a.reason());
        }
        for (DeviceInfo d : Devices.available()) {
            out.printf(Locale.ROOT, "  %-7s %s, %.1f GiB%s%n", d.device(), d.name(),
                    d.totalMemoryBytes() / (1024.0 * 1024 * 1024), d.details().isEmpty() ? "" : ", " + d.details());
        }
        out.println("auto: " + Devices.auto());
        return 0;
    }
}
