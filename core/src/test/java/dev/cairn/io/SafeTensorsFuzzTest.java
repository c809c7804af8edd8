package dev.cairn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Seeded mutation fuzzing of the reader: every mutated file must either read consistently or fail
 * with a {@link SafeTensorsException} naming the file. Exactly {@value #ITERATIONS} seeded cases, so every
 * run checks the same inputs; each read runs under a deadlock guard of {@value #GUARD_MINUTES} minute(s)
 * that only a hang (never a slow machine) can trip.
 */
class SafeTensorsFuzzTest {
    private static final long SEED = 0x5AFE_7E45_0125L;
    private static final int ITERATIONS = 1000;
    private static final int GUARD_MINUTES = 1;
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");
    private static final Pattern DTYPE = Pattern.compile("\"dtype\":\"([^\"]*)\"");
    private static final String[] NUMBERS = {"0", "1", "-1", "1.5", "1e3", "2147483647", "2147483648", "4294967296",
        "9223372036854775807", "99999999999999999999", "", "[]", "null", "\"4\""};
    private static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I64", "U8", "BOOL", "F4", "F6_E2M3", "C64",
        "f32", "F32 ", "", "X"};
    private static final String[] SNIPPETS = {"{", "}", "[", "]", ",", ":", "\"", "\\", "\u0000", "\u00ff", "null", "-",
        "\"__metadata__\":{},", "\"__metadata__\":{\"k\":\"v\"},", "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},",
        "\"extra\":1,", "[1,2],"};

    @TempDir
    Path dir;

    private record Mutant(byte[] bytes, String description) {
    }

    @Test
    void mutatedFilesReadConsistentlyOrFailCleanly() throws Exception {
        List<byte[]> seeds = seedFiles();
        Random rnd = new Random(SEED);
        Path file = dir.resolve("fuzz.safetensors");
        int read = 0;
        int rejected = 0;
        int i = 0;
        // One reused worker thread gives each read a deadlock guard (assertTimeoutPreemptively starts a thread per call).
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "safetensors-fuzz");
            t.setDaemon(true);
            return t;
        });
        try {
            for (; i < ITERATIONS; i++) {
                Mutant m = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
                Files.write(file, m.bytes());
                Throwable thrown = null;
                try {
                    worker.submit(() -> readAndCheck(file, m.bytes())).get(GUARD_MINUTES, TimeUnit.MINUTES);
                    read++;
                } catch (ExecutionException e) {
                    thrown = e.getCause();
                } catch (TimeoutException e) {
                    thrown = new AssertionFailedError("read did not finish within " + GUARD_MINUTES + " minute(s): a hang");
                }
                if (thrown instanceof SafeTensorsException e && e.getMessage().contains(file.toString())) {
                    rejected++;
                } else if (thrown != null) {
                    throw new AssertionFailedError("iteration " + i + " (" + m.description() + "): " + thrown, thrown);
                }
            }
        } finally {
            worker.shutdownNow();
        }
        assertEquals(ITERATIONS, read + rejected);
        assertTrue(read >= 20 && rejected >= 20, "the mutations should produce both outcomes: " + read + " read, "
                + rejected + " rejected");
    }

    /** Reads every tensor and checks the result agrees with the file's size and the entries' sizes. */
    private static void readAndCheck(Path file, byte[] bytes) {
        try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
            long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long position = 0;
            for (TensorEntry e : r.header().tensors()) {
                assertEquals(position, e.begin(), "entries tile the data section");
                assertEquals((long) e.numel() * e.dtype().bits(), e.byteLength() * 8);
                position = e.end();
                if (e.dtype().readable()) {
                    assertEquals(e.numel(), r.read(e.name()).length);
                } else {
                    assertThrows(SafeTensorsException.class, () -> r.read(e.name()));
                }
            }
            assertEquals(bytes.length - 8 - headerLength, position, "entries cover the data section");
        }
    }

    private static Mutant mutate(byte[] base, Random rnd) {
        int kind = rnd.nextInt(8);
        if (kind == 7) { // two mutations in a row
            Mutant a = mutate(base, rnd);
            Mutant b = mutate(a.bytes(), rnd);
            return new Mutant(b.bytes(), a.description() + " then " + b.description());
        }
        byte[] b = base.clone();
        if (b.length < 8) {
            return new Mutant(b, "too short to mutate");
        }
        int n = (int) Math.max(0, Math.min(headerLength(b), b.length - 8));
        String header = new String(b, 8, n, StandardCharsets.ISO_8859_1);
        switch (kind) {
            case 0 -> {
                int flips = 1 + rnd.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    int at = n > 0 && rnd.nextInt(10) < 7 ? 8 + rnd.nextInt(n) : rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                return new Mutant(b, flips + " bit flips");
            }
            case 1 -> {
                int len = rnd.nextBoolean() ? rnd.nextInt(b.length) : Math.max(0, b.length - 1 - rnd.nextInt(8));
                return new Mutant(java.util.Arrays.copyOf(b, len), "truncated to " + len);
            }
            case 2 -> {
                long[] choices = {rnd.nextLong(), n + rnd.nextInt(17) - 8, 0, rnd.nextInt(16), 100_000_000L, 100_000_001L,
                    b.length - 8, b.length, Long.MAX_VALUE, -1, Integer.MAX_VALUE + 1L};
                long len = choices[rnd.nextInt(choices.length)];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
                return new Mutant(b, "header length " + len);
            }
            case 3 -> {
                return replaceOne(b, header, NUMBER, 0, NUMBERS[rnd.nextInt(NUMBERS.length)], rnd, "number");
            }
            case 4 -> {
                return replaceOne(b, header, DTYPE, 1, DTYPES[rnd.nextInt(DTYPES.length)], rnd, "dtype");
            }
            case 5 -> {
                int from = rnd.nextInt(header.length() + 1);
                int to = Math.min(header.length(), from + rnd.nextInt(12));
                String edited = rnd.nextBoolean()
                        ? header.substring(0, from) + header.substring(to)
                        : header.substring(0, from) + SNIPPETS[rnd.nextInt(SNIPPETS.length)] + header.substring(from);
                return new Mutant(withHeader(b, n, edited, rnd.nextInt(10) < 9), "header edit at " + from);
            }
            default -> {
                int extra = rnd.nextInt(9) - 4;
                byte[] out = java.util.Arrays.copyOf(b, Math.max(8, b.length + extra));
                return new Mutant(out, "data section resized by " + extra);
            }
        }
    }

    /** Replaces one random match (group {@code group}) of {@code pattern} in the header. */
    private static Mutant replaceOne(byte[] b, String header, Pattern pattern, int group, String replacement, Random rnd,
            String what) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = pattern.matcher(header);
        while (m.find()) {
            spans.add(new int[] {m.start(group), m.end(group)});
        }
        if (spans.isEmpty()) {
            return new Mutant(b, "no " + what + " to edit");
        }
        int[] s = spans.get(rnd.nextInt(spans.size()));
        String edited = header.substring(0, s[0]) + replacement + header.substring(s[1]);
        return new Mutant(withHeader(b, header.length(), edited, rnd.nextInt(10) < 9),
                what + " '" + header.substring(s[0], s[1]) + "' -> '" + replacement + "'");
    }

    /** {@code b} with its {@code oldLength}-byte header replaced, and the length field fixed if asked. */
    private static byte[] withHeader(byte[] b, int oldLength, String header, boolean fixLength) {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        int dataStart = 8 + oldLength;
        byte[] out = new byte[b.length - oldLength + h.length];
        System.arraycopy(b, 0, out, 0, 8);
        System.arraycopy(h, 0, out, 8, h.length);
        System.arraycopy(b, dataStart, out, 8 + h.length, b.length - dataStart);
        if (fixLength) {
            ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length);
        }
        return out;
    }

    private static long headerLength(byte[] b) {
        return b.length < 8 ? 0 : ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private List<byte[]> seedFiles() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Files.readAllBytes(SafeTensorsBytes.resource("chimera-s1-b4.safetensors")));
        Path written = dir.resolve("written.safetensors");
        SafeTensorsWriter.write(written, List.of(
                SafeTensorsWriter.Item.of("w", new float[] {1, -2, 3.5f, 0, Float.NaN, 6}, 2, 3),
                SafeTensorsWriter.Item.of("s", new float[] {7}),
                SafeTensorsWriter.Item.of("e", new float[0], 3, 0),
                SafeTensorsWriter.Item.of("v", new float[] {0.25f, 8}, 2)), new TreeMap<>(Map.of("model", "fuzz", "n", "4"))); // sorted: Map.of order varies per run
        seeds.add(Files.readAllBytes(written));
        String json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[4,8]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[8,16]},"
                + "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[16,24]},"
                + "\"q\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[24,25]},"
                + "\"__metadata__\":{\"a\":\"b\"}}";
        seeds.add(SafeTensorsBytes.file(json, SafeTensorsBytes.concat(SafeTensorsBytes.u16(0x3C00, 0x7C00, 0x3F80, 0xFFC0),
                SafeTensorsBytes.f64(2.5), new byte[9])));
        return seeds;
    }
}
