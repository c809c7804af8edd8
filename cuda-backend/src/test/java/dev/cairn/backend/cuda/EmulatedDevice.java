package dev.cairn.backend.cuda;

import dev.cairn.backend.Storage;
import dev.cairn.DType;
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
 * buffers back. Storages are typed (float32, int64, int32, bool); fresh ones hold {@link #UNWRITTEN}, a
 * NaN no kernel produces (integers: 0xa5 bytes; bools: 0xa5, neither true nor false), so an element a
 * kernel fails to write is told apart from a computed value. Not thread-safe.
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

    /** Bits of a fresh int64 / int32 storage's elements and the byte of a fresh bool element (not 0 or 1). */
    static final long UNWRITTEN_LONG = 0xa5a5a5a5a5a5a5a5L;
    static final int UNWRITTEN_INT = 0xa5a5a5a5;
    static final byte UNWRITTEN_BOOL = (byte) 0xa5;

    /**
     * Memory of the emulated device: {@code array} is a float[], long[], int[] or byte[] (bool, one byte an
     * element) for FLOAT32, INT64, INT32, BOOL; {@code data} is the float[] of a FLOAT32 storage (else null).
     */
    final class HostStorage implements Storage {
        final DType dtype;
        final Object array;
        final float[] data;
        private boolean closed;

        HostStorage(DType dtype, Object array) {
            this.dtype = dtype;
            this.array = array;
            this.data = array instanceof float[] f ? f : null;
        }

        HostStorage(float[] data) {
            this(DType.FLOAT32, data);
        }

        @Override
        public DType dtype() {
            return dtype;
        }

        @Override
        public Device device() {
            return Device.cuda(0);
        }

        @Override
        public int size() {
            return java.lang.reflect.Array.getLength(array);
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }

        /**
         * The elements as the CPU backend's host array type (float[], long[], int[], boolean[]); a bool element
         * that is neither 0 nor 1 (never written) fails by index.
         */
        Object values() {
            if (array instanceof byte[] b) {
                boolean[] r = new boolean[b.length];
                for (int i = 0; i < b.length; i++) {
                    if (b[i] != 0 && b[i] != 1) {
                        throw new AssertionError("bool element " + i + " holds " + (b[i] & 0xff)
                                + (b[i] == UNWRITTEN_BOOL ? " (never written)" : ""));
                    }
                    r[i] = b[i] == 1;
                }
                return r;
            }
            return array;
        }

        EmulatedDevice owner() {
            return EmulatedDevice.this;
        }
    }

    /** A float32 storage of {@code n} elements, each {@link #UNWRITTEN}. */
    HostStorage allocate(int n) {
        return allocate(DType.FLOAT32, n);
    }

    /** A storage of {@code n} elements of {@code dtype}, each holding its UNWRITTEN pattern. */
    HostStorage allocate(DType dtype, int n) {
        Object a = switch (dtype) {
            case FLOAT32 -> {
                float[] x = new float[n];
                Arrays.fill(x, Float.intBitsToFloat(UNWRITTEN));
                yield x;
            }
            case INT64 -> {
                long[] x = new long[n];
                Arrays.fill(x, UNWRITTEN_LONG);
                yield x;
            }
            case INT32 -> {
                int[] x = new int[n];
                Arrays.fill(x, UNWRITTEN_INT);
                yield x;
            }
            case BOOL -> {
                byte[] x = new byte[n];
                Arrays.fill(x, UNWRITTEN_BOOL);
                yield x;
            }
        };
        return new HostStorage(dtype, a);
    }

    /** A storage holding a copy of {@code x}. */
    HostStorage upload(float[] x) {
        return new HostStorage(x.clone());
    }

    /** A storage holding a copy of the host array (float[], long[], int[], boolean[]) of {@code dtype}. */
    HostStorage upload(DType dtype, Object x) {
        if (x instanceof boolean[] b) {
            byte[] r = new byte[b.length];
            for (int i = 0; i < b.length; i++) {
                r[i] = b[i] ? (byte) 1 : 0;
            }
            return new HostStorage(dtype, r);
        }
        Object copy = java.lang.reflect.Array.newInstance(x.getClass().getComponentType(), java.lang.reflect.Array.getLength(x));
        System.arraycopy(x, 0, copy, 0, java.lang.reflect.Array.getLength(x));
        return new HostStorage(dtype, copy);
    }

    @Override
    public boolean hasKernel(String kernel) {
        return HostKernels.kernels().contains(kernel);
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
                        w.i(b.size());
                        o.write(tag(b.dtype));
                        o.write(bytes(b.array));
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
                        int type = d.read();
                        if (len != b.size() || type != tag(b.dtype)) {
                            throw new AssertionError("the host kernels returned a buffer of " + len + " '" + (char) type
                                    + "' elements for " + b.size() + " of " + b.dtype);
                        }
                        byte[] bytes = new byte[len * b.dtype.byteSize()];
                        d.readFully(bytes);
                        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                        switch (b.array) {
                            case float[] f -> bb.asFloatBuffer().get(f);
                            case long[] l -> bb.asLongBuffer().get(l);
                            case int[] in2 -> bb.asIntBuffer().get(in2);
                            case byte[] y -> bb.get(y);
                            default -> throw new IllegalStateException();
                        }
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

    /** The emulator's element type tag of a dtype (kernel_host.cpp). */
    private static int tag(DType t) {
        return switch (t) {
            case FLOAT32 -> 'f';
            case INT64 -> 'l';
            case INT32 -> 'i';
            case BOOL -> 'b';
        };
    }

    /** The elements of a host array, little-endian. */
    private static byte[] bytes(Object array) {
        return switch (array) {
            case float[] f -> {
                ByteBuffer bb = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(f);
                yield bb.array();
            }
            case long[] l -> {
                ByteBuffer bb = ByteBuffer.allocate(l.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                bb.asLongBuffer().put(l);
                yield bb.array();
            }
            case int[] i -> {
                ByteBuffer bb = ByteBuffer.allocate(i.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asIntBuffer().put(i);
                yield bb.array();
            }
            case byte[] b -> b;
            default -> throw new IllegalStateException("host array " + array.getClass());
        };
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


    }
}
