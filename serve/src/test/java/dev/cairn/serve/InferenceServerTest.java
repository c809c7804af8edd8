package dev.cairn.serve;

import static dev.cairn.serve.TestModels.affine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.serve.TestModels.Affine;
import dev.cairn.serve.TritonStyleClient.Input;
import dev.cairn.serve.TritonStyleClient.Output;
import dev.cairn.serve.TritonStyleClient.Result;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link InferenceServer} over loopback HTTP with an independent client that frames requests as
 * Triton's Python client does: every endpoint, JSON and binary tensors, every error status.
 */
class InferenceServerTest {
    private static InferenceServer server;
    private static TritonStyleClient client;

    @BeforeAll
    static void start() throws Exception {
        server = InferenceServer.builder().port(0)
                .model("affine", BatchingPredictor.builder().model(Affine::new).rowShape(4).name("affine").build())
                .start();
        client = new TritonStyleClient(server.uri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static float[] seq(int n, float start) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i;
        }
        return v;
    }

    private static void assertError(Result r, int status, String fragment) {
        assertEquals(status, r.status(), r.json().toString());
        assertNotNull(r.error(), "an {\"error\": ...} body: " + r.json());
        assertTrue(r.error().contains(fragment), r.error());
        assertEquals(1, r.json().size(), "only the error field: " + r.json());
    }

    // ---- health and metadata --------------------------------------------------------------

    @Test
    void healthAndServerMetadata() throws Exception {
        Result live = client.get("/v2/health/live");
        assertEquals(200, live.status());
        assertTrue(live.json().get("live").asBoolean());
        Result ready = client.get("/v2/health/ready");
        assertEquals(200, ready.status());
        assertTrue(ready.json().get("ready").asBoolean());
        Result meta = client.get("/v2");
        assertEquals(200, meta.status());
        assertEquals("cairn", meta.json().get("name").asText());
        assertFalse(meta.json().get("version").asText().isEmpty());
        assertEquals("[\"binary_tensor_data\"]", meta.json().get("extensions").toString());
        assertEquals("application/json", meta.raw().headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void modelMetadataAndReadiness() throws Exception {
        Result m = client.get("/v2/models/affine");
        assertEquals(200, m.status());
        JsonNode j = m.json();
        assertEquals("affine", j.get("name").asText());
        assertEquals("[\"1\"]", j.get("versions").toString());
        assertEquals("cairn", j.get("platform").asText());
        assertEquals("[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,4]}]", j.get("inputs").toString());
        assertEquals("[{\"name\":\"output\",\"datatype\":\"FP32\",\"shape\":[-1,4]}]", j.get("outputs").toString());
        assertEquals(200, client.get("/v2/models/affine/versions/1").status());
        Result r = client.get("/v2/models/affine/ready");
        assertEquals(200, r.status());
        assertEquals("{\"name\":\"affine\",\"ready\":true}", r.json().toString());
        assertEquals(200, client.get("/v2/models/affine/versions/1/ready").status());
    }

    @Test
    void unknownModelsVersionsAndPathsAre404() throws Exception {
        assertError(client.get("/v2/models/nope"), 404, "unknown model 'nope' (served: affine)");
        assertError(client.get("/v2/models/nope/ready"), 404, "unknown model 'nope'");
        assertError(client.post("/v2/models/nope/infer", "{}"), 404, "unknown model 'nope'");
        assertError(client.get("/v2/models/affine/versions/7"), 404, "has no version '7'");
        assertError(client.get("/v3/whatever"), 404, "no such endpoint: /v3/whatever");
    }

    @Test
    void wrongMethodsAre405WithAllow() throws Exception {
        Result r = client.post("/v2/health/live", "{}");
        assertError(r, 405, "use GET");
        assertEquals("GET", r.raw().headers().firstValue("Allow").orElse(""));
        Result i = client.get("/v2/models/affine/infer");
        assertError(i, 405, "use POST");
        assertEquals("POST", i.raw().headers().firstValue("Allow").orElse(""));
    }

    // ---- JSON tensors ---------------------------------------------------------------------

    @Test
    void jsonFp32FlatAndNested() throws Exception {
        Result flat = client.post("/v2/models/affine/infer", "{\"id\":\"42\",\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],"
                + "\"datatype\":\"FP32\",\"data\":[0,1,2,3,4,5,6,7.5]}]}");
        assertEquals(200, flat.status(), flat.json().toString());
        assertEquals("42", flat.json().get("id").asText());
        assertEquals("affine", flat.json().get("model_name").asText());
        assertEquals("1", flat.json().get("model_version").asText());
        JsonNode out = flat.json().get("outputs").get(0);
        assertEquals("output", out.get("name").asText());
        assertEquals("FP32", out.get("datatype").asText());
        assertEquals("[2,4]", out.get("shape").toString());
        assertEquals("[1.0,3.0,5.0,7.0,9.0,11.0,13.0,16.0]", out.get("data").toString());
        Result nested = client.post("/v2/models/affine/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],"
                + "\"datatype\":\"FP32\",\"data\":[[0,1,2,3],[4,5,6,7.5]]}]}");
        assertEquals(200, nested.status(), nested.json().toString());
        assertEquals(out.get("data"), nested.json().get("outputs").get(0).get("data"));
        assertFalse(nested.json().has("id"), "no id asked, none returned");
    }

    @Test
    void int64Int32AndBoolInputsAreConvertedToFloat32() throws Exception {
        for (String type : List.of("INT64", "INT32")) {
            Result r = client.post("/v2/models/affine/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],"
                    + "\"datatype\":\"" + type + "\",\"data\":[1,-2,3,16777216]}]}");
            assertEquals(200, r.status(), r.json().toString());
            assertArrayEquals(new float[] {3, -3, 7, 33554433}, r.asFloats("output"), type);
        }
        Result b = client.post("/v2/models/affine/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],"
                + "\"datatype\":\"BOOL\",\"data\":[[true,false,true,false]]}]}");
        assertEquals(200, b.status(), b.json().toString());
        assertArrayEquals(new float[] {3, 1, 3, 1}, b.asFloats("output"));
        assertError(client.post("/v2/models/affine/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],"
                + "\"datatype\":\"INT64\",\"data\":[1,2,3,16777217]}]}"), 400,
                "INT64 element 3 = 16777217 cannot be converted exactly to FP32, which model 'affine' takes");
    }

    @Test
    void badJsonRequestsAre400NamingTheProblem() throws Exception {
        String p = "/v2/models/affine/infer";
        assertError(client.post(p, "{\"inputs\": [ {"), 400, "not valid JSON");
        assertError(client.post(p, "[1,2]"), 400, "must be a JSON object");
        assertError(client.post(p, "{}"), 400, "needs \"inputs\"");
        assertError(client.post(p, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}"),
                400, "unknown input 'x': model 'affine' has one input, 'input'");
        assertError(client.post(p, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,5],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5]}]}"),
                400, "expects input of shape [N, 4], got [1, 5]");
        assertError(client.post(p, "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}"),
                400, "shape [2, 4] has 8 elements but \"data\" has 3");
        assertError(client.post(p, "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[[1,2],[3]]}]}"),
                400, "nested \"data\" does not match shape [2, 2] at depth 1");
        assertError(client.post(p, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP16\",\"data\":[1,2,3,4]}]}"),
                400, "datatype 'FP16' is not supported; send FP32, INT64, INT32 or BOOL");
        assertError(client.post(p, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,\"a\",3,4]}]}"),
                400, "element 1 of \"data\" is \"a\", expected a number");
        assertError(client.post(p, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,-4],\"datatype\":\"FP32\",\"data\":[]}]}"),
                400, "invalid size -4");
        assertError(client.post(p, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],"
                + "\"outputs\":[{\"name\":\"logits\"}]}"), 400, "unknown output 'logits': model 'affine' has one output, 'output'");
        assertError(client.post(p, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\"}]}"),
                400, "has no \"data\"");
    }

    // ---- binary tensor data extension -----------------------------------------------------

    @Test
    void binaryInputsAndOutputsAsTritonsClientSendsAndReadsThem() throws Exception {
        // tritonclient defaults: binary input, no requested outputs -> binary_data_output
        Result r = client.infer("affine", List.of(new Input("input", "FP32", 3, 4).fp32(seq(12, -6), true)), null, "r1");
        assertEquals(200, r.status(), r.json().toString());
        assertEquals("application/octet-stream", r.raw().headers().firstValue("Content-Type").orElse(""));
        assertEquals(48, r.json().get("outputs").get(0).get("parameters").get("binary_data_size").asInt());
        assertFalse(r.json().get("outputs").get(0).has("data"));
        assertEquals("r1", r.json().get("id").asText());
        assertArrayEquals(affine(-6, 3, 4, 2), r.asFloats("output"));
        // binary input, JSON output
        Result j = client.infer("affine", List.of(new Input("input", "FP32", 1, 4).fp32(seq(4, 1), true)),
                List.of(new Output("output", false)), null);
        assertEquals(200, j.status(), j.json().toString());
        assertTrue(j.raw().headers().firstValue("Inference-Header-Content-Length").isEmpty());
        assertArrayEquals(affine(1, 1, 4, 2), j.asFloats("output"));
        // JSON input, binary output
        Result b = client.infer("affine", List.of(new Input("input", "FP32", 1, 4).fp32(seq(4, 1), false)),
                List.of(new Output("output", true)), null);
        assertEquals(200, b.status(), b.json().toString());
        assertArrayEquals(affine(1, 1, 4, 2), b.asFloats("output"));
        // every wire type in binary form
        ByteBuffer i64 = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        i64.asLongBuffer().put(new long[] {1, 2, 3, -4});
        assertArrayEquals(new float[] {3, 5, 7, -7}, client.infer("affine",
                List.of(new Input("input", "INT64", 1, 4).raw(i64.array())), null, null).asFloats("output"));
        ByteBuffer i32 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        i32.asIntBuffer().put(new int[] {0, 1, 2, 3});
        assertArrayEquals(new float[] {1, 3, 5, 7}, client.infer("affine",
                List.of(new Input("input", "INT32", 1, 4).raw(i32.array())), null, null).asFloats("output"));
        assertArrayEquals(new float[] {3, 1, 1, 3}, client.infer("affine",
                List.of(new Input("input", "BOOL", 1, 4).raw(new byte[] {1, 0, 0, 1})), null, null).asFloats("output"));
    }

    @Test
    void badBinaryFramingIs400() throws Exception {
        Input wrongSize = new Input("input", "FP32", 1, 4).raw(new byte[12]);
        assertError(client.infer("affine", List.of(wrongSize), null, null), 400,
                "binary_data_size is 12 bytes but shape [1, 4] of FP32 needs 16");
        String json = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}}]}";
        assertError(client.post("/v2/models/affine/infer", json), 400, "has no Inference-Header-Content-Length header");
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[j.length + 20];
        System.arraycopy(j, 0, body, 0, j.length);
        Result extra = client.send(HttpRequest.newBuilder(server.uri().resolve("/v2/models/affine/infer"))
                .header("Inference-Header-Content-Length", Integer.toString(j.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        assertError(extra, 400, "20 bytes after the JSON header but the inputs' binary_data_size add up to 16");
        Result tooLong = client.send(HttpRequest.newBuilder(server.uri().resolve("/v2/models/affine/infer"))
                .header("Inference-Header-Content-Length", "100000")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        assertError(tooLong, 400, "Inference-Header-Content-Length is 100000 but the body has only");
    }

    @Test
    void gzipRequestsAndResponses() throws Exception {
        String json = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(z)) {
            g.write(json.getBytes(StandardCharsets.UTF_8));
        }
        var response = client.http.send(HttpRequest.newBuilder(server.uri().resolve("/v2/models/affine/infer"))
                .header("Content-Encoding", "gzip").header("Accept-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(z.toByteArray())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertEquals("gzip", response.headers().firstValue("Content-Encoding").orElse(""));
        String text = new String(new GZIPInputStream(new java.io.ByteArrayInputStream(response.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertTrue(text.contains("\"data\":[3.0,5.0,7.0,9.0]"), text);
        Result br = client.send(HttpRequest.newBuilder(server.uri().resolve("/v2/models/affine/infer"))
                .header("Content-Encoding", "br").POST(HttpRequest.BodyPublishers.ofString(json)).build());
        assertError(br, 415, "Content-Encoding 'br' is not supported");
    }

    @Test
    void aModelFailureIs500AndTheServerKeepsServing() throws Exception {
        Result r = client.infer("affine", List.of(new Input("input", "FP32", 1, 4).fp32(new float[] {1, Float.NaN, 2, 3}, true)),
                null, null);
        assertError(r, 500, "model 'affine' failed: ");
        assertTrue(r.error().contains("NaN in the input"), r.error());
        assertEquals(200, client.infer("affine", List.of(new Input("input", "FP32", 1, 4).fp32(seq(4, 0), true)), null, null).status());
    }

    @Test
    void keepAliveConnectionsServeManyConcurrentClients() throws Exception {
        int clients = 64;
        int each = 10;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int k = c;
                done.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < each; i++) {
                        float[] x = seq(4, k * 100 + i);
                        Result r = client.infer("affine", List.of(new Input("input", "FP32", 1, 4).fp32(x, true)), null, null);
                        if (r.status() == 200 && java.util.Arrays.equals(affine(k * 100 + i, 1, 4, 2), r.asFloats("output"))) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int ok = 0;
            for (Future<Integer> f : done) {
                ok += f.get();
            }
            assertEquals(clients * each, ok);
        }
    }

    @Test
    void metricsAreServedInPrometheusTextFormat() throws Exception {
        client.infer("affine", List.of(new Input("input", "FP32", 1, 4).fp32(seq(4, 0), true)), null, null);
        client.post("/v2/models/affine/infer", "{}");
        var r = client.http.send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String m = r.body();
        for (String s : List.of("cairn_inference_requests_total{model=\"affine\"}",
                "cairn_inference_failures_total{model=\"affine\",reason=\"bad_request\"}",
                "cairn_batch_rows_bucket{model=\"affine\",le=\"1.0\"}", "cairn_batch_requests_count{model=\"affine\"}",
                "cairn_batch_duration_seconds_count{model=\"affine\"}",
                "cairn_inference_request_duration_seconds_bucket{model=\"affine\"", "cairn_queue_depth{model=\"affine\"} 0",
                "cairn_queue_capacity{model=\"affine\"} 1024", "cairn_http_requests_total{code=\"200\",endpoint=\"infer\"}")) {
            assertTrue(m.contains(s), s + " in\n" + m);
        }
    }

    @Test
    void oversizedBodiesAre413() throws Exception {
        try (InferenceServer small = InferenceServer.builder().port(0).maxBodyBytes(100)
                .model("affine", BatchingPredictor.builder().model(Affine::new).rowShape(4).build()).start()) {
            TritonStyleClient c = new TritonStyleClient(small.uri());
            Result r = c.infer("affine", List.of(new Input("input", "FP32", 64, 4).fp32(seq(256, 0), true)), null, null);
            assertError(r, 413, "this server takes at most 100");
        }
    }

    // ---- back-pressure, timeouts, shutdown ------------------------------------------------

    private static Input oneRow(float start) {
        return new Input("input", "FP32", 1, 4).fp32(seq(4, start), true);
    }

    @Test
    void overloadIs503AtOnceAndTimeoutsAre504() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Affine model = new Affine();
        try (InferenceServer s = InferenceServer.builder().port(0).model("affine",
                BatchingPredictor.builder().model(model).rowShape(4).queueCapacity(1).build()).start()) {
            model.gate = gate; // the metadata probe has run: hold the next pass
            TritonStyleClient c = new TritonStyleClient(s.uri());
            CompletableFuture<Result> running = CompletableFuture.supplyAsync(() -> call(c, oneRow(0), null));
            model.awaitEntered(1);
            CompletableFuture<Result> queued = CompletableFuture.supplyAsync(() -> call(c, oneRow(1), null));
            while (s.predictor("affine").queueDepth() < 1) {
                Thread.sleep(1);
            }
            Result refused = c.infer("affine", List.of(oneRow(2)), null, null);
            assertError(refused, 503, "overloaded");
            assertEquals("1", refused.raw().headers().firstValue("Retry-After").orElse(""));
            model.gate = null;
            gate.countDown();
            assertEquals(200, running.get().status());
            assertEquals(200, queued.get().status());
        }
        CountDownLatch gate2 = new CountDownLatch(1);
        Affine slow = new Affine();
        try (InferenceServer s = InferenceServer.builder().port(0).model("affine",
                BatchingPredictor.builder().model(slow).rowShape(4).build()).start()) {
            slow.gate = gate2;
            TritonStyleClient c = new TritonStyleClient(s.uri());
            CompletableFuture<Result> running = CompletableFuture.supplyAsync(() -> call(c, oneRow(0), null));
            slow.awaitEntered(1);
            // Triton's "timeout" request parameter, in microseconds
            Result late = c.post("/v2/models/affine/infer", "{\"parameters\":{\"timeout\":20000},\"inputs\":[{\"name\":\"input\","
                    + "\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
            assertError(late, 504, "timed out after 20 ms");
            slow.gate = null;
            gate2.countDown();
            assertEquals(200, running.get().status());
        }
    }

    private static Result call(TritonStyleClient c, Input in, String id) {
        try {
            return c.infer("affine", List.of(in), null, id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void stopDrainsInFlightRequestsAndRefusesNewOnesWith503() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Affine model = new Affine();
        BatchingPredictor predictor = BatchingPredictor.builder().model(model).rowShape(4).build();
        InferenceServer s = InferenceServer.builder().port(0).model("affine", predictor).start();
        model.gate = gate;
        TritonStyleClient c = new TritonStyleClient(s.uri());
        CompletableFuture<Result> inFlight = CompletableFuture.supplyAsync(() -> call(c, oneRow(5), "in-flight"));
        model.awaitEntered(1);
        Thread stopper = new Thread(() -> s.stop(Duration.ofSeconds(30)));
        stopper.start();
        while (!s.isDraining()) {
            Thread.sleep(1);
        }
        assertError(c.infer("affine", List.of(oneRow(0)), null, null), 503, "shutting down");
        Result ready = c.get("/v2/health/ready");
        assertEquals(503, ready.status());
        assertFalse(ready.json().get("ready").asBoolean());
        assertEquals(503, c.get("/v2/models/affine/ready").status());
        assertEquals(200, c.get("/v2/health/live").status(), "still live while draining");
        assertTrue(stopper.isAlive(), "stop waits for the request in flight");
        model.gate = null;
        gate.countDown();
        Result r = inFlight.get();
        assertEquals(200, r.status());
        assertEquals("in-flight", r.json().get("id").asText());
        assertArrayEquals(affine(5, 1, 4, 2), r.asFloats("output"));
        stopper.join(30_000);
        assertFalse(stopper.isAlive());
        assertTrue(predictor.isClosed());
        s.awaitTermination();
    }

    @Test
    void swappedWeightsShowInTheModelVersion() throws Exception {
        try (InferenceServer s = InferenceServer.builder().port(0)
                .model("affine", BatchingPredictor.builder().model(Affine::new).rowShape(4).build()).start()) {
            TritonStyleClient c = new TritonStyleClient(s.uri());
            assertEquals("1", c.infer("affine", List.of(oneRow(0)), null, null).json().get("model_version").asText());
            s.predictor("affine").swapWeights(java.util.Map.of("scale", dev.cairn.tensor.Tensor.scalar(3)));
            Result r = c.infer("affine", List.of(oneRow(0)), null, null);
            assertEquals("2", r.json().get("model_version").asText());
            assertArrayEquals(affine(0, 1, 4, 3), r.asFloats("output"));
            assertEquals("[\"2\"]", c.get("/v2/models/affine").json().get("versions").toString());
            assertEquals(200, c.get("/v2/models/affine/versions/2/ready").status());
            assertError(c.get("/v2/models/affine/versions/1"), 404, "serves version 2");
        }
    }
}
