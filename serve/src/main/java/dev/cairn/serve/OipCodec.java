package dev.cairn.serve;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads Open Inference Protocol inference requests and writes responses: JSON tensors (row-major
 * {@code data}, flat or nested) and the binary tensor data extension (the JSON object is the first
 * {@code Inference-Header-Content-Length} bytes of the body, followed by the tensors' raw
 * little-endian bytes in input order, each announced by its {@code binary_data_size} parameter).
 */
final class OipCodec {
    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private OipCodec() {
    }

    /** A requested output: its name and whether it goes back as binary data (null: the request's default). */
    record OutputRequest(String name, Boolean binary) {
    }

    /** A parsed inference request. */
    record InferRequest(String id, List<WireTensor> inputs, List<OutputRequest> outputs, boolean binaryOutputs,
            Long timeoutMicros) {
    }

    /**
     * Parses {@code body}; {@code headerLength} is the Inference-Header-Content-Length (-1 when absent:
     * the whole body is JSON). Every problem is a 400 saying what was wrong.
     */
    static InferRequest parse(byte[] body, int headerLength) {
        int jsonLength = headerLength < 0 ? body.length : headerLength;
        if (headerLength > body.length) {
            throw HttpError.badRequest("Inference-Header-Content-Length is " + headerLength + " but the body has only "
                    + body.length + " bytes");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(FACTORY.createParser(body, 0, jsonLength));
        } catch (JsonProcessingException e) {
            throw HttpError.badRequest("the request is not valid JSON: " + e.getOriginalMessage()
                    + (headerLength < 0 ? "" : " (in the first " + headerLength + " bytes, per Inference-Header-Content-Length)"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) {
            throw HttpError.badRequest("the inference request must be a JSON object with \"inputs\"");
        }
        String id = null;
        JsonNode idNode = root.get("id");
        if (idNode != null && !idNode.isNull()) {
            if (!idNode.isTextual()) {
                throw HttpError.badRequest("\"id\" must be a string");
            }
            id = idNode.asText();
        }
        JsonNode params = objectOrNull(root.get("parameters"), "\"parameters\"");
        boolean binaryOutputs = params != null && bool(params.get("binary_data_output"), "parameter \"binary_data_output\"");
        Long timeout = null;
        if (params != null && params.get("timeout") != null) {
            JsonNode t = params.get("timeout");
            if (!t.isIntegralNumber() || t.asLong() <= 0) {
                throw HttpError.badRequest("parameter \"timeout\" must be a positive integer (microseconds), got " + t);
            }
            timeout = t.asLong();
        }
        JsonNode inputs = root.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw HttpError.badRequest("the inference request needs \"inputs\": a non-empty array of tensors");
        }
        int binaryAt = jsonLength;
        List<WireTensor> tensors = new ArrayList<>(inputs.size());
        for (JsonNode in : inputs) {
            if (!in.isObject()) {
                throw HttpError.badRequest("each element of \"inputs\" must be an object with name, shape, datatype and data");
            }
            JsonNode nameNode = in.get("name");
            if (nameNode == null || !nameNode.isTextual()) {
                throw HttpError.badRequest("an input has no \"name\" string");
            }
            String name = nameNode.asText();
            WireType type = WireType.parse(text(in.get("datatype")), name);
            int[] shape = shape(in.get("shape"), name);
            long numel = 1;
            for (int d : shape) {
                numel *= d;
            }
            JsonNode ip = objectOrNull(in.get("parameters"), "parameters of input '" + name + "'");
            JsonNode sizeNode = ip == null ? null : ip.get("binary_data_size");
            Object data;
            if (sizeNode != null) {
                if (!sizeNode.isIntegralNumber() || sizeNode.asLong() < 0) {
                    throw HttpError.badRequest("input '" + name + "': binary_data_size must be a non-negative integer, got " + sizeNode);
                }
                if (headerLength < 0) {
                    throw HttpError.badRequest("input '" + name + "' has binary_data_size but the request has no "
                            + "Inference-Header-Content-Length header giving the length of its JSON part");
                }
                long size = sizeNode.asLong();
                if (size != numel * type.byteSize) {
                    throw HttpError.badRequest("input '" + name + "': binary_data_size is " + size + " bytes but shape "
                            + java.util.Arrays.toString(shape) + " of " + type + " needs " + numel * type.byteSize);
                }
                if (binaryAt + size > body.length) {
                    throw HttpError.badRequest("input '" + name + "': binary data runs past the end of the body ("
                            + (body.length - jsonLength) + " bytes of binary data in all)");
                }
                if (in.get("data") != null) {
                    throw HttpError.badRequest("input '" + name + "' has both \"data\" and binary_data_size; send one");
                }
                data = binary(body, binaryAt, (int) numel, type);
                binaryAt += (int) size;
            } else {
                JsonNode d = in.get("data");
                if (d == null) {
                    throw HttpError.badRequest("input '" + name + "' has no \"data\" (nor a binary_data_size parameter)");
                }
                data = json(d, type, shape, (int) numel, name);
            }
            tensors.add(new WireTensor(name, type, shape, data));
        }
        if (binaryAt != body.length) {
            throw HttpError.badRequest("the body has " + (body.length - jsonLength) + " bytes after the JSON header but the "
                    + "inputs' binary_data_size add up to " + (binaryAt - jsonLength));
        }
        List<OutputRequest> outputs = new ArrayList<>();
        JsonNode outs = root.get("outputs");
        if (outs != null && !outs.isNull()) {
            if (!outs.isArray()) {
                throw HttpError.badRequest("\"outputs\" must be an array");
            }
            for (JsonNode o : outs) {
                JsonNode n = o.get("name");
                if (n == null || !n.isTextual()) {
                    throw HttpError.badRequest("each requested output needs a \"name\" string");
                }
                JsonNode op = objectOrNull(o.get("parameters"), "parameters of output '" + n.asText() + "'");
                Boolean binary = op == null || op.get("binary_data") == null ? null
                        : bool(op.get("binary_data"), "binary_data of output '" + n.asText() + "'");
                outputs.add(new OutputRequest(n.asText(), binary));
            }
        }
        return new InferRequest(id, tensors, outputs, binaryOutputs, timeout);
    }

    private static JsonNode objectOrNull(JsonNode n, String what) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw HttpError.badRequest(what + " must be a JSON object");
        }
        return n;
    }

    private static boolean bool(JsonNode n, String what) {
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw HttpError.badRequest(what + " must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    private static String text(JsonNode n) {
        return n == null || !n.isTextual() ? null : n.asText();
    }

    private static int[] shape(JsonNode n, String name) {
        if (n == null || !n.isArray()) {
            throw HttpError.badRequest("input '" + name + "' needs \"shape\": an array of sizes");
        }
        int[] shape = new int[n.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = n.get(i);
            if (!d.isIntegralNumber() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw HttpError.badRequest("input '" + name + "': shape " + n + " has an invalid size " + d
                        + " (sizes are non-negative integers)");
            }
            shape[i] = d.asInt();
            numel *= shape[i];
            if (numel > Integer.MAX_VALUE / 8) {
                throw HttpError.badRequest("input '" + name + "': shape " + n + " has too many elements");
            }
        }
        return shape;
    }

    private static Object binary(byte[] body, int at, int numel, WireType type) {
        ByteBuffer b = ByteBuffer.wrap(body, at, numel * type.byteSize).slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FP32 -> {
                float[] v = new float[numel];
                b.asFloatBuffer().get(v);
                return v;
            }
            case INT64 -> {
                long[] v = new long[numel];
                b.asLongBuffer().get(v);
                return v;
            }
            case INT32 -> {
                int[] v = new int[numel];
                b.asIntBuffer().get(v);
                return v;
            }
            case BOOL -> {
                boolean[] v = new boolean[numel];
                for (int i = 0; i < numel; i++) {
                    v[i] = b.get(i) != 0;
                }
                return v;
            }
            default -> throw new IllegalStateException(type.toString());
        }
    }

    /** Fills a primitive array from {@code data}, flat (numel elements) or nested exactly as {@code shape}. */
    private static Object json(JsonNode data, WireType type, int[] shape, int numel, String name) {
        if (!data.isArray()) {
            throw HttpError.badRequest("input '" + name + "': \"data\" must be an array (flat or nested, row-major)");
        }
        Object out = switch (type) {
            case FP32 -> new float[numel];
            case INT64 -> new long[numel];
            case INT32 -> new int[numel];
            case BOOL -> new boolean[numel];
        };
        boolean nested = !data.isEmpty() && data.get(0).isArray();
        int[] at = {0};
        if (nested) {
            fillNested(data, 0, shape, type, out, at, name);
        } else {
            if (data.size() != numel) {
                throw HttpError.badRequest("input '" + name + "': shape " + java.util.Arrays.toString(shape) + " has " + numel
                        + " elements but \"data\" has " + data.size());
            }
            for (Iterator<JsonNode> it = data.elements(); it.hasNext();) {
                put(it.next(), type, out, at, name);
            }
        }
        return out;
    }

    private static void fillNested(JsonNode node, int depth, int[] shape, WireType type, Object out, int[] at, String name) {
        if (depth == shape.length) {
            put(node, type, out, at, name);
            return;
        }
        if (!node.isArray() || node.size() != shape[depth]) {
            throw HttpError.badRequest("input '" + name + "': nested \"data\" does not match shape "
                    + java.util.Arrays.toString(shape) + " at depth " + depth + " (expected an array of " + shape[depth]
                    + ", got " + (node.isArray() ? "an array of " + node.size() : node.getNodeType().toString().toLowerCase()) + ")");
        }
        for (JsonNode child : node) {
            fillNested(child, depth + 1, shape, type, out, at, name);
        }
    }

    private static void put(JsonNode v, WireType type, Object out, int[] at, String name) {
        int i = at[0]++;
        switch (type) {
            case FP32 -> {
                if (!v.isNumber()) {
                    throw element(name, i, v, "a number");
                }
                ((float[]) out)[i] = v.floatValue();
            }
            case INT64 -> {
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw element(name, i, v, "a 64-bit integer");
                }
                ((long[]) out)[i] = v.longValue();
            }
            case INT32 -> {
                if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                    throw element(name, i, v, "a 32-bit integer");
                }
                ((int[]) out)[i] = v.intValue();
            }
            case BOOL -> {
                if (!v.isBoolean()) {
                    throw element(name, i, v, "true or false");
                }
                ((boolean[]) out)[i] = v.booleanValue();
            }
            default -> throw new IllegalStateException(type.toString());
        }
    }

    private static HttpError element(String name, int i, JsonNode v, String expected) {
        String shown = v.toString();
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "...";
        }
        return HttpError.badRequest("input '" + name + "': element " + i + " of \"data\" is " + shown + ", expected "
                + expected);
    }

    // ---- responses ------------------------------------------------------------------------

    /** A response body; {@code headerLength} >= 0 when binary data follows the JSON. */
    record Encoded(byte[] body, int headerLength) {
    }

    /** The inference response for one FP32 output tensor. */
    static Encoded response(String model, String version, String id, String outputName, int[] shape, float[] data,
            boolean binary) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(binary ? 256 : 64 + data.length * 12);
        try (JsonGenerator g = FACTORY.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("model_name", model);
            g.writeStringField("model_version", version);
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeArrayFieldStart("outputs");
            g.writeStartObject();
            g.writeStringField("name", outputName);
            g.writeStringField("datatype", "FP32");
            g.writeArrayFieldStart("shape");
            for (int d : shape) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            if (binary) {
                g.writeObjectFieldStart("parameters");
                g.writeNumberField("binary_data_size", data.length * 4L);
                g.writeEndObject();
            } else {
                g.writeArrayFieldStart("data");
                for (float v : data) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!binary) {
            return new Encoded(bytes.toByteArray(), -1);
        }
        int header = bytes.size();
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        bytes.writeBytes(b.array());
        return new Encoded(bytes.toByteArray(), header);
    }

    /** {@code value} as compact JSON bytes. */
    static byte[] json(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code {"error": message}}. */
    static byte[] error(String message) {
        return json(Map.of("error", message == null ? "error" : message));
    }
}
