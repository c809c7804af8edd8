package dev.cairn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsWriterTest {
    @TempDir
    Path dir;

    private static SafeTensorsWriter.Item item(String name, float[] data, int... shape) {
        return SafeTensorsWriter.Item.of(name, data, shape);
    }

    @Test
    void roundTripsBitExactInOrderWithMetadata() {
        float[] special = {Float.intBitsToFloat(0x7FC00001), -0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -3.5f, 1e38f};
        float[] big = new float[70_001]; // more than one write chunk
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) Math.sin(i);
        }
        List<SafeTensorsWriter.Item> items = List.of(item("z.special", special, 2, 3), item("a.scalar", new float[] {42f}),
                item("m.empty", new float[0], 0, 4), item("big", big, 70_001));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("ünï", "cödé \"quoted\"");
        Path f = dir.resolve("t.safetensors");
        SafeTensorsWriter.write(f, items, meta);

        try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
            SafeTensorsHeader h = r.header();
            assertEquals(List.of("z.special", "a.scalar", "m.empty", "big"), h.tensors().stream().map(TensorEntry::name).toList());
            assertEquals(meta, h.metadata());
            assertArrayEquals(new int[0], h.get("a.scalar").shape());
            assertArrayEquals(new int[] {0, 4}, h.get("m.empty").shape());
            h.tensors().forEach(e -> assertEquals(SafeTensorsDType.F32, e.dtype()));
            Map<String, float[]> all = r.readAll();
            for (var it : items) {
                float[] expected = (float[]) it.data().get();
                float[] actual = all.get(it.name());
                assertEquals(expected.length, actual.length);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), it.name() + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void layoutMatchesTheReferenceWriter() throws IOException {
        Path f = dir.resolve("w.safetensors");
        SafeTensorsWriter.write(f, List.of(item("b", new float[] {1, 2, 3}, 3), item("a", new float[] {4}, 1)), Map.of());
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals(8 + n + 16, bytes.length);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertEquals("{\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", header.stripTrailing());
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
        assertEquals(2f, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat(8 + (int) n + 4));
    }

    /** Rewriting a file made by the Python safetensors package, in its order, reproduces it byte for byte. */
    @Test
    void rewritingGoldenFilesReproducesTheirBytes() throws IOException {
        for (String name : List.of("tied-s1-b4.safetensors", "chimera-s1-b4.safetensors")) {
            Path golden = SafeTensorsBytes.resource(name);
            List<SafeTensorsWriter.Item> items = new ArrayList<>();
            Map<String, String> meta;
            try (SafeTensorsReader r = SafeTensorsReader.open(golden)) {
                meta = r.header().metadata();
                for (TensorEntry e : r.header().tensors()) {
                    items.add(item(e.name(), r.read(e.name()), e.shape()));
                }
            }
            Path copy = dir.resolve(name);
            SafeTensorsWriter.write(copy, items, meta);
            assertArrayEquals(Files.readAllBytes(golden), Files.readAllBytes(copy), name);
        }
    }

    @Test
    void metadataIsOmittedWhenNullOrEmpty() throws IOException {
        List<Map<String, String>> metas = new ArrayList<>();
        metas.add(null);
        metas.add(Map.of());
        for (Map<String, String> meta : metas) {
            Path f = dir.resolve("m.safetensors");
            SafeTensorsWriter.write(f, List.of(item("x", new float[] {1})), meta);
            assertFalse(new String(Files.readAllBytes(f), StandardCharsets.UTF_8).contains("__metadata__"));
            try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
                assertTrue(r.header().metadata().isEmpty());
            }
        }
        Path empty = dir.resolve("none.safetensors");
        SafeTensorsWriter.write(empty, List.of(), null);
        assertEquals(16, Files.size(empty)); // length + "{}" padded to 8
        try (SafeTensorsReader r = SafeTensorsReader.open(empty)) {
            assertTrue(r.header().tensors().isEmpty());
        }
    }

    @Test
    void dataIsRequestedOnceEachInOrder() {
        List<String> calls = new ArrayList<>();
        AtomicInteger n = new AtomicInteger();
        List<SafeTensorsWriter.Item> items = new ArrayList<>();
        for (String name : List.of("p", "q", "r")) {
            items.add(new SafeTensorsWriter.Item(name, new int[] {2}, () -> {
                calls.add(name);
                return new float[] {n.incrementAndGet(), 0};
            }));
        }
        SafeTensorsWriter.write(dir.resolve("lazy.safetensors"), items, null);
        assertEquals(List.of("p", "q", "r"), calls);
    }

    @Test
    void overwritesAndFailedWritesLeaveTheOldFileAndNoLitter() throws IOException {
        Path f = dir.resolve("keep.safetensors");
        SafeTensorsWriter.write(f, List.of(item("old", new float[] {1})), null);
        SafeTensorsWriter.write(f, List.of(item("new", new float[] {2, 3}, 2)), null);
        byte[] before = Files.readAllBytes(f);

        var e = assertThrows(SafeTensorsException.class,
                () -> SafeTensorsWriter.write(f, List.of(item("ok", new float[] {1}), item("bad", new float[3], 2, 2)), null));
        assertTrue(e.getMessage().contains("'bad' has 3 values but its shape [2, 2] needs 4"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        var boom = new SafeTensorsWriter.Item("boom", new int[] {1}, () -> {
            throw new IllegalStateException("tensor closed");
        });
        assertThrows(IllegalStateException.class, () -> SafeTensorsWriter.write(f, List.of(boom), null));

        assertArrayEquals(before, Files.readAllBytes(f));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    @Test
    void rejectsInvalidInput() {
        Path f = dir.resolve("bad.safetensors");
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        List<Runnable> bad = List.of(
                () -> SafeTensorsWriter.write(f, List.of(item("a", new float[1]), item("a", new float[1])), null),
                () -> SafeTensorsWriter.write(f, List.of(item("__metadata__", new float[1])), null),
                () -> SafeTensorsWriter.write(f, List.of(item("n", new float[0], -1, 0)), null),
                () -> SafeTensorsWriter.write(f, List.of(item("huge", new float[0], 65536, 65536)), null),
                () -> SafeTensorsWriter.write(f, List.of(item("x", new float[1])), nullValue),
                () -> SafeTensorsWriter.write(f, List.of(new SafeTensorsWriter.Item("x", new int[0], () -> null)), null));
        for (Runnable r : bad) {
            var e = assertThrows(SafeTensorsException.class, r::run);
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        }
        assertFalse(Files.exists(f));
        Path nowhere = dir.resolve("missing-dir").resolve("x.safetensors");
        var e = assertThrows(SafeTensorsException.class,
                () -> SafeTensorsWriter.write(nowhere, List.of(item("x", new float[1])), null));
        assertTrue(e.getMessage().contains("cannot write " + nowhere), e.getMessage());
    }
}
