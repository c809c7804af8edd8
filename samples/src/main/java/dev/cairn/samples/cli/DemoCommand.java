package dev.cairn.samples.cli;

import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn demo}: builds the seed's five models and shows each one's structure and output. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Build the seed's models, print each one's structure and its output for a random X of shape [N, 20].")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "2", description = "Rows of X (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (batch < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch must be >= 0, got " + batch);
        }
        Device device = deviceOption.resolve();
        var out = spec.commandLine().getOut();
        Generator.manualSeed(seed);
        Tensor x = Tensor.rand(batch, 20).to(device);
        out.println("X: shape [" + batch + ", 20], device " + device);
        for (String name : Models.seedModels()) {
            Module model = Models.get(name).create().to(device);
            out.println();
            out.println("== " + name + " ==");
            out.println(model);
            try (var g = GradMode.noGrad()) {
                Tensor y = model.call(x);
                out.println("output " + java.util.Arrays.toString(y.shape()) + " on " + y.device() + ":");
                out.println(y);
            }
        }
        out.println();
        out.println("ran on " + device);
        return 0;
    }
}
