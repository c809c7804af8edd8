package dev.cairn.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;

/**
 * The server's Prometheus metrics (client_java 1.x), in their own registry: HTTP requests by endpoint
 * and status, inference requests and failures per model, queue depth, batch sizes, request and batch
 * latencies. Thread-safe.
 */
final class ServerMetrics {
    private static final double[] LATENCY_BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final double[] ROW_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

    final PrometheusRegistry registry = new PrometheusRegistry();
    final Counter httpRequests = Counter.builder().name("cairn_http_requests_total")
            .help("HTTP requests by endpoint and status code").labelNames("endpoint", "code").register(registry);
    final Counter inferRequests = Counter.builder().name("cairn_inference_requests_total")
            .help("Inference requests received, per model").labelNames("model").register(registry);
    final Counter inferFailures = Counter.builder().name("cairn_inference_failures_total")
            .help("Inference requests that failed, per model and reason (bad_request, overloaded, timeout, unavailable, "
                    + "model_error)").labelNames("model", "reason").register(registry);
    final Histogram requestSeconds = Histogram.builder().name("cairn_inference_request_duration_seconds")
            .help("Time from receiving an inference request to sending its response, per model").labelNames("model")
            .classicOnly().classicUpperBounds(LATENCY_BOUNDS).register(registry);
    final Histogram batchRows = Histogram.builder().name("cairn_batch_rows")
            .help("Rows per forward pass (the batch size), per model").labelNames("model")
            .classicOnly().classicUpperBounds(ROW_BOUNDS).register(registry);
    final Histogram batchRequests = Histogram.builder().name("cairn_batch_requests")
            .help("Requests per forward pass, per model").labelNames("model")
            .classicOnly().classicUpperBounds(ROW_BOUNDS).register(registry);
    final Histogram batchSeconds = Histogram.builder().name("cairn_batch_duration_seconds")
            .help("Time per forward pass including concatenation and splitting, per model").labelNames("model")
            .classicOnly().classicUpperBounds(LATENCY_BOUNDS).register(registry);
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    ServerMetrics(Collection<ServedModel> models) {
        GaugeWithCallback.builder().name("cairn_queue_depth").help("Requests waiting in the model's queue")
                .labelNames("model").callback(cb -> {
                    for (ServedModel m : models) {
                        cb.call(m.predictor().queueDepth(), m.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("cairn_queue_capacity").help("Requests the model's queue holds before overload")
                .labelNames("model").callback(cb -> {
                    for (ServedModel m : models) {
                        cb.call(m.predictor().queueCapacity(), m.name());
                    }
                }).register(registry);
        for (ServedModel m : models) {
            String name = m.name();
            m.predictor().addListener((requests, rows, nanos, failed) -> {
                batchRows.labelValues(name).observe(rows);
                batchRequests.labelValues(name).observe(requests);
                batchSeconds.labelValues(name).observe(nanos / 1e9);
            });
        }
    }

    String contentType() {
        return writer.getContentType();
    }

    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
