package dev.cairn.samples.cli;

import dev.cairn.samples.models.Models;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn describe --model NAME}: the model's structure exactly as PyTorch's {@code print(model)}. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Print a model's structure exactly as PyTorch's print(model) does.")
public final class DescribeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME", converter = ModelConverter.class,
            description = "mlp, mysequential, fixed_hidden_mlp, nest_mlp, chimera, tied, centered, mylinear or wide.")
    Models.Spec model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(model.create());
        return 0;
    }
}
