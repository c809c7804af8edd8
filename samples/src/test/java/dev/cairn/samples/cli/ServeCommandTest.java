package dev.cairn.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.io.SafeTensors;
import dev.cairn.serve.InferenceServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn serve} and {@code cairn bench serve}: they serve, measure, and reject bad arguments with one error line. */
class ServeCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tmp;

    private static void assertOneErrorLine(CliTest.Run r, int code, String fragment) {
        CliTest.assertOneErrorLine(r, code, fragment);
    }

    @Test
    void benchServePrintsOneJsonLinePerConcurrencyWithCheckedAnswers() throws Exception {
        CliTest.Run r = CliTest.run("bench", "serve", "--model", "mlp", "--concurrency", "1,4", "--seconds", "0.5",
                "--warmup-seconds", "0", "--device", "cpu", "--json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(2, lines.size(), r.out());
        int[] cs = {1, 4};
        for (int i = 0; i < 2; i++) {
            JsonNode j = MAPPER.readTree(lines.get(i));
            assertEquals("serve", j.get("bench").asText());
            assertEquals("mlp", j.get("model").asText());
            assertEquals(cs[i], j.get("concurrency").asInt());
            assertEquals("on", j.get("batching").asText());
            assertTrue(j.get("requests").asLong() > 0, lines.get(i));
            assertEquals(0, j.get("errors").asLong(), lines.get(i));
            assertEquals(0, j.get("mixed").asLong(), "every answer equals the model run directly: " + lines.get(i));
            for (String f : List.of("throughput_rps", "p50_ms", "p99_ms")) {
                assertTrue(j.get(f).asDouble() > 0, f + " in " + lines.get(i));
            }
        }
    }

    @Test
    void benchServeSwapsWeightsWithoutFailedOrMixedAnswers() throws Exception {
        CliTest.Run r = CliTest.run("bench", "serve", "--model", "mlp", "--concurrency", "4", "--seconds", "1",
                "--warmup-seconds", "0", "--swap-every-ms", "100", "--binary", "--device", "cpu", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = MAPPER.readTree(r.out().strip());
        assertTrue(j.get("swaps").asLong() >= 1, r.out());
        assertEquals(0, j.get("errors").asLong(), r.out());
        assertEquals(0, j.get("mixed").asLong(), r.out());
        assertEquals("binary", j.get("tensors").asText());
    }

    @Test
    void badBenchArgumentsAreUsageErrors() {
        assertOneErrorLine(CliTest.run("bench", "serve", "--model", "mlp", "--batching", "maybe"), 2, "--batching must be on or off");
        assertOneErrorLine(CliTest.run("bench", "serve", "--model", "mlp", "--url", "http://192.0.2.1:8000"), 2,
                "--url must point to this machine");
        assertOneErrorLine(CliTest.run("bench", "serve", "--model", "mlp", "--concurrency", "5000"), 2, "at most 4096");
        assertOneErrorLine(CliTest.run("bench", "serve", "--model", "nope"), 2, "unknown model 'nope'");
    }

    @Test
    void badServeArgumentsAreErrors() {
        assertOneErrorLine(CliTest.run("serve", "--model", "mlp", "--port", "70000"), 2, "--port must be in 0..65535");
        assertOneErrorLine(CliTest.run("serve", "--model", "mlp", "--queue", "0", "--port", "0", "--device", "cpu"), 2,
                "--queue must be >= 1");
        assertOneErrorLine(CliTest.run("serve", "--model", "mlp", "--weights", tmp.resolve("none.safetensors").toString(),
                "--device", "cpu"), 1, "no such file");
    }

    @Test
    void serveAnswersTheProtocolWithTheGivenWeightsUntilStopped() throws Exception {
        // weights: the golden case's state dict for mlp (PyTorch's), so the served output is PyTorch's
        Path golden = Path.of(CliTest.class.getResource("/golden/mlp-s1-b1.safetensors").toURI());
        var all = SafeTensors.read(golden);
        var state = new java.util.LinkedHashMap<>(all);
        state.keySet().removeIf(k -> k.equals("input") || k.equals("output") || k.startsWith("grad."));
        Path weights = tmp.resolve("mlp.safetensors");
        SafeTensors.write(weights, state);
        ServeCommand.started = null;
        CliTest.Run[] result = new CliTest.Run[1];
        Thread t = new Thread(() -> result[0] = CliTest.run("serve", "--model", "mlp", "--weights", weights.toString(),
                "--port", "0", "--device", "cpu"));
        t.start();
        long end = System.nanoTime() + 60_000_000_000L;
        while (ServeCommand.started == null && t.isAlive() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        InferenceServer server = ServeCommand.started;
        assertTrue(server != null, "the server started");
        float[] x = all.get("input").toFloatArray();
        float[] y = all.get("output").toFloatArray();
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < x.length; i++) {
            data.append(i == 0 ? "" : ",").append(x[i]);
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri().resolve("/v2/models/mlp/infer"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,20],\"datatype\":\"FP32\","
                        + "\"data\":[" + data + "]}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode out = MAPPER.readTree(r.body()).get("outputs").get(0);
        assertEquals("[1,10]", out.get("shape").toString());
        for (int i = 0; i < y.length; i++) {
            assertEquals(y[i], (float) out.get("data").get(i).asDouble(), 1e-4 * (1 + Math.abs(y[i])), "output " + i);
        }
        server.close(); // what the SIGTERM hook does
        t.join(30_000);
        assertEquals(0, result[0].code(), result[0].err());
        assertTrue(result[0].out().contains("serving model 'mlp' on http://127.0.0.1:"), result[0].out());
    }
}
