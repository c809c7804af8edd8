package dev.cairn.io;

import static dev.cairn.io.SafeTensorsBytes.concat;
import static dev.cairn.io.SafeTensorsBytes.f32;
import static dev.cairn.io.SafeTensorsBytes.f64;
import static dev.cairn.io.SafeTensorsBytes.file;
import static dev.cairn.io.SafeTensorsBytes.u16;
import static dev.cairn.io.SafeTensorsBytes.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsReaderTest {
    /** A deadlock guard only: generous enough that a slow, shared machine never trips it. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);
    @TempDir
    Path dir;

    private static float[] readOne(Path file, String name) {
        try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
            return r.read(name);
        }
    }

    /** Opening and decoding {@code file} fails (without hanging) with a message naming the file and each fragment. */
    private static SafeTensorsException assertRejected(Path file, String... fragments) {
        SafeTensorsException e = assertTimeoutPreemptively(HANG_GUARD, () -> assertThrows(SafeTensorsException.class, () -> {
            try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
                r.readAll();
            }
        }));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "expected '" + f + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void readsGoldenTiedFile() {
        try (SafeTensorsReader r = SafeTensorsReader.open(SafeTensorsBytes.resource("tied-s1-b4.safetensors"))) {
            SafeTensorsHeader h = r.header();
            assertEquals(20, h.tensors().size());
            assertEquals(List.of("0.bias", "0.weight", "2.bias"), h.tensors().subList(0, 3).stream().map(TensorEntry::name).toList());
            assertEquals("output", h.tensors().getLast().name());
            assertArrayEquals(new int[] {8, 4}, h.get("0.weight").shape());
            assertArrayEquals(new int[] {4, 1}, h.get("output").shape());
            assertEquals("tied", h.metadata().get("model"));
            assertEquals("1", h.metadata().get("seed"));
            Map<String, float[]> all = r.readAll();
            assertEquals(h.tensors().stream().map(TensorEntry::name).toList(), List.copyOf(all.keySet()));
            // values cross-checked with numpy.frombuffer(..., '<f4')
            assertArrayEquals(new float[] {-0.32320356f, -0.42521477f, 0.47994435f}, Arrays.copyOf(all.get("0.bias"), 3));
            assertEquals(-1.070583313703537, sum(all.get("output")), 1e-6);
            all.forEach((k, v) -> assertAllFinite(k, v));
        }
    }

    @Test
    void readsGoldenChimeraFileWithScalars() {
        try (SafeTensorsReader r = SafeTensorsReader.open(SafeTensorsBytes.resource("chimera-s1-b4.safetensors"))) {
            SafeTensorsHeader h = r.header();
            assertEquals(25, h.tensors().size());
            assertEquals("chimera", h.metadata().get("model"));
            assertEquals(Map.of("model", "chimera", "seed", "1", "batch", "4", "scale", "1.0", "torch", "1.13.0a0",
                    "backward", "output.backward(grad.output)"), h.metadata());
            assertArrayEquals(new int[0], h.get("output").shape());
            assertArrayEquals(new int[0], h.get("grad.output").shape());
            assertArrayEquals(new int[] {4, 20}, h.get("input").shape());
            assertArrayEquals(new int[] {20, 20}, h.get("2.rand_weight").shape());
            assertArrayEquals(new float[] {0.439612f}, r.read("output"));
            assertEquals(197.0510083436966, sum(r.read("2.rand_weight")), 1e-4);
            r.readAll().forEach((k, v) -> {
                assertEquals(h.get(k).numel(), v.length);
                assertAllFinite(k, v);
            });
        }
    }

    /** Written by the Python safetensors package's numpy {@code save_file}: it orders data by alignment, then name. */
    @Test
    void readsMixedDTypesWrittenByTheReferenceImplementation() {
        try (SafeTensorsReader r = SafeTensorsReader.open(SafeTensorsBytes.resource("numpy-mixed.safetensors"))) {
            assertEquals(List.of("i", "d", "f", "h"), r.header().tensors().stream().map(TensorEntry::name).toList());
            assertEquals("safetensors 0.8.0 save_file (numpy)", r.header().metadata().get("made_by"));
            assertEquals(SafeTensorsDType.I64, r.header().get("i").dtype());
            assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f}, r.read("h"));
            assertArrayEquals(new int[] {2, 2}, r.header().get("h").shape());
            assertArrayEquals(new float[] {0.1f, Float.POSITIVE_INFINITY, -0f}, r.read("d"));
            assertArrayEquals(new float[] {3.25f}, r.read("f"));
            assertArrayEquals(new long[] {1, 2}, (long[]) r.readTyped("i"));
            assertArrayEquals(new float[] {1f, 2f}, r.read("i"));
        }
    }

    @Test
    void decodesIntegerAndBoolTensorsKeepingTheirType() {
        String json = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"n\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[20,23]}}";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(23).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(-3L).putLong(1L << 40).putInt(7).put((byte) 1).put((byte) 0).put((byte) 1);
        Path f = write(dir.resolve("ints.safetensors"), file(json, b.array()));
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            assertArrayEquals(new long[] {-3L, 1L << 40}, (long[]) r.readTyped("ids"));
            assertArrayEquals(new int[] {7}, (int[]) r.readTyped("n"));
            assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) r.readTyped("m"));
        }
    }

    @Test
    void decodesF16() {
        int[] bits = {0x3C00, 0xC000, 0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0x3555, 0x7C00, 0xFC00, 0x7E00};
        float[] expected = {1f, -2f, 0f, -0f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, 65504f, 0x1.554p-2f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        Path f = write(dir.resolve("f16.safetensors"),
                file("{\"h\":{\"dtype\":\"F16\",\"shape\":[3,4],\"data_offsets\":[0,24]}}", u16(bits)));
        assertBitsEqual(expected, readOne(f, "h"));
    }

    @Test
    void decodesBF16() {
        int[] bits = {0x3F80, 0xC000, 0x0000, 0x8000, 0x0001, 0x7F7F, 0x3EAB, 0x7F80, 0xFF80, 0x7FC0};
        float[] expected = {1f, -2f, 0f, -0f, 0x1p-133f, 0x1.FEp127f, 0.333984375f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        Path f = write(dir.resolve("bf16.safetensors"),
                file("{\"b\":{\"dtype\":\"BF16\",\"shape\":[10],\"data_offsets\":[0,20]}}", u16(bits)));
        assertBitsEqual(expected, readOne(f, "b"));
    }

    @Test
    void decodesF64RoundingToFloat() {
        double[] values = {1.5, -2.25, 0.1, 1e300, -1e300, 1e-50, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 16777217.0};
        float[] expected = {1.5f, -2.25f, 0.1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.NaN,
            Float.POSITIVE_INFINITY, 16777216f};
        Path f = write(dir.resolve("f64.safetensors"),
                file("{\"d\":{\"dtype\":\"F64\",\"shape\":[2,5],\"data_offsets\":[0,80]}}", f64(values)));
        assertBitsEqual(expected, readOne(f, "d"));
    }

    @Test
    void decodesMixedDTypesAndLargeTensorsAcrossChunks() {
        float[] big = new float[100_003];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f - 7;
        }
        String json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"big\":{\"dtype\":\"F32\",\"shape\":[100003],\"data_offsets\":[2,400014]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[400014,400022]}}";
        Path f = write(dir.resolve("mixed.safetensors"), file(json, concat(u16(0xC000), f32(big), f64(3.25))));
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            Map<String, float[]> all = r.readAll();
            assertEquals(List.of("h", "big", "d"), List.copyOf(all.keySet()));
            assertArrayEquals(new float[] {-2f}, all.get("h"));
            assertArrayEquals(big, all.get("big"));
            assertArrayEquals(new float[] {3.25f}, all.get("d"));
        }
    }

    @Test
    void unsupportedDTypeIsInspectableButNotDecodable() {
        String json = "{\"ids\":{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        Path f = write(dir.resolve("u16.safetensors"), file(json, concat(new byte[4], f32(5f))));
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            assertEquals(SafeTensorsDType.U16, r.header().get("ids").dtype());
            assertArrayEquals(new float[] {5f}, r.read("w"));
            var e = assertThrows(SafeTensorsException.class, () -> r.read("ids"));
            assertTrue(e.getMessage().contains("'ids'") && e.getMessage().contains("dtype U16"), e.getMessage());
        }
        assertRejected(f, "tensor 'ids' U16 [2] bytes [0, 4)", "cannot read", "F32, F16, BF16 and F64");
        for (String dtype : List.of("U8", "I8")) {
            Path g = write(dir.resolve(dtype + ".safetensors"),
                    file("{\"m\":{\"dtype\":\"" + dtype + "\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]));
            assertRejected(g, "'m'", "dtype " + dtype);
        }
    }

    @Test
    void unknownTensorName() {
        Path f = write(dir.resolve("one.safetensors"), file("{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", f32(1)));
        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            var e = assertThrows(SafeTensorsException.class, () -> r.read("v"));
            assertTrue(e.getMessage().contains("no tensor 'v'") && e.getMessage().contains(f.toString()), e.getMessage());
        }
    }

    @Test
    void rejectsMissingFilesAndDirectories() {
        assertRejected(dir.resolve("nope.safetensors"), "cannot open", "no such file");
        assertRejected(dir);
    }

    @Test
    void rejectsShortFilesAndBadHeaderLengths() {
        assertRejected(write(dir.resolve("empty"), new byte[0]), "file is 0 bytes, too short");
        assertRejected(write(dir.resolve("seven"), new byte[7]), "file is 7 bytes");
        byte[] ok = "{}".getBytes();
        assertRejected(write(dir.resolve("cap"), file(100_000_001L, ok, new byte[0])),
                "header length 100000001 exceeds the limit of 100000000 bytes");
        assertRejected(write(dir.resolve("neg"), file(-1L, ok, new byte[0])), "header length 18446744073709551615 exceeds");
        assertRejected(write(dir.resolve("beyond"), file(1000, ok, new byte[0])),
                "header length 1000 goes beyond the end of the 10-byte file");
        assertRejected(write(dir.resolve("cap-ok"), file(100_000_000L, ok, new byte[0])), "goes beyond the end");
        assertRejected(write(dir.resolve("zero"), file(0, new byte[0], new byte[0])), "header is not a JSON object");
        assertRejected(write(dir.resolve("binary"), file(8, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, new byte[0])),
                "not valid UTF-8");
    }

    @Test
    void rejectsTruncatedAndOverlongDataSections() {
        String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        byte[] good = file(json, f32(1, 2, 3, 4));
        assertArrayEquals(new float[] {1, 2, 3, 4}, readOne(write(dir.resolve("good"), good), "w"));
        assertRejected(write(dir.resolve("short"), Arrays.copyOf(good, good.length - 1)),
                "tensor 'w' (F32 [2, 2], bytes [0, 16)): extends beyond the data section of 15 bytes (truncated file?)");
        assertRejected(write(dir.resolve("long"), Arrays.copyOf(good, good.length + 3)),
                "bytes [16, 19) at the end of the data section belong to no tensor");
    }

    @Test
    void readsOneTensorOfAHugeSparseFileWithoutTouchingTheRest() throws IOException {
        long bigBytes = 2_000_000_000L; // U8 [2e9]: a valid entry Cairn cannot decode, never read
        String json = "{\"small\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"big\":{\"dtype\":\"U8\",\"shape\":[" + bigBytes + "],\"data_offsets\":[8," + (8 + bigBytes) + "]}}";
        Path f = write(dir.resolve("sparse.safetensors"), file(json, f32(6f, 7f)));
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(raf.length() + bigBytes);
        }
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
                assertEquals(2, r.header().tensors().size());
                assertArrayEquals(new float[] {6f, 7f}, r.read("small"));
            }
        });
        Files.delete(f);
    }

    static void assertAllFinite(String name, float[] values) {
        for (float v : values) {
            assertTrue(Float.isFinite(v), () -> name + " has a non-finite value");
        }
    }

    static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + " got " + actual[i]);
        }
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }
}
