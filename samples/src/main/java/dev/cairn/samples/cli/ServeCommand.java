package dev.cairn.samples.cli;

import dev.cairn.samples.models.Models;
import dev.cairn.serve.BatchingPredictor;
import dev.cairn.serve.InferenceServer;
import dev.cairn.Device;
import dev.cairn.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cairn serve}: serves one model over HTTP with the Open Inference Protocol (KServe v2) until
 * SIGTERM or Ctrl-C, which drain it gracefully.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over HTTP with the Open Inference Protocol (KServe v2): JSON and binary tensors, "
                + "dynamic batching, Prometheus metrics at /metrics. SIGTERM drains gracefully.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME", converter = ModelConverter.class,
            description = "A model name (see 'cairn describe').")
    Models.Spec ms;

    @Option(names = "--weights", paramLabel = "FILE", description = "A safetensors state dict (PyTorch's key names); "
            + "default: seeded random weights.")
    Path weights;

    @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8000", description = "Port (default: ${DEFAULT-VALUE}; 0: any free one).")
    int port;

    @Option(names = "--drain-seconds", paramLabel = "S", defaultValue = "30",
            description = "On SIGTERM, how long requests in flight may take to finish (default: ${DEFAULT-VALUE}).")
    long drainSeconds;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    PredictorOptions predictorOptions;

    @Spec
    CommandSpec spec;

    /** The server the last run started (for tests, which stop it as SIGTERM's hook does). */
    static volatile InferenceServer started;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be in 0..65535, got " + port);
        }
        Device device = deviceOption.resolve();
        Map<String, Tensor> state = predictorOptions.state(ms, weights, predictorOptions.seed);
        BatchingPredictor predictor = predictorOptions.build(ms, device, state, true);
        InferenceServer server;
        try {
            server = InferenceServer.builder().host(host).port(port).drainTimeout(Duration.ofSeconds(drainSeconds))
                    .model(ms.name(), predictor).start();
        } catch (IOException e) {
            predictor.close();
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "cairn-serve-shutdown"));
        started = server;
        var out = spec.commandLine().getOut();
        out.printf("serving model '%s' on %s (device %s, %s) — Open Inference Protocol v2: POST %s/v2/models/%s/infer; "
                + "metrics at %s/metrics; SIGTERM or Ctrl-C drains and stops%n", ms.name(), server.uri(), device,
                predictor, server.uri(), ms.name(), server.uri());
        out.flush();
        server.awaitTermination();
        return 0;
    }
}
