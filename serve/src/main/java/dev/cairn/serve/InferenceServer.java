package dev.cairn.serve;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.CairnException;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server for {@link BatchingPredictor}s that speaks the REST form of the Open Inference
 * Protocol (KServe v2, as Triton, KServe and Seldon MLServer serve it), so that existing clients of the
 * protocol work unchanged:
 *
 * <ul>
 *   <li>{@code GET /v2/health/live}, {@code GET /v2/health/ready}, {@code GET /v2} (server metadata,
 *       extension {@code binary_tensor_data}), {@code GET /v2/models/{name}[/versions/{v}]} (inputs and
 *       outputs with datatype and shape, -1 for the batch dimension),
 *       {@code GET /v2/models/{name}[/versions/{v}]/ready};</li>
 *   <li>{@code POST /v2/models/{name}[/versions/{v}]/infer} with JSON tensors ({@code FP32},
 *       {@code INT64}, {@code INT32}, {@code BOOL}; row-major {@code data}, flat or nested) or the binary
 *       tensor data extension ({@code Inference-Header-Content-Length}, {@code binary_data_size},
 *       {@code binary_data}, {@code binary_data_output}), gzip or deflate bodies either way;</li>
 *   <li>{@code GET /metrics}: Prometheus text format.</li>
 * </ul>
 *
 * Errors are {@code {"error": "..."}} with 400 (bad request), 404 (unknown model, version or path),
 * 405 (wrong method), 413 (body too large), 415 (unknown content encoding), 500 (the model failed), 503
 * (overloaded, not ready or shutting down) or 504 (timed out). The model version is the predictor's
 * weights version (1, then one more per swap).
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver} with one virtual thread per exchange: HTTP/1.1
 * with keep-alive, no dependency, and blocking handler code that costs no platform thread while it
 * waits for its batch. {@link #stop} drains gracefully: new requests get 503 while those in flight
 * finish, then the predictors finish what they accepted and are closed. The server owns the predictors
 * it serves. Thread-safe.
 */
public final class InferenceServer implements AutoCloseable {
    static {
        // The JDK server writes headers and body separately: without TCP_NODELAY, Nagle's algorithm and
        // delayed ACKs add ~40 ms to small keep-alive responses. Must be set before the server class loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        // It also closes keep-alive connections past 200 idle ones, which breaks clients that keep more open.
        if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
            System.setProperty("sun.net.httpserver.maxIdleConnections", "16384");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(InferenceServer.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.cairn.serve.access");
    private static final String JSON = "application/json";
    private static final String SERVER_NAME = "cairn";
    private static final String SERVER_VERSION = "0.1.0";

    private final Map<String, ServedModel> models;
    private final ServerMetrics metrics;
    private final HttpServer http;
    private final ExecutorService executor;
    private final long maxBodyBytes;
    private final Duration drainTimeout;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean draining;
    private boolean stopping;

    private InferenceServer(Builder b) throws IOException {
        this.models = Collections.unmodifiableMap(new LinkedHashMap<>(b.models));
        this.maxBodyBytes = b.maxBodyBytes;
        this.drainTimeout = b.drainTimeout;
        this.metrics = new ServerMetrics(models.values());
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        this.http = HttpServer.create(new InetSocketAddress(b.host, b.port), b.backlog);
        http.createContext("/", this::handle);
        http.setExecutor(executor);
        http.start();
        LOG.info("serving {} on {}", models.keySet(), uri());
    }

    /** A builder: add models, then {@link Builder#start}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The port the server listens on (the one chosen when built with port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://host:port}. */
    public URI uri() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort());
    }

    /** The predictor serving {@code model} (for swapping weights while serving). */
    public BatchingPredictor predictor(String model) {
        ServedModel m = models.get(model);
        if (m == null) {
            throw new IllegalArgumentException("unknown model '" + model + "' (served: " + models.keySet() + ")");
        }
        return m.predictor();
    }

    /** Whether {@link #stop} has begun: new requests get 503. */
    public boolean isDraining() {
        return draining;
    }

    /**
     * Graceful shutdown: from now on new requests get 503 (liveness still answers), requests in flight
     * finish (up to {@code grace}), the predictors answer what they accepted and release their models,
     * then the listening socket closes. Idempotent; other callers wait for the first to finish.
     */
    public void stop(Duration grace) {
        synchronized (this) {
            if (stopping) {
                awaitQuietly();
                return;
            }
            stopping = true;
            draining = true;
        }
        LOG.info("draining: {} requests in flight", inFlight.get());
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ServedModel m : models.values()) {
            m.predictor().close();
        }
        http.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("stopped");
        terminated.countDown();
    }

    /** {@link #stop} with the builder's drain timeout. */
    @Override
    public void close() {
        stop(drainTimeout);
    }

    /** Blocks until the server has stopped. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    private void awaitQuietly() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- HTTP -----------------------------------------------------------------------------

    /** A response to send. */
    private record Reply(int status, String contentType, byte[] body, int headerLength, String allow, String model) {
        static Reply json(int status, Object value) {
            return new Reply(status, JSON, OipCodec.json(value), -1, null, null);
        }

        static Reply error(int status, String message) {
            return new Reply(status, JSON, OipCodec.error(message), -1, null, null);
        }
    }

    private void handle(HttpExchange ex) {
        long t0 = System.nanoTime();
        inFlight.incrementAndGet();
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        String endpoint = "other";
        Reply reply;
        try {
            String[] seg = segments(path);
            endpoint = endpoint(seg);
            reply = route(ex, method, seg, endpoint);
        } catch (HttpError e) {
            reply = new Reply(e.status, JSON, OipCodec.error(e.getMessage()), -1,
                    e instanceof MethodNotAllowed m ? m.allow : null, null);
        } catch (RuntimeException | IOException e) {
            LOG.error("{} {} failed", method, path, e);
            reply = Reply.error(500, "internal server error: " + e);
        }
        try {
            send(ex, reply);
        } catch (IOException e) {
            LOG.debug("could not send the response to {} {}: {}", method, path, e.toString());
        } finally {
            ex.close();
            inFlight.decrementAndGet();
        }
        long nanos = System.nanoTime() - t0;
        metrics.httpRequests.labelValues(endpoint, Integer.toString(reply.status())).inc();
        if (reply.model() != null) {
            metrics.requestSeconds.labelValues(reply.model()).observe(nanos / 1e9);
        }
        if (ACCESS.isInfoEnabled()) {
            ACCESS.atInfo().addKeyValue("method", method).addKeyValue("path", path).addKeyValue("status", reply.status())
                    .addKeyValue("bytes", reply.body().length).addKeyValue("duration_us", nanos / 1000)
                    .addKeyValue("remote", ex.getRemoteAddress()).log("request");
        }
    }

    private static String[] segments(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        String[] raw = p.isEmpty() ? new String[0] : p.split("/", -1);
        for (int i = 0; i < raw.length; i++) {
            raw[i] = URLDecoder.decode(raw[i], StandardCharsets.UTF_8);
        }
        return raw;
    }

    private static String endpoint(String[] s) {
        if (s.length == 1 && s[0].equals("metrics")) {
            return "metrics";
        }
        if (s.length == 0 || !s[0].equals("v2")) {
            return "other";
        }
        if (s.length == 1) {
            return "server_metadata";
        }
        if (s.length == 3 && s[1].equals("health") && (s[2].equals("live") || s[2].equals("ready"))) {
            return s[2];
        }
        if (s[1].equals("models") && s.length >= 3) {
            int rest = s.length > 4 && s[3].equals("versions") ? 5 : 3;
            if (s.length == rest) {
                return "model_metadata";
            }
            if (s.length == rest + 1 && (s[rest].equals("ready") || s[rest].equals("infer"))) {
                return s[rest].equals("ready") ? "model_ready" : "infer";
            }
        }
        return "other";
    }

    private Reply route(HttpExchange ex, String method, String[] seg, String endpoint) throws IOException {
        switch (endpoint) {
            case "live" -> {
                requireMethod(method, "GET");
                return Reply.json(200, Map.of("live", true));
            }
            case "metrics" -> {
                requireMethod(method, "GET");
                return new Reply(200, metrics.contentType(), metrics.scrape(), -1, null, null);
            }
            default -> {
            }
        }
        if (draining) {
            if (endpoint.equals("ready") || endpoint.equals("model_ready")) {
                return Reply.json(503, endpoint.equals("ready") ? Map.of("ready", false)
                        : Map.of("name", seg[2], "ready", false));
            }
            return Reply.error(503, "the server is shutting down and takes no new requests");
        }
        switch (endpoint) {
            case "ready" -> {
                requireMethod(method, "GET");
                boolean ready = models.values().stream().allMatch(ServedModel::ready);
                return Reply.json(ready ? 200 : 503, Map.of("ready", ready));
            }
            case "server_metadata" -> {
                requireMethod(method, "GET");
                return Reply.json(200, Map.of("name", SERVER_NAME, "version", SERVER_VERSION, "extensions",
                        List.of("binary_tensor_data")));
            }
            case "model_metadata" -> {
                requireMethod(method, "GET");
                ServedModel m = model(seg);
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("name", m.name());
                meta.put("versions", List.of(m.version()));
                meta.put("platform", "cairn");
                meta.put("inputs", List.of(tensorMeta(m.inputName(), m.inputShape())));
                meta.put("outputs", List.of(tensorMeta(m.outputName(), m.outputShape())));
                return Reply.json(200, meta);
            }
            case "model_ready" -> {
                requireMethod(method, "GET");
                ServedModel m = model(seg);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", m.name());
                r.put("ready", m.ready());
                return Reply.json(m.ready() ? 200 : 503, r);
            }
            case "infer" -> {
                requireMethod(method, "POST");
                return infer(ex, model(seg));
            }
            default -> throw new HttpError(404, "no such endpoint: " + ex.getRequestURI().getRawPath()
                    + " (this server speaks the Open Inference Protocol under /v2, and /metrics)");
        }
    }

    private static Map<String, Object> tensorMeta(String name, int[] shape) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("datatype", "FP32");
        t.put("shape", shape);
        return t;
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new MethodNotAllowed(allowed, method);
        }
    }

    /** A 405 that carries the Allow header. */
    private static final class MethodNotAllowed extends HttpError {
        private static final long serialVersionUID = 1L;
        final String allow;

        MethodNotAllowed(String allow, String method) {
            super(405, "method " + method + " is not allowed here; use " + allow);
            this.allow = allow;
        }
    }

    private ServedModel model(String[] seg) {
        ServedModel m = models.get(seg[2]);
        if (m == null) {
            throw new HttpError(404, "unknown model '" + seg[2] + "' (served: " + String.join(", ", models.keySet()) + ")");
        }
        if (seg.length > 4 && seg[3].equals("versions") && !seg[4].equals(m.version())) {
            throw new HttpError(404, "model '" + m.name() + "' has no version '" + seg[4] + "' (it serves version "
                    + m.version() + ")");
        }
        return m;
    }

    private Reply infer(HttpExchange ex, ServedModel m) throws IOException {
        metrics.inferRequests.labelValues(m.name()).inc();
        try {
            return inferChecked(ex, m);
        } catch (HttpError e) {
            String reason = switch (e.status) {
                case 503 -> e.getMessage().contains("overloaded") ? "overloaded" : "unavailable";
                case 504 -> "timeout";
                case 500 -> "model_error";
                default -> "bad_request";
            };
            metrics.inferFailures.labelValues(m.name(), reason).inc();
            Reply r = Reply.error(e.status, e.getMessage());
            return new Reply(r.status(), r.contentType(), r.body(), -1, null, m.name());
        }
    }

    private Reply inferChecked(HttpExchange ex, ServedModel m) throws IOException {
        if (!m.ready()) {
            throw new HttpError(503, "model '" + m.name() + "' is not ready");
        }
        BatchingPredictor predictor = m.predictor();
        if (predictor.queueDepth() >= predictor.queueCapacity()) {
            // refuse before reading and parsing the body: under overload the CPU that parsing would take
            // is what the queued requests need, and the client learns at once
            throw new HttpError(503, "model '" + m.name() + "' is overloaded: its queue of " + predictor.queueCapacity()
                    + " requests is full; retry later");
        }
        Headers h = ex.getRequestHeaders();
        byte[] body = readBody(ex, h);
        int headerLength = -1;
        String hl = h.getFirst("Inference-Header-Content-Length");
        if (hl != null) {
            try {
                headerLength = Integer.parseInt(hl.trim());
            } catch (NumberFormatException e) {
                headerLength = -2;
            }
            if (headerLength < 0) {
                throw HttpError.badRequest("Inference-Header-Content-Length must be a non-negative integer, got '" + hl + "'");
            }
        }
        OipCodec.InferRequest req = OipCodec.parse(body, headerLength);
        WireTensor input = null;
        for (WireTensor t : req.inputs()) {
            if (!t.name().equals(m.inputName())) {
                throw HttpError.badRequest("unknown input '" + t.name() + "': model '" + m.name() + "' has one input, '"
                        + m.inputName() + "'");
            }
            if (input != null) {
                throw HttpError.badRequest("input '" + t.name() + "' is given twice");
            }
            input = t;
        }
        boolean binary = req.binaryOutputs();
        for (OipCodec.OutputRequest o : req.outputs()) {
            if (!o.name().equals(m.outputName())) {
                throw HttpError.badRequest("unknown output '" + o.name() + "': model '" + m.name() + "' has one output, '"
                        + m.outputName() + "'");
            }
            if (o.binary() != null) {
                binary = o.binary();
            }
        }
        Duration timeout = req.timeoutMicros() == null ? null : Duration.ofNanos(req.timeoutMicros() * 1000);
        // Cairn models take float32 today; when models declare integer inputs (int64 token ids), pick the
        // conversion by the model's input datatype here, next to toFloat32.
        Tensor rows = input.toFloat32(m.name());
        Prediction p;
        try {
            p = m.predictor().submitOwned(rows, timeout).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "the server is shutting down");
        } catch (ExecutionException e) {
            throw mapFailure(m, e.getCause());
        } catch (CancellationException e) {
            throw new HttpError(503, "the request was cancelled");
        }
        float[] data;
        int[] shape;
        try (Tensor out = p.output()) {
            data = out.toFloatArray();
            shape = out.shape();
        }
        OipCodec.Encoded enc = OipCodec.response(m.name(), Long.toString(p.modelVersion()), req.id(), m.outputName(),
                shape, data, binary);
        return new Reply(200, enc.headerLength() >= 0 ? "application/octet-stream" : JSON, enc.body(), enc.headerLength(),
                null, m.name());
    }

    private static HttpError mapFailure(ServedModel m, Throwable c) {
        if (c instanceof OverloadException) {
            return new HttpError(503, c.getMessage());
        }
        if (c instanceof PredictorClosedException) {
            return new HttpError(503, c.getMessage());
        }
        if (c instanceof RequestTimeoutException) {
            return new HttpError(504, c.getMessage());
        }
        if (c instanceof CancellationException) {
            return new HttpError(503, "the request was cancelled");
        }
        if (c instanceof ShapeException) {
            return HttpError.badRequest(c.getMessage());
        }
        if (c instanceof CairnException) {
            return new HttpError(500, "model '" + m.name() + "' failed: " + c.getMessage());
        }
        LOG.error("model '{}' failed", m.name(), c);
        return new HttpError(500, "model '" + m.name() + "' failed: " + c);
    }

    private byte[] readBody(HttpExchange ex, Headers h) throws IOException {
        String cl = h.getFirst("Content-Length");
        if (cl != null) {
            try {
                if (Long.parseLong(cl.trim()) > maxBodyBytes) {
                    throw new HttpError(413, "the body has " + cl.trim() + " bytes; this server takes at most " + maxBodyBytes);
                }
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("bad Content-Length '" + cl + "'");
            }
        }
        byte[] raw = readLimited(ex.getRequestBody(), "the body");
        String enc = h.getFirst("Content-Encoding");
        if (enc == null || enc.isBlank() || enc.trim().equalsIgnoreCase("identity")) {
            return raw;
        }
        String e = enc.trim().toLowerCase(Locale.ROOT);
        try {
            return switch (e) {
                case "gzip" -> readLimited(new GZIPInputStream(new ByteArrayInputStream(raw)), "the decompressed body");
                case "deflate" -> readLimited(new InflaterInputStream(new ByteArrayInputStream(raw)), "the decompressed body");
                default -> throw new HttpError(415, "Content-Encoding '" + enc + "' is not supported (gzip, deflate or identity)");
            };
        } catch (java.util.zip.ZipException | java.io.EOFException z) {
            throw HttpError.badRequest("the body is not valid " + e + " data: " + z.getMessage());
        }
    }

    private byte[] readLimited(InputStream in, String what) throws IOException {
        byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, maxBodyBytes + 1));
        if (b.length > maxBodyBytes) {
            throw new HttpError(413, what + " is larger than " + maxBodyBytes + " bytes, the most this server takes");
        }
        return b;
    }

    private static void send(HttpExchange ex, Reply r) throws IOException {
        Headers out = ex.getResponseHeaders();
        out.set("Content-Type", r.contentType());
        if (r.headerLength() >= 0) {
            out.set("Inference-Header-Content-Length", Integer.toString(r.headerLength()));
        }
        if (r.status() == 405 && r.allow() != null) {
            out.set("Allow", r.allow());
        }
        byte[] body = r.body();
        String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
        if (accept != null && body.length > 0) {
            String a = accept.toLowerCase(Locale.ROOT);
            if (a.contains("gzip") || a.contains("deflate")) {
                boolean gzip = a.contains("gzip");
                ByteArrayOutputStream z = new ByteArrayOutputStream(body.length / 2 + 64);
                try (OutputStream zo = gzip ? new GZIPOutputStream(z) : new DeflaterOutputStream(z)) {
                    zo.write(body);
                }
                body = z.toByteArray();
                out.set("Content-Encoding", gzip ? "gzip" : "deflate");
            }
        }
        if (r.status() == 503) {
            out.set("Retry-After", "1");
        }
        ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }

    /** Configures and starts an {@link InferenceServer}. */
    public static final class Builder {
        private final Map<String, ServedModel> models = new LinkedHashMap<>();
        private String host = "127.0.0.1";
        private int port = 8000;
        private int backlog = 1024;
        private long maxBodyBytes = 64L << 20;
        private Duration drainTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** The address to bind (default 127.0.0.1; 0.0.0.0 for every interface). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port (default 8000; 0 picks a free one, see {@link InferenceServer#port}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Pending connections the OS queues (default 1024). */
        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /** The largest request body accepted, after decompression (default 64 MiB); larger ones get 413. */
        public Builder maxBodyBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxBodyBytes must be > 0, got " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** How long {@link InferenceServer#close} waits for requests in flight (default 30 s). */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Serves {@code predictor} as model {@code name} with tensors named {@code input} and {@code output}. */
        public Builder model(String name, BatchingPredictor predictor) {
            return model(name, predictor, "input", "output");
        }

        /**
         * Serves {@code predictor} (which must declare its {@link BatchingPredictor.Builder#rowShape row
         * shape}) as model {@code name}. The server runs it once on two zero rows to learn the output
         * shape for the metadata, and closes it when it stops.
         */
        public Builder model(String name, BatchingPredictor predictor, String inputName, String outputName) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(predictor, "predictor");
            if (name.isEmpty() || name.contains("/")) {
                throw new IllegalArgumentException("a model name must be non-empty without '/', got '" + name + "'");
            }
            if (models.containsKey(name)) {
                throw new IllegalArgumentException("model '" + name + "' is already added");
            }
            int[] row = predictor.rowShape();
            if (row == null) {
                throw new IllegalArgumentException("model '" + name + "': serving needs the predictor's row shape "
                        + "(BatchingPredictor.builder().rowShape(...)) for the metadata and input checks");
            }
            int[] in = new int[row.length + 1];
            in[0] = -1;
            System.arraycopy(row, 0, in, 1, row.length);
            int[] probe = new int[row.length + 1];
            probe[0] = 2;
            System.arraycopy(row, 0, probe, 1, row.length);
            int[] out;
            try (Tensor zeros = Tensor.zeros(probe); Tensor y = predictor.predict(zeros)) {
                out = y.shape();
            }
            if (out.length >= 1 && out[0] == 2) {
                out[0] = -1;
            }
            models.put(name, new ServedModel(name, predictor, inputName, outputName, in, out));
            return this;
        }

        /** Binds and starts the server. */
        public InferenceServer start() throws IOException {
            if (models.isEmpty()) {
                throw new IllegalStateException("add at least one model before start()");
            }
            return new InferenceServer(this);
        }
    }
}
