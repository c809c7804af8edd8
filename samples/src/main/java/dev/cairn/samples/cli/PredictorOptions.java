package dev.cairn.samples.cli;

import dev.cairn.io.ModuleFiles;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.serve.BatchingPredictor;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The batching options shared by {@code serve} and {@code bench serve}, and how they build a predictor. */
public final class PredictorOptions {
    @Option(names = "--max-batch-rows", paramLabel = "N", defaultValue = "64",
            description = "Most rows one forward pass gathers (default: ${DEFAULT-VALUE}).")
    int maxBatchRows;

    @Option(names = "--max-delay-ms", paramLabel = "T", defaultValue = "0",
            description = "How long a request may wait for company, in ms (default: ${DEFAULT-VALUE}: batch what is queued).")
    double maxDelayMs;

    @Option(names = "--queue", paramLabel = "Q", defaultValue = "1024",
            description = "Requests that may wait; past it requests get 503 at once (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--instances", paramLabel = "I", defaultValue = "1",
            description = "Model instances, each with its own worker thread (default: ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "0",
            description = "Per-request timeout in ms, 504 past it (default: 0, none).")
    long timeoutMs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the random weights when no --weights are given (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /**
     * The model's state: from {@code weights} (strict: every key, right shapes) or seeded random weights.
     * Every instance loads this one state, so they all compute the same function.
     */
    Map<String, Tensor> state(Models.Spec spec, Path weights, long seedValue) {
        Generator.manualSeed(seedValue);
        Module proto = spec.create();
        if (weights != null) {
            if (!Files.isRegularFile(weights)) {
                throw new IllegalArgumentException("--weights: no such file: " + weights);
            }
            ModuleFiles.load(proto, weights, true);
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        proto.stateDict().forEach((k, v) -> state.put(k, v.copy()));
        return state;
    }

    /** A predictor for {@code spec} with these options; {@code batching} false sets max batch rows to 1. */
    BatchingPredictor build(Models.Spec spec, Device device, Map<String, Tensor> state, boolean batching) {
        check(maxBatchRows >= 1, "--max-batch-rows must be >= 1, got " + maxBatchRows);
        check(maxDelayMs >= 0, "--max-delay-ms must be >= 0, got " + maxDelayMs);
        check(queue >= 1, "--queue must be >= 1, got " + queue);
        check(instances >= 1, "--instances must be >= 1, got " + instances);
        check(timeoutMs >= 0, "--timeout-ms must be >= 0, got " + timeoutMs);
        return BatchingPredictor.builder()
                .name(spec.name())
                .model(() -> {
                    Module m = spec.create();
                    m.loadStateDict(state, true);
                    return m;
                })
                .device(device)
                .rowShape(spec.rowShape())
                .maxBatchRows(batching ? maxBatchRows : 1)
                .maxDelay(Duration.ofNanos((long) (maxDelayMs * 1e6)))
                .queueCapacity(queue)
                .instances(instances)
                .timeout(timeoutMs == 0 ? null : Duration.ofMillis(timeoutMs))
                .build();
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(command.commandLine(), message);
        }
    }
}
