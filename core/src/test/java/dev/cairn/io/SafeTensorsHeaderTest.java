package dev.cairn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafeTensorsHeaderTest {
    /** A deadlock guard only: generous enough that a slow, shared machine never trips it. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);
    private static final String SRC = "test.safetensors";

    private static SafeTensorsHeader parse(String json, long dataLength) {
        return SafeTensorsHeader.parse(json.getBytes(StandardCharsets.UTF_8), dataLength, SRC);
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void entriesComeInDataOrderWithMetadata() {
        String json = "{" + entry("b", "F32", "[2,3]", 8, 32) + ",\"__metadata__\":{\"format\":\"pt\",\"note\":\"é\"},"
                + entry("a", "F16", "[4]", 0, 8) + "}";
        SafeTensorsHeader h = parse(json, 32);
        assertEquals(List.of("a", "b"), h.tensors().stream().map(TensorEntry::name).toList());
        assertEquals(Map.of("format", "pt", "note", "é"), h.metadata());
        TensorEntry b = h.get("b");
        assertEquals(SafeTensorsDType.F32, b.dtype());
        assertArrayEquals(new int[] {2, 3}, b.shape());
        assertEquals(6, b.numel());
        assertEquals(8, b.begin());
        assertEquals(32, b.end());
        assertEquals(32, h.dataLength());
        assertNull(h.get("__metadata__"));
    }

    @Test
    void scalarsEmptyTensorsAndEmptyHeaders() {
        SafeTensorsHeader h = parse("{" + entry("s", "F32", "[]", 0, 4) + "," + entry("z", "F64", "[0,3]", 4, 4) + "}", 4);
        assertArrayEquals(new int[0], h.get("s").shape());
        assertEquals(1, h.get("s").numel());
        assertEquals(0, h.get("z").numel());
        assertTrue(h.metadata().isEmpty());
        assertTrue(parse("{}", 0).tensors().isEmpty());
        assertTrue(parse(" {\"__metadata__\":{}}        ", 0).tensors().isEmpty());
        assertTrue(parse("{\"__metadata__\":null}", 0).metadata().isEmpty()); // the reference accepts null
    }

    @Test
    void everyReferenceDTypeIsAcceptedInAHeader() {
        for (SafeTensorsDType t : SafeTensorsDType.values()) {
            SafeTensorsHeader h = parse("{" + entry("x", t.name(), "[8]", 0, t.bits()) + "}", t.bits());
            assertEquals(t, h.get("x").dtype());
        }
        assertNull(SafeTensorsDType.fromName("f32"));
    }

    @Test
    void toJsonIsPaddedCompactAndRoundTrips() {
        var entries = List.of(new TensorEntry("w", SafeTensorsDType.F32, new int[] {2, 2}, 0, 16),
                new TensorEntry("ünïcode \"q\"", SafeTensorsDType.F32, new int[0], 16, 20));
        SafeTensorsHeader h = new SafeTensorsHeader(entries, Map.of("model", "m"));
        byte[] json = h.toJson();
        assertEquals(0, json.length % 8);
        String text = new String(json, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\"__metadata__\":{\"model\":\"m\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}"), text);
        assertTrue(text.stripTrailing().endsWith("}"));
        SafeTensorsHeader back = SafeTensorsHeader.parse(json, 20, SRC);
        assertEquals(entries, back.tensors());
        assertEquals(h.metadata(), back.metadata());
        String noMeta = new String(new SafeTensorsHeader(entries, null).toJson(), StandardCharsets.UTF_8);
        assertTrue(!noMeta.contains("__metadata__") && noMeta.startsWith("{\"w\""), noMeta);
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        # header JSON                                                                      | data | message fragment
        ``                                                                                 | 0    | not a JSON object
        []                                                                                 | 0    | not a JSON object
        {                                                                                  | 0    | not valid JSON
        {} x                                                                               | 0    | not valid JSON
        {}{}                                                                               | 0    | unexpected content after
        {"a":1}                                                                            | 0    | tensor 'a': entry is not an object
        {"a":{"dtype":"F32","shape":[1]}}                                                  | 4    | tensor 'a': missing field 'data_offsets'
        {"a":{"shape":[1],"data_offsets":[0,4]}}                                           | 4    | missing field 'dtype'
        {"a":{"dtype":"F32","data_offsets":[0,4]}}                                         | 4    | missing field 'shape'
        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}                       | 4    | tensor 'a': unexpected field 'x'
        {"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}               | 4    | tensor 'a': duplicate field 'dtype'
        {"a":{"dtype":5,"shape":[1],"data_offsets":[0,4]}}                                 | 4    | dtype is not a string
        {"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}                             | 4    | tensor 'a': unknown dtype 'F33'
        {"a":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}                             | 4    | shape is not an array of integers
        {"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}                           | 4    | shape is not an array of integers
        {"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}                            | 4    | shape holds -1, not a non-negative
        {"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}          | 4    | shape holds 99999999999999999999
        {"a":{"dtype":"F32","shape":[3000000000],"data_offsets":[0,4]}}                    | 4    | dimension 3000000000 of shape [3000000000] exceeds 2^31-1
        {"a":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,4]}}                   | 4    | more than 2^31-1 elements, too many for Cairn's int-indexed
        {"a":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,4]}} | 4 | more than 2^31-1 elements
        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}                               | 4    | data_offsets must be two integers
        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}                           | 4    | data_offsets has more than 2 values
        {"a":{"dtype":"F32","shape":[1],"data_offsets":{"b":0}}}                           | 4    | data_offsets is not an array
        {"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}                            | 4    | data_offsets holds -4
        {"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}                             | 8    | data_offsets begin 8 is after end 4
        {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}                             | 4    | tensor 'a' (F32 [2], bytes [0, 4)): holds 4 bytes but 2 elements of F32 need 8 bytes
        {"a":{"dtype":"F4","shape":[3],"data_offsets":[0,1]}}                              | 1    | need 12 bits
        {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}                             | 4    | tensor 'a' (F32 [2], bytes [0, 8)): extends beyond the data section of 4 bytes
        {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}} | 12 | tensor 'b' F32 [2] bytes [4, 12) overlaps tensor 'a'
        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}} | 12 | bytes [4, 8) of the data section before tensor 'b'
        {"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}                             | 8    | bytes [0, 4) of the data section
        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}                             | 8    | bytes [4, 8) at the end of the data section belong to no tensor
        {}                                                                                 | 4    | bytes [0, 4) at the end
        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}} | 8 | duplicate key 'a' in header
        {"__metadata__":[]}                                                                | 0    | __metadata__ is not an object
        {"__metadata__":"x"}                                                               | 0    | __metadata__ is not an object
        {"__metadata__":{"k":1}}                                                           | 0    | __metadata__ value of 'k' is not a string
        {"__metadata__":{"k":"1","k":"2"}}                                                 | 0    | duplicate key 'k' in __metadata__
        {"__metadata__":{},"__metadata__":{}}                                              | 0    | duplicate key '__metadata__'
        """)
    void rejectsInvalidHeaders(String json, long dataLength, String fragment) {
        SafeTensorsException e = assertTimeoutPreemptively(HANG_GUARD,
                () -> assertThrows(SafeTensorsException.class, () -> parse(json, dataLength)));
        assertTrue(e.getMessage().startsWith(SRC + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
    }

    /** Exactly 2^31-1 elements is the largest tensor Cairn indexes: accepted; one more is not. */
    @Test
    void theElementLimitIsInclusive() {
        long max = Integer.MAX_VALUE;
        TensorEntry e = parse("{" + entry("a", "U8", "[" + max + "]", 0, max) + "}", max).get("a");
        assertEquals(Integer.MAX_VALUE, e.numel());
        assertArrayEquals(new int[] {Integer.MAX_VALUE}, e.shape());
        var tooMany = assertThrows(SafeTensorsException.class,
                () -> parse("{" + entry("a", "U8", "[2,1073741824]", 0, max + 1) + "}", max + 1));
        assertTrue(tooMany.getMessage().contains("more than 2^31-1 elements"), tooMany.getMessage());
    }

    /** A size mismatch names the entry's own byte count (end - begin), also when it does not start at 0. */
    @Test
    void sizeMismatchCountsTheBytesOfTheEntry() {
        var e = assertThrows(SafeTensorsException.class,
                () -> parse("{" + entry("p", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[3]", 4, 12) + "}", 12));
        assertEquals(SRC + ": tensor 'a' (F32 [3], bytes [4, 12)): holds 8 bytes but 3 elements of F32 need 12 bytes",
                e.getMessage());
    }

    /** Malformed JSON is reported with where in the header the parser stopped. */
    @Test
    void syntaxErrorsNameTheLineAndColumn() {
        var e = assertThrows(SafeTensorsException.class, () -> parse("{\"a\":{\"dtype\" \"F32\"}}", 0));
        assertTrue(e.getMessage().contains(" at line 1, column "), e.getMessage());
    }

    @Test
    void rejectsTooManyDimensions() {
        String shape = IntStream.range(0, 65).mapToObj(i -> "1").collect(Collectors.joining(",", "[", "]"));
        var e = assertThrows(SafeTensorsException.class, () -> parse("{" + entry("a", "F32", shape, 0, 4) + "}", 4));
        assertTrue(e.getMessage().contains("shape has more than 64 values"), e.getMessage());
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[][] headers = {
            {'{', '"', (byte) 0xFF, '"', ':', '1', '}'},           // not UTF-8 at all
            {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'}, // overlong '/'
            {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ':', '1', '}'}, // encoded surrogate
            {'{', '"', (byte) 0xE2, (byte) 0x82},                   // cut-off sequence
        };
        for (byte[] header : headers) {
            var e = assertThrows(SafeTensorsException.class, () -> SafeTensorsHeader.parse(header, 0, SRC));
            assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        }
        byte[] utf16 = "{}".getBytes(StandardCharsets.UTF_16LE);
        var e = assertThrows(SafeTensorsException.class, () -> SafeTensorsHeader.parse(utf16, 0, SRC));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void constructorRejectsDuplicateAndReservedNames() {
        var a = new TensorEntry("a", SafeTensorsDType.F32, new int[0], 0, 4);
        assertThrows(IllegalArgumentException.class, () -> new SafeTensorsHeader(List.of(a, a), null));
        var m = new TensorEntry("__metadata__", SafeTensorsDType.F32, new int[0], 0, 4);
        assertThrows(IllegalArgumentException.class, () -> new SafeTensorsHeader(List.of(m), null));
    }

    /**
     * The reference implementation bounds only the whole header (100 MB), not its strings or names, so a
     * 30 MB metadata string and a 60,000-character tensor name are valid (Jackson's defaults reject both).
     */
    @Test
    void longMetadataStringsAndLongNamesWithinTheHeaderLimitAreAccepted() {
        String longValue = "v".repeat(30_000_000);
        String longName = "n".repeat(60_000);
        String json = "{\"__metadata__\":{\"note\":\"" + longValue + "\"}," + entry(longName, "F32", "[1]", 0, 4) + "}";
        SafeTensorsHeader h = parse(json, 4);
        assertEquals(30_000_000, h.metadata().get("note").length());
        assertEquals(longName, h.tensors().getFirst().name());
        String deep = "{\"__metadata__\":" + "[".repeat(200) + "]".repeat(200) + "}";
        var e = assertThrows(SafeTensorsException.class, () -> parse(deep, 0));
        assertTrue(e.getMessage().contains("test.safetensors"), e.getMessage());
    }
}
