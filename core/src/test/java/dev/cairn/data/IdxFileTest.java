package dev.cairn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader: plain and gzip files, every element type, and clear errors for broken or hostile files. */
class IdxFileTest {
    @TempDir
    Path dir;

    private static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private static String error(Path p) {
        return assertThrows(CairnException.class, () -> IdxFile.read(p)).getMessage();
    }

    @Test
    void readsPlainAndGzipUnsignedBytes() throws IOException {
        byte[] pixels = {0, 1, (byte) 127, (byte) 128, (byte) 254, (byte) 255};
        byte[] content = idx(0x08, new int[] {2, 3}, pixels);
        for (Path p : new Path[] {file("plain", content), file("packed.gz", gzip(content)), file("packed-without-suffix",
                gzip(content))}) {
            IdxFile f = IdxFile.read(p);
            assertEquals(IdxFile.Type.UBYTE, f.type());
            assertArrayEquals(new int[] {2, 3}, f.dims());
            assertArrayEquals(new float[] {0, 1, 127, 128, 254, 255}, f.toFloats(1f));
        }
    }

    @Test
    void readsTheOtherElementTypes() throws IOException {
        ByteBuffer ints = ByteBuffer.allocate(8).putInt(-5).putInt(70000);
        assertArrayEquals(new float[] {-5, 70000}, IdxFile.read(file("i", idx(0x0C, new int[] {2}, ints.array()))).toFloats(1f));
        ByteBuffer shorts = ByteBuffer.allocate(4).putShort((short) -300).putShort((short) 2);
        assertArrayEquals(new float[] {-300, 2}, IdxFile.read(file("s", idx(0x0B, new int[] {2}, shorts.array()))).toFloats(1f));
        ByteBuffer floats = ByteBuffer.allocate(8).putFloat(1.5f).putFloat(-2f);
        assertArrayEquals(new float[] {3f, -4f}, IdxFile.read(file("f", idx(0x0D, new int[] {1, 2}, floats.array()))).toFloats(2f));
        ByteBuffer doubles = ByteBuffer.allocate(8).putDouble(0.25);
        assertArrayEquals(new float[] {0.25f}, IdxFile.read(file("d", idx(0x0E, new int[] {1}, doubles.array()))).toFloats(1f));
        assertArrayEquals(new float[] {-1, 1}, IdxFile.read(file("b", idx(0x09, new int[] {2}, new byte[] {-1, 1}))).toFloats(1f));
    }

    @Test
    void writeThenReadRoundTrips() {
        IdxFile f = new IdxFile(IdxFile.Type.UBYTE, new int[] {2, 2}, new byte[] {1, 2, 3, 4});
        Path p = dir.resolve("w");
        f.write(p);
        IdxFile back = IdxFile.read(p);
        assertArrayEquals(f.bytes(), back.bytes());
        assertArrayEquals(f.dims(), back.dims());
    }

    @Test
    void truncatedAndPaddedFilesAreNamed() throws IOException {
        byte[] good = idx(0x08, new int[] {4, 4}, new byte[16]);
        String e = error(file("short", Arrays.copyOf(good, good.length - 3)));
        assertTrue(e.contains("short") && e.contains("truncated"), e);
        e = error(file("long", Arrays.copyOf(good, good.length + 2)));
        assertTrue(e.contains("trailing data"), e);
        e = error(file("short.gz", gzip(Arrays.copyOf(good, good.length - 3))));
        assertTrue(e.contains("truncated") && e.contains("16 bytes of data, but it holds 13"), e);
        e = error(file("long.gz", gzip(Arrays.copyOf(good, good.length + 1))));
        assertTrue(e.contains("trailing data"), e);
        byte[] gz = gzip(good);
        e = error(file("cut.gz", Arrays.copyOf(gz, gz.length / 2)));
        assertTrue(e.contains("cut.gz") && (e.contains("gzip") || e.contains("truncated")), e);
        e = error(file("tiny", new byte[] {0, 0}));
        assertTrue(e.contains("shorter than the 4-byte header"), e);
        e = error(file("dims", new byte[] {0, 0, 8, 3, 0, 0, 0, 1}));
        assertTrue(e.contains("declares 3 dimensions but holds only 1"), e);
    }

    @Test
    void wrongMagicTypeAndRankAreNamed() throws IOException {
        String e = error(file("text", "hello world".getBytes()));
        assertTrue(e.contains("does not start with an IDX magic number") && e.contains("0x68 0x65"), e);
        e = error(file("type", idx(0x07, new int[] {1}, new byte[1])));
        assertTrue(e.contains("unknown element type code 0x07"), e);
        e = error(file("rank0", new byte[] {0, 0, 8, 0}));
        assertTrue(e.contains("declares 0 dimensions"), e);
        e = error(dir.resolve("absent"));
        assertTrue(e.contains("does not exist"), e);
    }

    @Test
    void hugeDeclaredSizesAreRejectedWithoutAllocating() throws IOException {
        // a 4 GiB-element header backed by nothing: rejected from the header alone
        byte[] huge = idx(0x08, new int[] {65536, 65536}, new byte[0]);
        String e = error(file("huge", huge));
        assertTrue(e.contains("more than"), e);
        byte[] negative = idx(0x08, new int[] {-1}, new byte[0]);
        e = error(file("negative", negative));
        assertTrue(e.contains("larger than Cairn supports"), e);
        // 1.9e9 declared bytes in a tiny gzip file: reading stops where the data ends
        byte[] big = idx(0x08, new int[] {1900, 1000, 1000}, new byte[10]);
        e = error(file("big.gz", gzip(big)));
        assertTrue(e.contains("truncated") && e.contains("holds 10"), e);
    }
}
