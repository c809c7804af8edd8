package dev.cairn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An open safetensors file whose header has been read and validated. Tensors are decoded one at a
 * time, on request, by positional reads of just their bytes, so a large file is never loaded whole.
 * Thread-safe; close it to release the file.
 */
public final class SafeTensorsReader implements AutoCloseable {
    private static final int CHUNK_BYTES = 1 << 16;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final SafeTensorsHeader header;

    private SafeTensorsReader(Path file, FileChannel channel, long dataStart, SafeTensorsHeader header) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.header = header;
    }

    /**
     * Opens {@code file} and reads and validates its header.
     *
     * @throws SafeTensorsException if the file cannot be read, is not a regular file (a FIFO, a device, a
     *     {@code /proc} file, a directory) or is not a valid safetensors file
     */
    public static SafeTensorsReader open(Path file) {
        FileChecks.requireRegularInput(file); // a FIFO would block the open, /dev/zero and /proc files mislead
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw ioError(file, "cannot open", e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new SafeTensorsException(file + ": file is " + size
                        + " bytes, too short for the 8-byte header length of a safetensors file");
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, prefix, 0, file, "the header length");
            long n = prefix.getLong(0);
            if (n < 0 || n > SafeTensorsHeader.MAX_HEADER_BYTES) {
                throw new SafeTensorsException(file + ": header length " + Long.toUnsignedString(n)
                        + " exceeds the limit of " + SafeTensorsHeader.MAX_HEADER_BYTES + " bytes");
            }
            if (n > size - 8) {
                throw new SafeTensorsException(file + ": header length " + n + " goes beyond the end of the "
                        + size + "-byte file (truncated or not a safetensors file?)");
            }
            ByteBuffer json = ByteBuffer.allocate((int) n);
            readFully(channel, json, 8, file, "the header");
            SafeTensorsHeader header = SafeTensorsHeader.parse(json.array(), size - 8 - n, file.toString());
            return new SafeTensorsReader(file, channel, 8 + n, header);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof IOException io ? ioError(file, "cannot read", io) : (RuntimeException) e;
        }
    }

    /** The file this reader reads. */
    public Path file() {
        return file;
    }

    /** The validated header: entries in file order and metadata. */
    public SafeTensorsHeader header() {
        return header;
    }

    /**
     * Decodes tensor {@code name} into a new float32 array, row-major.
     *
     * @throws SafeTensorsException if there is no such tensor, its dtype cannot be decoded, or the
     *     file cannot be read
     */
    public float[] read(String name) {
        TensorEntry e = entry(name);
        float[] out = new float[e.numel()];
        readChunks(e, (buf, done, count) -> e.dtype().decode(buf, out, done, count));
        return out;
    }

    /**
     * Decodes tensor {@code name} in its own element type: a {@code float[]} for float dtypes (converted to
     * float32), a {@code long[]} for I64, {@code int[]} for I32 and {@code boolean[]} for BOOL.
     */
    public Object readTyped(String name) {
        TensorEntry e = entry(name);
        if (e.dtype().floating()) {
            return read(name);
        }
        Object out = switch (e.dtype()) {
            case I64 -> new long[e.numel()];
            case I32 -> new int[e.numel()];
            default -> new boolean[e.numel()];
        };
        readChunks(e, (buf, done, count) -> e.dtype().decodeIntegral(buf, out, done, count));
        return out;
    }

    /** The entry named {@code name}, checked to exist and to have a dtype Cairn decodes. */
    private TensorEntry entry(String name) {
        TensorEntry e = header.get(name);
        if (e == null) {
            throw new SafeTensorsException(file + ": no tensor '" + name + "' (the file holds "
                    + header.tensors().size() + " tensors" + (header.tensors().isEmpty() ? ")" : ", e.g. '"
                    + header.tensors().getFirst().name() + "')"));
        }
        checkReadable(e);
        return e;
    }

    /** Decodes a chunk of {@code count} elements, starting at element {@code done}, from {@code buf}. */
    @FunctionalInterface
    private interface ChunkDecoder {
        void decode(ByteBuffer buf, int done, int count);
    }

    /** Reads {@code e}'s bytes in chunks of at most {@link #CHUNK_BYTES} (never the whole tensor at once). */
    private void readChunks(TensorEntry e, ChunkDecoder decoder) {
        int bytesPerElement = e.dtype().bits() / 8;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.max(bytesPerElement, Math.min(CHUNK_BYTES, e.byteLength())))
                .order(ByteOrder.LITTLE_ENDIAN);
        long position = dataStart + e.begin();
        try {
            for (int done = 0; done < e.numel(); ) {
                int count = Math.min(e.numel() - done, buf.capacity() / bytesPerElement);
                buf.clear().limit(count * bytesPerElement);
                readFully(channel, buf, position, file, "tensor " + e);
                buf.flip();
                decoder.decode(buf, done, count);
                done += count;
                position += (long) count * bytesPerElement;
            }
        } catch (IOException ex) {
            throw ioError(file, "cannot read tensor " + e + " from", ex);
        }
    }

    /**
     * Decodes every tensor, in file order. Fails before decoding anything if a dtype cannot be
     * decoded.
     */
    public Map<String, float[]> readAll() {
        checkReadable();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (TensorEntry e : header.tensors()) {
            out.put(e.name(), read(e.name()));
        }
        return out;
    }

    /** Throws unless every tensor's dtype can be decoded. */
    void checkReadable() {
        header.tensors().forEach(this::checkReadable);
    }

    private void checkReadable(TensorEntry e) {
        if (!e.dtype().readable()) {
            throw new SafeTensorsException(file + ": tensor " + e + " has dtype " + e.dtype()
                    + ", which Cairn cannot read (it reads F32, F16, BF16 and F64 as float32, and I64, I32 and BOOL)");
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw ioError(file, "cannot close", e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position, Path file, String what)
            throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position);
            if (n < 0) {
                throw new SafeTensorsException(file + ": unexpected end of file at byte " + position
                        + " while reading " + what + " (was the file changed while open?)");
            }
            position += n;
        }
    }

    /** Wraps an I/O failure on {@code file}, naming the usual causes plainly. */
    static SafeTensorsException ioError(Path file, String action, IOException e) {
        String why = e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof AccessDeniedException ? "access denied"
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return new SafeTensorsException(action + " " + file + ": " + why, e);
    }
}
