package dev.cairn.backend.cuda;

import dev.cairn.backend.Storage;
import dev.cairn.Device;
import dev.cairn.DeviceException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link KernelLauncher} whose "device memory" is Java arrays and whose launches run the CUDA
 * kernels compiled for the host ({@link HostKernels}): launches queue up like work on a stream, and
 * {@link #sync()} runs the whole queue in one {@code cairn-kernel-host} process and copies the
 * buffers back. Fresh storages hold {@link #UNWRITTEN}, a NaN no kernel produces, so an element a
 * kernel fails to write is told apart from a computed NaN. Not thread-safe.
 */
final class EmulatedDevice implements KernelLauncher {
    /** Bits of a fresh storage's elements: a signalling NaN (arithmetic on it gives a quiet NaN). */
    static final int UNWRITTEN = 0x7fa5a5a5;

    private final int smCount;
    private final int gridYZLimit;
    private final List<Launch> queue = new ArrayList<>();
    /** Every launch run so far, for tests that check which kernel a path chose. */
    final List<Launch> history = new ArrayList<>();

    record Launch(String kernel, int gx, int gy, int gz, int block, List<Object> args) {
    }

    /**
     * @param smCount     what {@link #smCount()} reports (1 makes grid-stride loops and the 128-tile GEMM run)
     * @param gridYZLimit the gridDim.y/z limit the launches see (small values make the chunk loops run)
     */
    EmulatedDevice(int smCount, int gridYZLimit) {
        this.smCount = smCount;
        this.gridYZLimit = gridYZLimit;
    }

    /** Float memory of the emulated device. */
    final class HostStorage implements Storage {
        final float[] data;
        private boolean closed;

        HostStorage(float[] data) {
            this.data = data;
        }

        @Override
        public Device device() {
            return Device.cuda(0);
        }

        @Override
        public int size() {
            return data.length;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }

        EmulatedDevice owner() {
            return EmulatedDevice.this;
        }
    }

    /** A storage of {@code n} elements, each {@link #UNWRITTEN}. */
    HostStorage allocate(int n) {
        float[] x = new float[n];
        Arrays.fill(x, Float.intBitsToFloat(UNWRITTEN));
        return new HostStorage(x);
    }

    /** A storage holding a copy of {@code x}. */
    HostStorage upload(float[] x) {
        return new HostStorage(x.clone());
    }

    @Override
    public int smCount() {
        return smCount;
    }

    @Override
    public int gridYZLimit() {
        return gridYZLimit;
    }

    @Override
    public Object pointer(Storage storage, String role) {
        if (storage instanceof HostStorage h && h.owner() == this) {
            if (h.isClosed()) {
                throw new DeviceException("use of a closed storage as " + role);
            }
            return h;
        }
        throw new DeviceException("the emulated device got " + storage + " as " + role);
    }

    @Override
    public void launch(String kernel, int gx, int gy, int gz, int block, KernelArgs args) {
        queue.add(new Launch(kernel, gx, gy, gz, block, List.copyOf(args.values())));
    }

    /** Runs every queued launch in order; throws {@link AssertionError} with the emulator's message when one fails. */
    void sync() {
        if (queue.isEmpty()) {
            return;
        }
        Path exe = HostKernels.executable();
        Map<HostStorage, Integer> ids = new IdentityHashMap<>();
        List<HostStorage> buffers = new ArrayList<>();
        for (Launch l : queue) {
            for (Object v : l.args()) {
                if (v instanceof KernelArgs.DevicePointer(Object h) && ids.putIfAbsent((HostStorage) h, buffers.size()) == null) {
                    buffers.add((HostStorage) h);
                }
            }
        }
        try {
            Path dir = Files.createTempDirectory("cairn-kernel-host");
            Path in = dir.resolve("in.bin");
            Path out = dir.resolve("out.bin");
            Path err = dir.resolve("stderr.txt");
            try {
                try (DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(in), 1 << 16))) {
                    LittleEndian w = new LittleEndian(o);
                    w.i(0x31484b43);
                    w.i(buffers.size());
                    for (HostStorage b : buffers) {
                        w.i(b.data.length);
                        w.floats(b.data);
                    }
                    w.i(queue.size());
                    for (Launch l : queue) {
                        byte[] name = l.kernel().getBytes(StandardCharsets.UTF_8);
                        w.i(name.length);
                        o.write(name);
                        for (int v : new int[] {l.gx(), l.gy(), l.gz(), l.block(), 1, 1, l.args().size()}) {
                            w.i(v);
                        }
                        for (Object v : l.args()) {
                            switch (v) {
                                case Integer x -> { o.write('i'); w.i(x); }
                                case Long x -> { o.write('l'); w.l(x); }
                                case Float x -> { o.write('f'); w.i(Float.floatToRawIntBits(x)); }
                                case KernelArgs.DevicePointer(Object h) -> { o.write('p'); w.i(ids.get((HostStorage) h)); }
                                case int[] x -> {
                                    o.write('s');
                                    w.i(x.length);
                                    for (int e : x) {
                                        w.i(e);
                                    }
                                }
                                default -> throw new IllegalStateException("argument " + v);
                            }
                        }
                    }
                }
                Process p = new ProcessBuilder(exe.toString(), in.toString(), out.toString())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError("the host kernels ran over 5 minutes on " + describe());
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("the host kernels failed (exit " + p.exitValue() + "): "
                            + Files.readString(err).strip() + "\nqueue: " + describe());
                }
                try (InputStream is = new java.io.BufferedInputStream(Files.newInputStream(out), 1 << 16)) {
                    DataInputStream d = new DataInputStream(is);
                    byte[] four = new byte[4];
                    d.readFully(four);
                    int n = ByteBuffer.wrap(four).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    if (n != buffers.size()) {
                        throw new AssertionError("the host kernels returned " + n + " buffers, not " + buffers.size());
                    }
                    for (HostStorage b : buffers) {
                        d.readFully(four);
                        int len = ByteBuffer.wrap(four).order(ByteOrder.LITTLE_ENDIAN).getInt();
                        byte[] bytes = new byte[len * 4];
                        d.readFully(bytes);
                        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(b.data);
                    }
                }
            } finally {
                for (Path f : new Path[] {in, out, err}) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            history.addAll(queue);
            queue.clear();
        }
    }

    private String describe() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < queue.size() && i < 20; i++) {
            Launch l = queue.get(i);
            s.append("\n  #").append(i).append(' ').append(l.kernel()).append(" grid ").append(l.gx()).append('x')
                    .append(l.gy()).append('x').append(l.gz()).append(" block ").append(l.block());
        }
        if (queue.size() > 20) {
            s.append("\n  ... ").append(queue.size() - 20).append(" more");
        }
        return s.toString();
    }

    /** Little-endian writes (DataOutputStream is big-endian). */
    private record LittleEndian(OutputStream o) {
        void i(int v) throws IOException {
            o.write(v);
            o.write(v >>> 8);
            o.write(v >>> 16);
            o.write(v >>> 24);
        }

        void l(long v) throws IOException {
            i((int) v);
            i((int) (v >>> 32));
        }

        void floats(float[] x) throws IOException {
            ByteBuffer bb = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(x);
            o.write(bb.array());
        }
    }
}
