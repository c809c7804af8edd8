package dev.cairn.data;

import dev.cairn.CairnException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An IDX file, the format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, a type
 * code, the number of dimensions, then each size as a 32-bit integer) followed by the elements in
 * row-major order. {@link #read} accepts the plain file and its gzip-compressed form ({@code .gz}, as
 * the official releases ship), recognised by content, not by name. Every header field and the amount
 * of data are checked, so a truncated, padded or hostile file gives an error naming the file and what
 * is wrong, never an exception from deep inside or an allocation the data does not back. Immutable.
 *
 * @param type  the element type
 * @param dims  the sizes of each dimension
 * @param bytes the elements as stored (big-endian)
 */
public record IdxFile(Type type, int[] dims, byte[] bytes) {
    /** The element types of the IDX format, with their type codes and sizes. */
    public enum Type {
        UBYTE(0x08, 1), BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        final int code;
        final int size;

        Type(int code, int size) {
            this.code = code;
            this.size = size;
        }

        static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    /** The largest element count accepted (one Java array of floats). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    public IdxFile {
        java.util.Objects.requireNonNull(type, "type");
        dims = dims.clone();
        long n = 1;
        for (int v : dims) {
            if (v < 0) {
                throw new CairnException("IdxFile: negative size in " + Arrays.toString(dims));
            }
            n *= v;
        }
        if (bytes.length != n * type.size) {
            throw new CairnException("IdxFile: " + Arrays.toString(dims) + " " + type + " elements need " + n * type.size
                    + " bytes, got " + bytes.length);
        }
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements. */
    public int numel() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return (int) n;
    }

    /** The elements converted to floats, each multiplied by {@code scale} (e.g. 1/255 for pixels). */
    public float[] toFloats(float scale) {
        int n = numel();
        float[] out = new float[n];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < n; i++) {
            float v = switch (type) {
                case UBYTE -> bytes[i] & 0xFF;
                case BYTE -> bytes[i];
                case SHORT -> b.getShort(2 * i);
                case INT -> b.getInt(4 * i);
                case FLOAT -> b.getFloat(4 * i);
                case DOUBLE -> (float) b.getDouble(8 * i);
            };
            out[i] = v * scale;
        }
        return out;
    }

    /** Reads and checks {@code file}, plain or gzip-compressed. */
    public static IdxFile read(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            long available = gzip ? -1 : Files.size(file);
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return parse(in, available, file + (gzip ? " (gzip)" : ""));
            }
        } catch (NoSuchFileException e) {
            throw new CairnException("IDX file " + file + " does not exist");
        } catch (ZipException | EOFException e) {
            throw new CairnException("IDX file " + file + " is not a valid gzip stream (truncated or corrupt): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CairnException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses an IDX stream; {@code length} is the stream's size when known (else -1); {@code name} is used in errors. */
    static IdxFile parse(InputStream in, long length, String name) throws IOException {
        byte[] head = readUpTo(in, 4);
        if (head.length < 4) {
            throw new CairnException("IDX file " + name + " is truncated: " + head.length + " bytes, shorter than the"
                    + " 4-byte header");
        }
        if (head[0] != 0 || head[1] != 0) {
            throw new CairnException(String.format("IDX file %s does not start with an IDX magic number (the first two"
                    + " bytes are 0x%02x 0x%02x, expected 0x00 0x00); is it an IDX file?", name, head[0] & 0xFF, head[1] & 0xFF));
        }
        Type type = Type.of(head[2] & 0xFF);
        if (type == null) {
            throw new CairnException(String.format("IDX file %s has unknown element type code 0x%02x (known: 0x08 ubyte,"
                    + " 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double)", name, head[2] & 0xFF));
        }
        int rank = head[3] & 0xFF;
        if (rank == 0) {
            throw new CairnException("IDX file " + name + " declares 0 dimensions");
        }
        byte[] dimBytes = readUpTo(in, 4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new CairnException("IDX file " + name + " is truncated in its header: it declares " + rank
                    + " dimensions but holds only " + dimBytes.length / 4 + " sizes");
        }
        ByteBuffer d = ByteBuffer.wrap(dimBytes).order(ByteOrder.BIG_ENDIAN);
        int[] dims = new int[rank];
        long numel = 1;
        for (int i = 0; i < rank; i++) {
            long size = d.getInt() & 0xFFFFFFFFL;
            if (size > Integer.MAX_VALUE) {
                throw new CairnException("IDX file " + name + ": dimension " + i + " has size " + size
                        + ", larger than Cairn supports (" + Integer.MAX_VALUE + ")");
            }
            dims[i] = (int) size;
            numel *= size;
            if (numel > MAX_ELEMENTS) {
                throw new CairnException("IDX file " + name + ": the sizes " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                        + "... make more than " + MAX_ELEMENTS + " elements");
            }
        }
        long dataBytes = numel * type.size;
        if (dataBytes > MAX_ELEMENTS) {
            throw new CairnException("IDX file " + name + ": " + Arrays.toString(dims) + " " + type + " elements are"
                    + " more than " + MAX_ELEMENTS + " bytes");
        }
        long headerBytes = 4 + 4L * rank;
        if (length >= 0 && length != headerBytes + dataBytes) {
            throw new CairnException("IDX file " + name + " has " + (length - headerBytes) + " bytes of data, but its header"
                    + " declares " + Arrays.toString(dims) + " " + type + " elements = " + dataBytes + " bytes"
                    + (length < headerBytes + dataBytes ? " (truncated?)" : " (trailing data)"));
        }
        byte[] data = readUpTo(in, (int) dataBytes);
        if (data.length < dataBytes) {
            throw new CairnException("IDX file " + name + " is truncated: its header declares " + Arrays.toString(dims)
                    + " " + type + " elements = " + dataBytes + " bytes of data, but it holds " + data.length);
        }
        if (in.read() != -1) {
            throw new CairnException("IDX file " + name + " has data after the " + dataBytes + " bytes its header"
                    + " declares " + Arrays.toString(dims) + " (trailing data)");
        }
        return new IdxFile(type, dims, data);
    }

    /**
     * Reads up to {@code n} bytes; growing the buffer as data arrives, so a header declaring a huge size
     * backed by a small (compressed) file never allocates more than the data that is there.
     */
    private static byte[] readUpTo(InputStream in, int n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(n, 1 << 20));
        byte[] buf = new byte[1 << 16];
        int left = n;
        while (left > 0) {
            int r = in.read(buf, 0, Math.min(buf.length, left));
            if (r < 0) {
                break;
            }
            out.write(buf, 0, r);
            left -= r;
        }
        return out.toByteArray();
    }

    /** Writes {@code dims} and {@code bytes} as an uncompressed IDX file (for making subsets and tests). */
    public void write(Path file) {
        ByteBuffer h = ByteBuffer.allocate(4 + 4 * dims.length).order(ByteOrder.BIG_ENDIAN);
        h.put((byte) 0).put((byte) 0).put((byte) type.code).put((byte) dims.length);
        for (int v : dims) {
            h.putInt(v);
        }
        try (var out = Files.newOutputStream(file)) {
            out.write(h.array());
            out.write(bytes);
        } catch (IOException e) {
            throw new CairnException("cannot write IDX file " + file + ": " + e.getMessage(), e);
        }
    }
}
