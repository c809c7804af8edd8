package dev.cairn.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed, validated JSON header of a safetensors file: its tensor entries in file order (by data
 * offset) and its {@code __metadata__} strings. {@link #parse} checks everything the reference
 * implementation checks (and a little more), so a parsed header describes a data section that its
 * entries tile exactly; {@link #toJson} writes a header the reference implementation reads.
 */
public final class SafeTensorsHeader {
    /** Largest header the reader accepts, in bytes (the reference implementation's cap). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Most dimensions a tensor may have (PyTorch's limit). */
    public static final int MAX_RANK = 64;

    private static final String METADATA_KEY = "__metadata__";
    /**
     * Jackson with limits chosen for this format rather than its defaults (which reject strings over 20 MB and
     * names over 50,000 characters, both valid here): the reference implementation (Rust {@code safetensors}
     * with {@code serde_json}) bounds only the whole header, at {@link #MAX_HEADER_BYTES}, so a string or a
     * name may be as long as that; nesting is capped at serde_json's recursion limit of 128 (a valid header
     * nests 3 deep).
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxDocumentLength(MAX_HEADER_BYTES)
                    .maxStringLength((int) MAX_HEADER_BYTES)
                    .maxNameLength((int) MAX_HEADER_BYTES)
                    .maxNestingDepth(128)
                    .build())
            .build();

    private final List<TensorEntry> tensors;
    private final Map<String, TensorEntry> byName;
    private final Map<String, String> metadata;

    /** A header listing {@code tensors} (in that order) and {@code metadata} (null for none). */
    public SafeTensorsHeader(List<TensorEntry> tensors, Map<String, String> metadata) {
        this.tensors = List.copyOf(tensors);
        Map<String, TensorEntry> names = new LinkedHashMap<>();
        for (TensorEntry e : this.tensors) {
            if (e.name().equals(METADATA_KEY) || names.put(e.name(), e) != null) {
                throw new IllegalArgumentException("invalid or duplicate tensor name '" + e.name() + "'");
            }
        }
        this.byName = Collections.unmodifiableMap(names);
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata == null ? Map.of() : metadata));
    }

    /** The tensor entries in file order. */
    public List<TensorEntry> tensors() {
        return tensors;
    }

    /** The entry named {@code name}, or null. */
    public TensorEntry get(String name) {
        return byName.get(name);
    }

    /** The {@code __metadata__} strings (empty when absent), in header order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Length of the data section these entries tile: the largest end offset (0 when empty). */
    public long dataLength() {
        return tensors.stream().mapToLong(TensorEntry::end).max().orElse(0);
    }

    // ---- writing --------------------------------------------------------------------------

    /**
     * The header as the reference writer lays it out: compact UTF-8 JSON, {@code __metadata__} first
     * (omitted when empty), then the entries in order, padded with spaces to a multiple of 8 bytes.
     */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(METADATA_KEY);
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    g.writeStringField(m.getKey(), m.getValue());
                }
                g.writeEndObject();
            }
            for (TensorEntry e : tensors) {
                g.writeObjectFieldStart(e.name());
                g.writeStringField("dtype", e.dtype().name());
                int[] shape = e.shape();
                g.writeFieldName("shape");
                g.writeArray(shape, 0, shape.length);
                g.writeFieldName("data_offsets");
                g.writeArray(new long[] {e.begin(), e.end()}, 0, 2);
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new SafeTensorsException("cannot encode safetensors header: " + e.getMessage(), e);
        }
        while (out.size() % 8 != 0) {
            out.write(' ');
        }
        return out.toByteArray();
    }

    // ---- parsing --------------------------------------------------------------------------

    /**
     * Parses and validates the header bytes {@code json} of a file whose data section is
     * {@code dataLength} bytes long. {@code source} (usually the file name) starts every error
     * message.
     *
     * @throws SafeTensorsException if the header is not valid UTF-8 JSON of the safetensors schema,
     *     names an unknown dtype, or its entries do not tile the data section exactly
     */
    public static SafeTensorsHeader parse(byte[] json, long dataLength, String source) {
        List<TensorEntry> entries = new ArrayList<>();
        Map<String, String> metadata = null;
        // A strict UTF-8 reader: Jackson's own byte input would also accept UTF-16 and UTF-32.
        var utf8 = new InputStreamReader(new ByteArrayInputStream(json), StandardCharsets.UTF_8.newDecoder());
        try (JsonParser p = JSON.createParser(utf8)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw error(source, "header is not a JSON object");
            }
            Set<String> seen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (!seen.add(key)) {
                    throw error(source, "duplicate key '" + key + "' in header");
                }
                p.nextToken();
                if (key.equals(METADATA_KEY)) {
                    // null means none, as in the reference implementation
                    metadata = p.currentToken() == JsonToken.VALUE_NULL ? null : parseMetadata(p, source);
                } else {
                    entries.add(parseEntry(p, key, dataLength, source));
                }
            }
            if (p.nextToken() != null) {
                throw error(source, "unexpected content after the header object");
            }
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(source + ": header is not valid UTF-8", e);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            String why = e.getOriginalMessage()
                    .replaceAll("\\[Source: .*?; line: (\\d+), column: (\\d+)]", "line $1, column $2");
            throw new SafeTensorsException(source + ": header is not valid JSON" + where + ": " + why, e);
        } catch (IOException e) {
            throw new SafeTensorsException(source + ": cannot parse header: " + e.getMessage(), e);
        }
        entries.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        checkTiling(entries, dataLength, source);
        return new SafeTensorsHeader(entries, metadata);
    }

    private static Map<String, String> parseMetadata(JsonParser p, String source) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error(source, "__metadata__ is not an object (it must map strings to strings)");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw error(source, "__metadata__ value of '" + key + "' is not a string");
            }
            if (metadata.put(key, p.getText()) != null) {
                throw error(source, "duplicate key '" + key + "' in __metadata__");
            }
        }
        return metadata;
    }

    private static TensorEntry parseEntry(JsonParser p, String key, long dataLength, String source)
            throws IOException {
        String where = "tensor '" + key + "'";
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error(source, where + ": entry is not an object");
        }
        SafeTensorsDType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        Set<String> fields = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (!fields.add(field)) {
                throw error(source, where + ": duplicate field '" + field + "'");
            }
            switch (field) {
                case "dtype" -> {
                    if (p.nextToken() != JsonToken.VALUE_STRING) {
                        throw error(source, where + ": dtype is not a string");
                    }
                    dtype = SafeTensorsDType.fromName(p.getText());
                    if (dtype == null) {
                        throw error(source, where + ": unknown dtype '" + p.getText() + "'");
                    }
                }
                case "shape" -> shape = parseInts(p, where + ": shape", MAX_RANK, source);
                case "data_offsets" -> offsets = parseInts(p, where + ": data_offsets", 2, source);
                default -> throw error(source, where + ": unexpected field '" + field + "'");
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw error(source, where + ": missing field '" + missing + "'");
        }
        if (offsets.length != 2) {
            throw error(source, where + ": data_offsets must be two integers [begin, end], got "
                    + Arrays.toString(offsets));
        }
        long begin = offsets[0];
        long end = offsets[1];
        String range = "bytes [" + begin + ", " + end + ")";
        if (begin > end) {
            throw error(source, where + ": data_offsets begin " + begin + " is after end " + end);
        }
        int[] dims = new int[shape.length];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw error(source, where + ": dimension " + shape[i] + " of shape " + Arrays.toString(shape)
                        + " exceeds 2^31-1 (Cairn tensors are int-indexed)");
            }
            dims[i] = (int) shape[i];
            numel = Math.multiplyExact(numel, dims[i]);
            if (numel > Integer.MAX_VALUE) {
                throw error(source, where + ": shape " + Arrays.toString(shape)
                        + " has more than 2^31-1 elements, too many for Cairn's int-indexed tensors");
            }
        }
        String desc = where + " (" + dtype + " " + Arrays.toString(dims) + ", " + range + ")";
        long bits = numel * dtype.bits();
        if (bits % 8 != 0 || bits / 8 != end - begin) {
            throw error(source, desc + ": holds " + (end - begin) + " bytes but " + numel + " elements of "
                    + dtype + " need " + (bits % 8 == 0 ? bits / 8 + " bytes" : bits + " bits"));
        }
        if (end > dataLength) {
            throw error(source, desc + ": extends beyond the data section of " + dataLength
                    + " bytes (truncated file?)");
        }
        return new TensorEntry(key, dtype, dims, begin, end);
    }

    /** A JSON array of at most {@code max} non-negative integers. */
    private static long[] parseInts(JsonParser p, String what, int max, String source) throws IOException {
        if (p.nextToken() != JsonToken.START_ARRAY) {
            throw error(source, what + " is not an array of integers");
        }
        long[] values = new long[max];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw error(source, what + " is not an array of integers (found " + p.getText() + ")");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
                throw error(source, what + " holds " + p.getText() + ", not a non-negative 64-bit integer");
            }
            if (n == max) {
                throw error(source, what + " has more than " + max + " values");
            }
            values[n++] = p.getLongValue();
        }
        return Arrays.copyOf(values, n);
    }

    /** Checks that the sorted entries tile {@code [0, dataLength)} without gaps or overlaps. */
    private static void checkTiling(List<TensorEntry> sorted, long dataLength, String source) {
        long expected = 0;
        TensorEntry previous = null;
        for (TensorEntry e : sorted) {
            if (e.begin() < expected) {
                throw error(source, "tensor " + e + " overlaps tensor " + previous);
            }
            if (e.begin() > expected) {
                throw error(source, "bytes [" + expected + ", " + e.begin() + ") of the data section before tensor "
                        + e + " belong to no tensor");
            }
            expected = e.end();
            previous = e;
        }
        if (expected != dataLength) {
            throw error(source, "bytes [" + expected + ", " + dataLength
                    + ") at the end of the data section belong to no tensor");
        }
    }

    private static SafeTensorsException error(String source, String message) {
        return new SafeTensorsException(source + ": " + message);
    }
}
