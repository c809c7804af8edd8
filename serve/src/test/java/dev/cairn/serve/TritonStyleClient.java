package dev.cairn.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An Open Inference Protocol client written independently of the server, on the JDK's
 * {@code java.net.http} client. It frames requests and reads responses exactly as Triton's Python
 * client ({@code tritonclient.http}) does:
 *
 * <ul>
 *   <li>{@code InferInput.set_data_from_numpy(binary_data=True)} (the default) puts the raw
 *       little-endian bytes after the JSON and a {@code binary_data_size} parameter on the input;
 *       {@code binary_data=False} puts a flat {@code data} list in the JSON;</li>
 *   <li>{@code _get_inference_request}: {@code {"inputs": [...], "outputs": [...]}} or, when no output is
 *       requested, {@code "parameters": {"binary_data_output": true}}; the body is the JSON followed by
 *       the inputs' binary data; the {@code Inference-Header-Content-Length} header carries the JSON's
 *       length when binary data follows; no Content-Type;</li>
 *   <li>{@code InferResult}: when the response has {@code Inference-Header-Content-Length}, its first
 *       bytes are the JSON and each output with a {@code binary_data_size} parameter takes that many
 *       bytes of the rest, in output order.</li>
 * </ul>
 * The JSON text is written by hand in Python's {@code json.dumps} layout (", " and ": " separators).
 */
final class TritonStyleClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final URI base;

    TritonStyleClient(URI base) {
        this.base = base;
    }

    /** An input as tritonclient's InferInput holds it. */
    static final class Input {
        final String name;
        final int[] shape;
        final String datatype;
        String jsonData;   // the "data" list, when not binary
        byte[] raw;        // the binary data, when binary

        Input(String name, String datatype, int... shape) {
            this.name = name;
            this.datatype = datatype;
            this.shape = shape;
        }

        /** {@code set_data_from_numpy(float32 array, binary_data)}. */
        Input fp32(float[] values, boolean binary) {
            if (binary) {
                ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(values);
                raw = b.array();
            } else {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < values.length; i++) {
                    sb.append(i == 0 ? "" : ", ").append(pyFloat(values[i]));
                }
                jsonData = sb.append(']').toString();
            }
            return this;
        }

        /** Raw bytes as numpy's {@code tobytes()} gives them. */
        Input raw(byte[] bytes) {
            raw = bytes;
            return this;
        }

        String json() {
            StringBuilder sb = new StringBuilder("{\"name\": \"").append(name).append("\", \"shape\": [");
            for (int i = 0; i < shape.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(shape[i]);
            }
            sb.append("], \"datatype\": \"").append(datatype).append('"');
            if (raw != null) {
                sb.append(", \"parameters\": {\"binary_data_size\": ").append(raw.length).append('}');
            } else if (jsonData != null) {
                sb.append(", \"data\": ").append(jsonData);
            }
            return sb.append('}').toString();
        }
    }

    /** Python's repr of a float32 widened to a double, as numpy's .item() then json.dumps write it. */
    static String pyFloat(float v) {
        double d = v;
        return d == Math.rint(d) && Math.abs(d) < 1e16 ? String.format(java.util.Locale.ROOT, "%.1f", d) : Double.toString(d);
    }

    /** An InferRequestedOutput: its name and binary_data flag. */
    record Output(String name, boolean binary) {
        String json() {
            return "{\"name\": \"" + name + "\", \"parameters\": {\"binary_data\": " + binary + "}}";
        }
    }

    /** The parsed response: status, the JSON, the binary buffer per output name. */
    record Result(int status, JsonNode json, Map<String, byte[]> binary, HttpResponse<byte[]> raw) {
        /** {@code InferResult.as_numpy(name)} for an FP32 output, flattened. */
        float[] asFloats(String name) {
            for (JsonNode o : json.get("outputs")) {
                if (o.get("name").asText().equals(name)) {
                    byte[] b = binary.get(name);
                    if (b != null) {
                        float[] v = new float[b.length / 4];
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                        return v;
                    }
                    JsonNode data = o.get("data");
                    float[] v = new float[data.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) data.get(i).asDouble();
                    }
                    return v;
                }
            }
            return null;
        }

        String error() {
            return json.path("error").asText(null);
        }
    }

    /** {@code client.infer(model, inputs, outputs=outputs, request_id=id)}. */
    Result infer(String model, List<Input> inputs, List<Output> outputs, String requestId) throws IOException, InterruptedException {
        StringBuilder sb = new StringBuilder("{");
        if (requestId != null) {
            sb.append("\"id\": \"").append(requestId).append("\", ");
        }
        sb.append("\"inputs\": [");
        for (int i = 0; i < inputs.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(inputs.get(i).json());
        }
        sb.append(']');
        if (outputs != null && !outputs.isEmpty()) {
            sb.append(", \"outputs\": [");
            for (int i = 0; i < outputs.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(outputs.get(i).json());
            }
            sb.append(']');
        } else {
            sb.append(", \"parameters\": {\"binary_data_output\": true}");
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        List<byte[]> parts = new ArrayList<>();
        parts.add(json);
        for (Input in : inputs) {
            if (in.raw != null) {
                parts.add(in.raw);
            }
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(base.resolve("/v2/models/" + model + "/infer"));
        if (parts.size() > 1) {
            rb.header("Inference-Header-Content-Length", Integer.toString(json.length));
        }
        int total = parts.stream().mapToInt(p -> p.length).sum();
        byte[] body = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, body, at, p.length);
            at += p.length;
        }
        return send(rb.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /** Sends any request and parses the response as InferResult does. */
    Result send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        byte[] body = r.body();
        String hl = r.headers().firstValue("Inference-Header-Content-Length").orElse(null);
        if (hl == null) {
            JsonNode json = body.length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(body);
            return new Result(r.statusCode(), json, Map.of(), r);
        }
        int n = Integer.parseInt(hl);
        JsonNode json = MAPPER.readTree(new String(body, 0, n, StandardCharsets.UTF_8));
        Map<String, byte[]> bin = new HashMap<>();
        int at = n;
        for (JsonNode o : json.get("outputs")) {
            JsonNode size = o.path("parameters").get("binary_data_size");
            if (size != null) {
                byte[] b = new byte[size.asInt()];
                System.arraycopy(body, at, b, 0, b.length);
                at += b.length;
                bin.put(o.get("name").asText(), b);
            }
        }
        return new Result(r.statusCode(), json, bin, r);
    }

    Result get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET().build());
    }

    Result post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json").build());
    }
}
