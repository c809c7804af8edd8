package dev.cairn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Writes float32 tensors to a safetensors file, streaming each tensor's data as it is asked for, in
 * the order given. The file is written to a temporary file beside the target and moved into place
 * at the end, so a failed write leaves any existing file untouched. Only a regular file or a new path
 * is written: a symbolic link's target file is replaced (the link stays), and a directory, FIFO,
 * device ({@code /dev/null}) or dangling link is refused before anything is written.
 */
public final class SafeTensorsWriter {
    private static final int CHUNK_FLOATS = 1 << 14;

    private SafeTensorsWriter() {
    }

    /**
     * One tensor to write: its key, shape, and a supplier of its row-major data, called once when
     * the tensor's bytes are written.
     */
    public record Item(String name, int[] shape, SafeTensorsDType dtype, Supplier<?> data) {
        public Item {
            shape = shape.clone();
            if (dtype != SafeTensorsDType.F32 && dtype != SafeTensorsDType.I64 && dtype != SafeTensorsDType.I32
                    && dtype != SafeTensorsDType.BOOL) {
                throw new IllegalArgumentException("Cairn writes F32, I64, I32 and BOOL, not " + dtype);
            }
        }

        /** An F32 item. */
        public Item(String name, int[] shape, Supplier<float[]> data) {
            this(name, shape, SafeTensorsDType.F32, data);
        }

        /** An item for data already in memory. */
        public static Item of(String name, float[] data, int... shape) {
            return new Item(name, shape, () -> data);
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    /**
     * Writes {@code tensors} as F32, in order, with {@code metadata} as {@code __metadata__} (omitted
     * when null or empty), replacing {@code file}.
     *
     * @throws SafeTensorsException on an invalid name, shape or data length, or an I/O failure
     */
    public static void write(Path file, List<Item> tensors, Map<String, String> metadata) {
        SafeTensorsHeader header = header(file, tensors, metadata);
        byte[] json = header.toJson();
        if (json.length > SafeTensorsHeader.MAX_HEADER_BYTES) {
            throw new SafeTensorsException(file + ": header of " + json.length + " bytes exceeds the limit of "
                    + SafeTensorsHeader.MAX_HEADER_BYTES + " bytes");
        }
        Path target = FileChecks.writeTarget(file); // a regular file (through a symlink) or a new path
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                ByteBuffer buf = ByteBuffer.allocate(Math.max(8 + json.length, CHUNK_FLOATS * 4))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.putLong(json.length).put(json).flip();
                writeFully(out, buf);
                for (int i = 0; i < tensors.size(); i++) {
                    writeData(file, out, buf, tensors.get(i), header.tensors().get(i));
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } catch (IOException e) {
            throw SafeTensorsReader.ioError(file, "cannot write", e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the write already failed
                }
            }
        }
    }

    /** The header for {@code tensors}: F32 entries laid out back to back in order. */
    private static SafeTensorsHeader header(Path file, List<Item> tensors, Map<String, String> metadata) {
        if (metadata != null) {
            metadata.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new SafeTensorsException(file + ": metadata keys and values must not be null ("
                            + k + "=" + v + ")");
                }
            });
        }
        List<TensorEntry> entries = new ArrayList<>(tensors.size());
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (Item item : tensors) {
            Objects.requireNonNull(item, "tensor item");
            String name = item.name();
            if (name == null || name.equals("__metadata__") || !names.add(name)) {
                throw new SafeTensorsException(file + ": invalid or duplicate tensor name '" + name + "'");
            }
            int[] shape = item.shape();
            long numel = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new SafeTensorsException(file + ": tensor '" + name + "' has negative dimension in shape "
                            + Arrays.toString(shape));
                }
                numel *= d;
                if (numel > Integer.MAX_VALUE) {
                    throw new SafeTensorsException(file + ": tensor '" + name + "' of shape " + Arrays.toString(shape)
                            + " has more than 2^31-1 elements");
                }
            }
            long end = offset + numel * (item.dtype().bits() / 8);
            entries.add(new TensorEntry(name, item.dtype(), shape, offset, end));
            offset = end;
        }
        return new SafeTensorsHeader(entries, metadata);
    }

    private static void writeData(Path file, FileChannel out, ByteBuffer buf, Item item, TensorEntry entry)
            throws IOException {
        Object raw = item.data().get();
        int length = raw == null ? -1 : java.lang.reflect.Array.getLength(raw);
        if (raw == null || length != entry.numel()) {
            throw new SafeTensorsException(file + ": tensor '" + item.name() + "' has "
                    + (raw == null ? "no data" : length + " values") + " but its shape "
                    + Arrays.toString(item.shape()) + " needs " + entry.numel());
        }
        if (!(raw instanceof float[] data)) {
            int width = item.dtype().bits() / 8;
            for (int done = 0; done < length; ) {
                int count = Math.min(length - done, CHUNK_FLOATS * 4 / width);
                buf.clear();
                item.dtype().encodeIntegral(raw, done, count, buf);
                buf.flip();
                writeFully(out, buf);
                done += count;
            }
            return;
        }
        for (int done = 0; done < data.length; ) {
            int count = Math.min(data.length - done, CHUNK_FLOATS);
            buf.clear();
            buf.asFloatBuffer().put(data, done, count);
            buf.limit(count * 4);
            writeFully(out, buf);
            done += count;
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }
}
