package dev.cairn.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds raw safetensors bytes by hand for tests: a header length, a header, a data section. */
final class SafeTensorsBytes {
    private SafeTensorsBytes() {
    }

    /** A file with header {@code json} (UTF-8, unpadded) and data section {@code data}. */
    static byte[] file(String json, byte[] data) {
        return file(json.getBytes(StandardCharsets.UTF_8), data);
    }

    static byte[] file(byte[] header, byte[] data) {
        return file(header.length, header, data);
    }

    /** A file whose 8-byte length field says {@code length}, whatever the header's real size. */
    static byte[] file(long length, byte[] header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] f32(float... values) {
        ByteBuffer b = le(values.length * 4);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] f64(double... values) {
        ByteBuffer b = le(values.length * 8);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    /** 16-bit words (F16 or BF16 bit patterns), little-endian. */
    static byte[] u16(int... words) {
        ByteBuffer b = le(words.length * 2);
        for (int w : words) {
            b.putShort((short) w);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A test resource file under {@code io/} as a path. */
    static Path resource(String name) {
        try {
            return Path.of(SafeTensorsBytes.class.getResource("/io/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource io/" + name, e);
        }
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
