package dev.cairn.samples.cli;

import dev.cairn.io.FileChecks;
import dev.cairn.io.SafeTensors;
import dev.cairn.io.SafeTensorsFile;
import dev.cairn.nn.Module;
import dev.cairn.nn.Parameter;
import dev.cairn.samples.Cli;
import dev.cairn.samples.models.Models;
import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cairn conform}: loads a PyTorch reference case (state dict + input), runs the model, and
 * writes its output (and with {@code --grad}, the gradients) to a safetensors file.
 */
@Command(name = "conform", mixinStandardHelpOptions = true,
        description = "Run a model on a PyTorch reference case and write its output (and gradients) to a safetensors file.")
public final class ConformCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME", converter = ModelConverter.class,
            description = "The model the case was made with.")
    Models.Spec model;

    @Option(names = "--case", required = true, paramLabel = "FILE", description = "The case file (safetensors).")
    Path caseFile;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the results.")
    Path outFile;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--grad", description = "Also run backward with grad.output and write grad.input and grad.<key>.")
    boolean grad;

    @Option(names = "--save-state", paramLabel = "FILE", description = "Save the loaded model's state dict to FILE.")
    Path saveState;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // results must never overwrite the case (also through a symbolic or hard link) nor each other
        FileChecks.requireDistinct(outFile, "--out", caseFile, "--case");
        FileChecks.requireDistinct(saveState, "--save-state", caseFile, "--case");
        if (saveState != null && outFile.toAbsolutePath().normalize().equals(saveState.toAbsolutePath().normalize())) {
            throw new CairnException("--out and --save-state are the same path " + outFile + "; give two different files");
        }
        FileChecks.requireDistinct(saveState, "--save-state", outFile, "--out");
        Device device = deviceOption.resolveSilently();
        SafeTensorsFile file = SafeTensors.readFile(caseFile);
        Map<String, Tensor> tensors = file.tensors();
        Tensor input = require(tensors, "input");
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String k = e.getKey();
            if (!k.equals("input") && !k.equals("output") && !k.startsWith("grad.")) {
                state.put(k, e.getValue());
            }
        }
        Module net = model.create();
        try {
            net.loadStateDict(state, true);
        } catch (CairnException e) {
            throw new CairnException("case " + caseFile + " does not fit model '" + model.name() + "': " + e.getMessage(), e);
        }
        net.eval(); // reference cases run in eval mode: dropout off, batch norm on its running statistics
        deviceOption.announce(device);
        net.to(device);
        if (saveState != null) {
            SafeTensors.write(saveState, net.stateDict(), Map.of("model", model.name(), "writer", "cairn"));
        }
        Tensor x = input.to(device);
        boolean inputGrad = grad && x.dtype().isFloatingPoint(); // token ids have no gradient
        if (inputGrad) {
            x = x.detach().requiresGrad(true);
        }
        Tensor y = net.call(x);
        Map<String, Tensor> results = new LinkedHashMap<>();
        results.put("output", y);
        if (grad) {
            Tensor upstream = require(tensors, "grad.output");
            if (!java.util.Arrays.equals(upstream.shape(), y.shape())) {
                throw new CairnException("case " + caseFile + ": grad.output has shape "
                        + java.util.Arrays.toString(upstream.shape()) + " but the output has shape "
                        + java.util.Arrays.toString(y.shape()));
            }
            y.backward(upstream.to(device));
            if (inputGrad) {
                results.put("grad.input", x.grad());
            }
            for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
                if (e.getValue() instanceof Parameter p && p.requiresGrad()) {
                    Tensor g = p.grad();
                    results.put("grad." + e.getKey(), g != null ? g : Tensor.zeros(p.shape()));
                }
            }
        }
        SafeTensors.write(outFile, toCpu(results), Map.of("model", model.name(), "device", device.toString()));
        report(tensors, results);
        return 0;
    }

    /** The first result outside the tolerance: the command then fails naming it (exit 1). */
    private String firstMismatch;

    private Map<String, Tensor> toCpu(Map<String, Tensor> results) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        results.forEach((k, v) -> out.put(k, v.to(Device.cpu())));
        return out;
    }

    /** Prints, for each result the case also holds, its largest difference from PyTorch's value. */
    private void report(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        var out = spec.commandLine().getOut();
        int failed = 0;
        for (Map.Entry<String, Tensor> e : actual.entrySet()) {
            Tensor want = expected.get(e.getKey());
            if (want == null) {
                out.printf(Locale.ROOT, "%-24s %s (no reference in the case)%n", e.getKey(),
                        java.util.Arrays.toString(e.getValue().shape()));
                continue;
            }
            Tolerance.Result r = Tolerance.compare(want, e.getValue());
            if (!r.ok()) {
                failed++;
                if (firstMismatch == null) {
                    firstMismatch = String.format(Locale.ROOT, "result '%s' %s differs from the case %s: max |diff| %.3e"
                            + " exceeds the tolerance %.3e%s", Cli.escape(e.getKey()),
                            java.util.Arrays.toString(e.getValue().shape()), caseFile, r.maxDiff(), r.tolerance(),
                            r.reason() == null || r.reason().isEmpty() ? "" : " (" + r.reason() + ")");
                }
            }
            out.printf(Locale.ROOT, "%-24s %-12s max |diff| %.3e (tolerance %.3e) %s%n", Cli.escape(e.getKey()),
                    java.util.Arrays.toString(e.getValue().shape()), r.maxDiff(), r.tolerance(), r.ok() ? "ok" : ("MISMATCH " + r.reason()).strip());
        }
        out.println(failed == 0 ? "conform: all results match the case" : "conform: " + failed + " result(s) differ from the case");
        out.flush();
        if (failed > 0) {
            throw new CairnException(firstMismatch + (failed > 1 ? "; " + (failed - 1) + " more result(s) differ too" : "")
                    + "; the results were written to " + outFile);
        }
    }

    private Tensor require(Map<String, Tensor> tensors, String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new CairnException("case " + caseFile + " has no '" + key + "' tensor (keys: " + tensors.keySet() + ")");
        }
        return t;
    }
}
