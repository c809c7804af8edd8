package dev.cairn.testing;

import dev.cairn.backend.Availability;
import dev.cairn.backend.Backend;
import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.DeviceInfo;
import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.Philox;
import dev.cairn.backend.RandomOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.Device;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend for core's own tests: "device memory" that must be freed explicitly (like CUDA's), with
 * counters of live storages, and straightforward reference kernels. It lets core test the memory
 * life cycle (scopes, views, the cleaner) and device rules without a GPU or the real backends.
 */
public abstract class FakeBackend implements Backend {
    private final Device.Type type;
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();
    /** Live storages by allocation number, so a test can count only what it allocated itself. */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, FakeStorage> liveBySerial =
            new java.util.concurrent.ConcurrentSkipListMap<>();

    protected FakeBackend(Device.Type type) {
        this.type = type;
    }

    /** Storages allocated and not yet closed. */
    public long liveStorages() {
        return live.get();
    }

    /** Storages allocated since start. */
    public long allocations() {
        return allocations.get();
    }

    /**
     * A mark for {@link #liveSince}: storages allocated after this call are counted, earlier ones not, so
     * the Cleaner freeing an earlier test's garbage in the meantime does not change the count.
     */
    public long mark() {
        return allocations.get();
    }

    /** Storages allocated after {@code mark} and not yet closed. */
    public long liveSince(long mark) {
        return liveBySerial.tailMap(mark, false).size();
    }

    /** Fake device memory: a heap array that counts as live until closed. */
    final class FakeStorage implements Storage {
        final float[] data;
        private boolean closed;

        private final long serial;

        FakeStorage(float[] data) {
            this.data = data;
            live.incrementAndGet();
            serial = allocations.incrementAndGet();
            liveBySerial.put(serial, this);
        }

        @Override
        public Device device() {
            return type == Device.Type.CPU ? Device.cpu() : Device.cuda(0);
        }

        @Override
        public int size() {
            return data.length;
        }

        @Override
        public synchronized boolean isClosed() {
            return closed;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                live.decrementAndGet();
                liveBySerial.remove(serial);
            }
        }
    }

    private static float[] data(Storage s) {
        FakeStorage f = (FakeStorage) s;
        if (f.isClosed()) {
            throw new IllegalStateException("use of freed fake device memory");
        }
        return f.data;
    }

    @Override
    public Device.Type type() {
        return type;
    }

    @Override
    public Availability availability() {
        return Availability.yes("fake " + type.id() + " device for tests");
    }

    @Override
    public List<DeviceInfo> devices() {
        Device d = type == Device.Type.CPU ? Device.cpu() : Device.cuda(0);
        return List.of(new DeviceInfo(d, "fake " + type.id(), 1L << 30, ""));
    }

    @Override
    public Storage allocate(int index, int numel) {
        return new FakeStorage(new float[numel]);
    }

    @Override
    public Storage upload(int index, float[] src, int offset, int length) {
        return new FakeStorage(Arrays.copyOfRange(src, offset, offset + length));
    }

    @Override
    public void download(Storage src, int srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(data(src), srcOffset, dst, dstOffset, length);
    }

    @Override
    public void fill(Storage dst, int offset, int length, float value) {
        Arrays.fill(data(dst), offset, offset + length, value);
    }

    /** The stream of {@link Philox} through {@link RandomOp}, one block at a time. */
    @Override
    public void random(RandomOp op, long seed, long counter, float a, float b, Storage dst, int offset, int length) {
        float[] out = data(dst);
        int[] words = new int[4];
        float[] values = new float[4];
        for (int i = 0; i < length; i += 4) {
            Philox.block(seed, counter + i / 4, words);
            op.apply(words, a, b, values);
            System.arraycopy(values, 0, out, offset + i, Math.min(4, length - i));
        }
    }

    /** The element offset of row-major index {@code linear} of a view. */
    private static int offsetOf(StridedView v, int linear) {
        int off = v.offset();
        int[] shape = v.shape();
        for (int d = shape.length - 1; d >= 0; d--) {
            off += (linear % shape[d]) * v.strides()[d];
            linear /= shape[d];
        }
        return off;
    }

    @Override
    public void unary(UnaryOp op, float scalar, StridedView src, Storage dst) {
        float[] a = data(src.storage());
        float[] out = data(dst);
        for (int i = 0; i < src.numel(); i++) {
            out[i] = op.apply(a[offsetOf(src, i)], scalar);
        }
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        float[] a = data(src.storage());
        float[] out = data(dst.storage());
        for (int i = 0; i < src.numel(); i++) {
            out[offsetOf(dst, i)] = a[offsetOf(src, i)];
        }
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, Storage dst) {
        float[] x = data(a.storage());
        float[] y = data(b.storage());
        float[] out = data(dst);
        for (int i = 0; i < a.numel(); i++) {
            out[i] = op.apply(x[offsetOf(a, i)], y[offsetOf(b, i)]);
        }
    }

    @Override
    public void reduce(ReduceOp op, StridedView src, int dim, Storage dst) {
        float[] a = data(src.storage());
        float[] out = data(dst);
        int[] shape = src.shape();
        int len = shape[dim];
        int outer = src.numel() / Math.max(len, 1);
        int inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        for (int o = 0; o < outer; o++) {
            int base = (o / inner) * len * inner + o % inner;
            double sum = 0;
            double product = 1;
            float best = Float.NaN;
            int at = 0;
            for (int i = 0; i < len; i++) {
                float v = a[offsetOf(src, base + i * inner)];
                sum += v;
                product *= v;
                boolean better = i == 0 || Float.isNaN(v) && !Float.isNaN(best)
                        || (!Float.isNaN(best) && (op == ReduceOp.MAX || op == ReduceOp.ARGMAX ? v > best : v < best));
                if (better) {
                    best = v;
                    at = i;
                }
            }
            out[o] = switch (op) {
                case SUM -> (float) sum;
                case PROD -> (float) product;
                case MAX, MIN -> best;
                case ARGMAX, ARGMIN -> at;
            };
        }
    }

    @Override
    public void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epi) {
        float[] x = data(a.storage());
        float[] y = data(b.storage());
        float[] out = data(c.storage());
        float[] bias = epi.bias() == null ? null : data(epi.bias());
        for (int bi = 0; bi < batch; bi++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0;
                    for (int p = 0; p < k; p++) {
                        float av = x[a.offset() + bi * a.batchStride() + (a.transposed() ? p * a.ld() + i : i * a.ld() + p)];
                        float bv = y[b.offset() + bi * b.batchStride() + (b.transposed() ? j * b.ld() + p : p * b.ld() + j)];
                        s += av * bv;
                    }
                    if (bias != null) {
                        s += bias[epi.biasOffset() + j];
                    }
                    if (epi.relu() && s < 0f) {
                        s = 0f;
                    }
                    out[c.offset() + bi * c.batchStride() + i * c.ld() + j] = s;
                }
            }
        }
    }

    @Override
    public void synchronize(int index) {
        // kernels run synchronously
    }
}
