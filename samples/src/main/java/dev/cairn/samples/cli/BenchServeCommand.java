package dev.cairn.samples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.serve.BatchingPredictor;
import dev.cairn.serve.InferenceServer;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cairn bench serve}: drives an Open Inference Protocol server over loopback with N concurrent
 * keep-alive HTTP clients for S seconds per concurrency and reports throughput and latency. It starts
 * the server in this process on 127.0.0.1 (or targets a loopback {@code --url}); in-process it also
 * checks every answer against the model run directly, can swap the weights while serving, and reports
 * the mean batch size. Bounded: at most 600 s per concurrency and 4096 clients.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Throughput and latency of the Open Inference Protocol server under N concurrent HTTP clients (loopback only).")
final class BenchServeCommand implements Callable<Integer> {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Option(names = "--model", required = true, paramLabel = "NAME", converter = ModelConverter.class,
            description = "A model name (see 'cairn describe') or 'wide'.")
    Models.Spec ms;

    @Option(names = "--concurrency", defaultValue = "1,8,64", paramLabel = "N,...",
            description = "Concurrent clients, one run each (default: ${DEFAULT-VALUE}).")
    String concurrency;

    @Option(names = "--seconds", defaultValue = "5", paramLabel = "S", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup-seconds", defaultValue = "1", paramLabel = "S", description = "Unmeasured seconds before each run (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--batching", defaultValue = "on", paramLabel = "on|off", description = "Dynamic batching (default: ${DEFAULT-VALUE}).")
    String batching;

    @Option(names = "--url", paramLabel = "URL", description = "A running server on this machine (loopback only) instead of an in-process one.")
    URI url;

    @Option(names = "--rows", defaultValue = "1", paramLabel = "R", description = "Rows per request (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--binary", description = "Send and receive binary tensor data (the default is JSON tensors).")
    boolean binary;

    @Option(names = "--swap-every-ms", defaultValue = "0", paramLabel = "MS",
            description = "In-process only: swap the weights between two seeded sets this often while serving (default: 0, never).")
    long swapEveryMs;

    @Option(names = "--client-timeout-ms", defaultValue = "30000", paramLabel = "MS",
            description = "A request unanswered this long counts as hung (default: ${DEFAULT-VALUE}).")
    long clientTimeoutMs;

    @Option(names = "--json", description = "One JSON object per result line.")
    boolean json;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    PredictorOptions predictorOptions;

    @Spec
    CommandSpec spec;

    /** What each run counts. */
    private static final class Tally {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong overloaded = new AtomicLong();
        final AtomicLong timeouts = new AtomicLong();
        final AtomicLong hung = new AtomicLong();
        final AtomicLong otherErrors = new AtomicLong();
        final AtomicLong mixed = new AtomicLong();
        final List<long[]> latencies = new ArrayList<>();
        final List<long[]> errorLatencies = new ArrayList<>();
    }

    @Override
    public Integer call() throws Exception {
        int[] cs = BenchCommand.parseList(spec, "--concurrency", concurrency);
        for (int c : cs) {
            if (c > 4096) {
                throw new ParameterException(spec.commandLine(), "--concurrency is at most 4096, got " + c);
            }
        }
        if (!(seconds > 0 && seconds <= 600) || !(warmupSeconds >= 0 && warmupSeconds <= 60)) {
            throw new ParameterException(spec.commandLine(), "--seconds must be in (0, 600] and --warmup-seconds in [0, 60]");
        }
        if (!batching.equals("on") && !batching.equals("off")) {
            throw new ParameterException(spec.commandLine(), "--batching must be on or off, got '" + batching + "'");
        }
        if (rows < 1 || rows > 4096) {
            throw new ParameterException(spec.commandLine(), "--rows must be in 1..4096, got " + rows);
        }
        if (url != null) {
            checkLoopback(url);
            if (swapEveryMs > 0) {
                throw new ParameterException(spec.commandLine(), "--swap-every-ms needs the in-process server (drop --url)");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        Device device = url == null ? deviceOption.resolve() : Device.cpu();
        if (!ms.takesFlatFloatRows()) {
            throw new ParameterException(spec.commandLine(), "bench serve sends flat float32 rows; model '" + ms.name()
                    + "' takes " + ms.inputType() + " rows of shape " + java.util.Arrays.toString(ms.rowShape())
                    + " (serve it with 'cairn serve' and send tensors of that shape)");
        }
        int width = ms.inputWidth();
        Tensor x = Tensor.rand(new Generator(12345), rows, width);
        float[] input = x.toFloatArray();
        byte[] body = requestBody(input, rows, width);
        InferenceServer server = null;
        BatchingPredictor predictor = null;
        float[][] expected = null;
        Map<String, Tensor> stateA = null;
        Map<String, Tensor> stateB = null;
        AtomicLong batches = new AtomicLong();
        AtomicLong batchRows = new AtomicLong();
        URI base = url;
        if (url == null) {
            stateA = predictorOptions.state(ms, null, predictorOptions.seed);
            stateB = swapEveryMs > 0 ? predictorOptions.state(ms, null, predictorOptions.seed + 1) : null;
            expected = new float[][] {reference(stateA, x), stateB == null ? null : reference(stateB, x)};
            predictor = predictorOptions.build(ms, device, stateA, batching.equals("on"));
            server = InferenceServer.builder().host("127.0.0.1").port(0).model(ms.name(), predictor).start();
            predictor.addListener((requests, r, nanos, failed) -> {
                batches.incrementAndGet();
                batchRows.addAndGet(r);
            });
            base = server.uri();
        }
        URI target = base.resolve("/v2/models/" + ms.name() + "/infer");
        try {
            for (int c : cs) {
                if (warmupSeconds > 0) {
                    drive(target, body, c, warmupSeconds, null, null, null, null);
                }
                long b0 = batches.get();
                long r0 = batchRows.get();
                Tally t = new Tally();
                long swaps = drive(target, body, c, seconds, t, expected, predictor,
                        swapEveryMs > 0 ? new Map[] {stateA, stateB} : null);
                report(out, c, t, swaps, batches.get() - b0, batchRows.get() - r0, url == null);
            }
        } finally {
            if (server != null) {
                server.stop(Duration.ofSeconds(10));
            }
        }
        return 0;
    }

    private void checkLoopback(URI u) {
        try {
            if (u.getHost() == null || !InetAddress.getByName(u.getHost()).isLoopbackAddress()) {
                throw new ParameterException(spec.commandLine(), "--url must point to this machine (a loopback address), got " + u);
            }
        } catch (java.net.UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "--url: unknown host " + u.getHost());
        }
    }

    private float[] reference(Map<String, Tensor> state, Tensor x) {
        Module m = ms.create();
        m.loadStateDict(state, true);
        m.eval();
        try (var g = GradMode.noGrad()) {
            return m.call(x).toFloatArray();
        }
    }

    private byte[] requestBody(float[] input, int r, int width) {
        String shape = "[" + r + ", " + width + "]";
        if (binary) {
            String head = "{\"inputs\": [{\"name\": \"input\", \"shape\": " + shape + ", \"datatype\": \"FP32\", "
                    + "\"parameters\": {\"binary_data_size\": " + input.length * 4 + "}}], "
                    + "\"parameters\": {\"binary_data_output\": true}}";
            byte[] h = head.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(h.length + input.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.put(h);
            for (float v : input) {
                b.putFloat(v);
            }
            headerLength = h.length;
            return b.array();
        }
        StringBuilder sb = new StringBuilder("{\"inputs\": [{\"name\": \"input\", \"shape\": ").append(shape)
                .append(", \"datatype\": \"FP32\", \"data\": [");
        for (int i = 0; i < input.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(input[i]);
        }
        return sb.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private int headerLength = -1;

    /** Runs {@code clients} loops for {@code secs}; returns the number of swaps made. */
    @SuppressWarnings("unchecked")
    private long drive(URI target, byte[] body, int clients, double secs, Tally t, float[][] expected,
            BatchingPredictor predictor, Map<String, Tensor>[] states) throws InterruptedException {
        long end = System.nanoTime() + (long) (secs * 1e9);
        AtomicBoolean stop = new AtomicBoolean();
        String[] headers = headerLength >= 0
                ? new String[] {"Inference-Header-Content-Length: " + headerLength, "Content-Type: application/octet-stream"}
                : new String[] {"Content-Type: application/json"};
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            long[][] lat = {new long[1024]};
            long[][] errLat = {new long[64]};
            int[] n = {0};
            int[] en = {0};
            Thread th = Thread.ofPlatform().daemon().unstarted(() -> {
                Http1Connection conn = new Http1Connection(target, headers, body, (int) clientTimeoutMs);
                while (!stop.get() && System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    int status;
                    byte[] answer;
                    String hl;
                    try {
                        Http1Connection.Response r = conn.exchange();
                        status = r.status();
                        answer = r.body();
                        hl = r.inferenceHeaderLength();
                    } catch (java.net.SocketTimeoutException e) {
                        if (t != null) {
                            t.hung.incrementAndGet();
                        }
                        continue;
                    } catch (IOException e) {
                        if (t != null) {
                            t.otherErrors.incrementAndGet();
                        }
                        continue;
                    }
                    long dt = System.nanoTime() - t0;
                    if (t == null) {
                        continue;
                    }
                    if (status == 200) {
                        if (expected != null && !matches(answer, hl, expected)) {
                            t.mixed.incrementAndGet();
                        }
                        t.ok.incrementAndGet();
                        if (n[0] == lat[0].length) {
                            lat[0] = Arrays.copyOf(lat[0], n[0] * 2);
                        }
                        lat[0][n[0]++] = dt;
                    } else {
                        if (status == 503) {
                            t.overloaded.incrementAndGet();
                        } else if (status == 504) {
                            t.timeouts.incrementAndGet();
                        } else {
                            t.otherErrors.incrementAndGet();
                        }
                        if (en[0] == errLat[0].length) {
                            errLat[0] = Arrays.copyOf(errLat[0], en[0] * 2);
                        }
                        errLat[0][en[0]++] = dt;
                    }
                }
                conn.close();
                if (t != null) {
                    synchronized (t) {
                        t.latencies.add(Arrays.copyOf(lat[0], n[0]));
                        t.errorLatencies.add(Arrays.copyOf(errLat[0], en[0]));
                    }
                }
            });
            threads.add(th);
        }
        threads.forEach(Thread::start);
        long swaps = 0;
        if (states != null && t != null) {
            int which = 0;
            while (System.nanoTime() < end) {
                Thread.sleep(Math.max(1, Math.min(swapEveryMs, (end - System.nanoTime()) / 1_000_000)));
                if (System.nanoTime() >= end) {
                    break;
                }
                which = 1 - which;
                predictor.swapWeights(states[which]);
                swaps++;
            }
        }
        for (Thread th : threads) {
            th.join();
        }
        return swaps;
    }

    /** Whether the answer is the model's output for the version that claims it (odd: first weights, even: second). */
    private static boolean matches(byte[] answer, String headerLength, float[][] expected) {
        try {
            int n = headerLength == null ? answer.length : Integer.parseInt(headerLength);
            JsonNode j = MAPPER.readTree(new String(answer, 0, n, StandardCharsets.UTF_8));
            long version = Long.parseLong(j.get("model_version").asText());
            float[] want = expected[version % 2 == 1 ? 0 : 1];
            if (want == null) {
                want = expected[0];
            }
            JsonNode o = j.get("outputs").get(0);
            float[] got;
            if (headerLength != null) {
                got = new float[(answer.length - n) / 4];
                ByteBuffer.wrap(answer, n, answer.length - n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(got);
            } else {
                JsonNode d = o.get("data");
                got = new float[d.size()];
                for (int i = 0; i < got.length; i++) {
                    got[i] = (float) d.get(i).asDouble();
                }
            }
            if (got.length != want.length) {
                return false;
            }
            float max = 0;
            for (float v : want) {
                max = Math.max(max, Math.abs(v));
            }
            double tol = 1e-4 * (1 + max); // batching changes the summation order of the GEMM, not the function
            for (int i = 0; i < got.length; i++) {
                if (!(Math.abs(got[i] - want[i]) <= tol)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void report(PrintWriter out, int c, Tally t, long swaps, long batches, long rowsRun, boolean inProcess) {
        long[] all = t.latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long[] errs = t.errorLatencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long errors = t.overloaded.get() + t.timeouts.get() + t.hung.get() + t.otherErrors.get();
        double rps = t.ok.get() / seconds;
        double p50 = pct(all, 0.5);
        double p99 = pct(all, 0.99);
        double meanBatch = batches == 0 ? 0 : (double) rowsRun / batches;
        if (json) {
            out.printf(Locale.ROOT, "{\"bench\":\"serve\",\"model\":\"%s\",\"concurrency\":%d,\"batching\":\"%s\",\"requests\":%d,"
                    + "\"errors\":%d,\"throughput_rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"overloaded\":%d,\"timeouts\":%d,"
                    + "\"hung\":%d,\"other_errors\":%d,\"error_p50_ms\":%.3f,\"mixed\":%d,\"swaps\":%d,\"mean_batch_rows\":%.2f,"
                    + "\"rows\":%d,\"tensors\":\"%s\",\"server\":\"%s\"}%n", ms.name(), c, batching, t.ok.get() + errors, errors, rps, p50,
                    p99, t.overloaded.get(), t.timeouts.get(), t.hung.get(), t.otherErrors.get(), pct(errs, 0.5), t.mixed.get(),
                    swaps, meanBatch, rows, binary ? "binary" : "json", inProcess ? "in-process" : url);
        } else {
            out.printf(Locale.ROOT, "serve %-12s c=%-4d batching=%-3s %8.1f req/s  p50 %8.3f ms  p99 %8.3f ms  ok %d  errors %d "
                    + "(overloaded %d, timeouts %d, hung %d, other %d)  mixed %d  swaps %d  mean batch %.2f rows%n", ms.name(), c,
                    batching, rps, p50, p99, t.ok.get(), errors, t.overloaded.get(), t.timeouts.get(), t.hung.get(),
                    t.otherErrors.get(), t.mixed.get(), swaps, meanBatch);
        }
        out.flush();
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
