package dev.cairn.samples.transfers;

import dev.cairn.backend.Availability;
import dev.cairn.backend.Backend;
import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.DeviceInfo;
import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.RandomOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.backend.Window;
import dev.cairn.backend.cpu.CpuBackend;
import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.DeviceException;
import java.util.ArrayList;
import java.util.List;

/**
 * A test backend that serves {@code cuda:0} with the CPU backend's kernels while counting every host
 * access: each upload, download and synchronisation is recorded ({@link HostAccess}) with the code that
 * asked for it. It exists to prove that a forward pass, a backward pass and an optimizer step on a device
 * make no host round trips of their own (a hidden {@code item()}, an index check that reads indices
 * back, a constant built on the host and uploaded), which the CPU backend cannot show because its memory
 * is the host's.
 *
 * <p>Its storages ({@link CountedStorage}) are opaque to everything but this backend, so no path can read
 * device memory on the host without a counted download; a CPU storage handed to one of its kernels is an
 * error, as it is for the CUDA backend. Kernels run synchronously on the calling thread, so errors that a
 * GPU raises asynchronously (an out-of-range index) surface at the kernel here. It serves the CUDA device
 * type only in the {@code transfer-counts} test run of this module, which names it (and the CPU backend)
 * with {@code -Dcairn.backends} (see the module's pom). Thread-safe: the record of accesses is synchronized.
 */
public final class CountingBackend implements Backend {
    /** The frames that belong to the machinery of a transfer, not to the code that asked for it. */
    private static final String[] INTERNAL = {"dev.cairn.tensor.", "dev.cairn.autograd.", "dev.cairn.backend.",
        CountingBackend.class.getName(), CountedStorage.class.getName()};

    private final CpuBackend cpu = new CpuBackend();
    private final List<HostAccess> accesses = new ArrayList<>();

    private static volatile CountingBackend current;

    /** Made by core's device discovery, once per process ({@code -Dcairn.backends} names this class). */
    public CountingBackend() {
        current = this;
    }

    /**
     * The instance that core made, which serves {@code cuda:0} in the transfer-counts run.
     *
     * @throws IllegalStateException when core has not made one (this is not that run, or no CUDA tensor exists yet)
     */
    public static CountingBackend current() {
        CountingBackend b = current;
        if (b == null) {
            throw new IllegalStateException("no CountingBackend: run with -Dcairn.backends naming it, and use cuda:0 first");
        }
        return b;
    }

    /** The accesses recorded since the last {@link #reset()}, in order. */
    public synchronized List<HostAccess> accesses() {
        return List.copyOf(accesses);
    }

    /** Forgets the accesses recorded so far. */
    public synchronized void reset() {
        accesses.clear();
    }

    private void record(HostAccess.Kind kind, DType dtype, int elements) {
        List<StackWalker.StackFrame> stack = StackWalker.getInstance().walk(s -> s
                .dropWhile(f -> f.getClassName().equals(CountingBackend.class.getName())).toList());
        String origin = stack.stream().filter(f -> !internal(f.getClassName())).findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName()).orElse("?");
        HostAccess a = new HostAccess(kind, dtype == null ? "-" : dtype.toString(), elements, origin, stack);
        synchronized (this) {
            accesses.add(a);
        }
    }

    private static boolean internal(String className) {
        for (String prefix : INTERNAL) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    // ---- device ---------------------------------------------------------------------------

    @Override
    public Device.Type type() {
        return Device.Type.CUDA;
    }

    @Override
    public Availability availability() {
        return Availability.yes("a test device that counts host transfers (CPU kernels behind opaque storages)");
    }

    @Override
    public List<DeviceInfo> devices() {
        return List.of(new DeviceInfo(Device.cuda(0), "counting test device", Runtime.getRuntime().maxMemory(),
                "CPU kernels, host accesses counted"));
    }

    @Override
    public void synchronize(int index) {
        record(HostAccess.Kind.SYNCHRONIZE, null, 0);
    }

    // ---- memory ---------------------------------------------------------------------------

    @Override
    public Storage allocate(int index, int numel) {
        return new CountedStorage(cpu.allocate(0, numel));
    }

    @Override
    public Storage allocate(int index, DType dtype, int numel) {
        return new CountedStorage(cpu.allocate(0, dtype, numel));
    }

    @Override
    public Storage upload(int index, float[] data, int offset, int length) {
        record(HostAccess.Kind.UPLOAD, DType.FLOAT32, length);
        return new CountedStorage(cpu.upload(0, data, offset, length));
    }

    @Override
    public Storage upload(int index, DType dtype, Object data, int offset, int length) {
        record(HostAccess.Kind.UPLOAD, dtype, length);
        return new CountedStorage(cpu.upload(0, dtype, data, offset, length));
    }

    @Override
    public void download(Storage src, int srcOffset, float[] dst, int dstOffset, int length) {
        record(HostAccess.Kind.DOWNLOAD, src.dtype(), length);
        cpu.download(open(src, "download source"), srcOffset, dst, dstOffset, length);
    }

    @Override
    public void download(Storage src, int srcOffset, Object dst, int dstOffset, int length) {
        record(HostAccess.Kind.DOWNLOAD, src.dtype(), length);
        cpu.download(open(src, "download source"), srcOffset, dst, dstOffset, length);
    }

    /** The CPU storage behind device memory; any other storage is an error naming its role. */
    private static Storage open(Storage s, String role) {
        if (s instanceof CountedStorage c) {
            return c.inner();
        }
        throw new DeviceException("the counting backend got " + (s == null ? "null" : "a " + s.device() + " storage ("
                + s + ")") + " as " + role + "; expected its own device memory");
    }

    private static StridedView open(StridedView v, String role) {
        return new StridedView(open(v.storage(), role), v.offset(), v.shape(), v.strides());
    }

    private static StridedView openOrNull(StridedView v, String role) {
        return v == null ? null : open(v, role);
    }

    private static GemmOperand open(GemmOperand g, String role) {
        return new GemmOperand(open(g.storage(), role), g.offset(), g.ld(), g.transposed(), g.batchStride());
    }

    // ---- kernels: the CPU's, over the storages behind the device memory ---------------------

    @Override
    public void fill(Storage dst, int offset, int length, float value) {
        cpu.fill(open(dst, "fill destination"), offset, length, value);
    }

    @Override
    public void random(RandomOp op, long seed, long counter, float a, float b, Storage dst, int offset, int length) {
        cpu.random(op, seed, counter, a, b, open(dst, "random destination"), offset, length);
    }

    @Override
    public void unary(UnaryOp op, float scalar, StridedView src, Storage dst) {
        cpu.unary(op, scalar, open(src, "unary source"), open(dst, "unary destination"));
    }

    @Override
    public void clamp(float min, float max, StridedView src, Storage dst) {
        cpu.clamp(min, max, open(src, "clamp source"), open(dst, "clamp destination"));
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, Storage dst) {
        cpu.binary(op, open(a, "binary operand a"), open(b, "binary operand b"), open(dst, "binary destination"));
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        cpu.copy(open(src, "copy source"), open(dst, "copy destination"));
    }

    @Override
    public void compare(CompareOp op, StridedView a, StridedView b, Storage dst) {
        cpu.compare(op, open(a, "compare operand a"), open(b, "compare operand b"), open(dst, "compare destination"));
    }

    @Override
    public void where(StridedView cond, StridedView a, StridedView b, Storage dst) {
        cpu.where(open(cond, "where condition"), open(a, "where operand a"), open(b, "where operand b"),
                open(dst, "where destination"));
    }

    @Override
    public void indexSelect(StridedView src, int dim, StridedView index, Storage dst) {
        cpu.indexSelect(open(src, "indexSelect source"), dim, open(index, "indexSelect index"),
                open(dst, "indexSelect destination"));
    }

    @Override
    public void gather(StridedView src, int dim, StridedView index, Storage dst) {
        cpu.gather(open(src, "gather source"), dim, open(index, "gather index"), open(dst, "gather destination"));
    }

    @Override
    public void scatterAdd(StridedView src, int dim, StridedView index, StridedView dst) {
        cpu.scatterAdd(open(src, "scatterAdd source"), dim, open(index, "scatterAdd index"),
                open(dst, "scatterAdd destination"));
    }

    @Override
    public void softmax(StridedView src, int dim, boolean log, Storage dst) {
        cpu.softmax(open(src, "softmax source"), dim, log, open(dst, "softmax destination"));
    }

    @Override
    public void softmaxBackward(StridedView y, StridedView g, int dim, boolean log, Storage dst) {
        cpu.softmaxBackward(open(y, "softmax output"), open(g, "softmax gradient"), dim, log,
                open(dst, "softmax backward destination"));
    }

    @Override
    public void layerNorm(StridedView x, StridedView weight, StridedView bias, float eps, Storage dst, Storage mean,
                          Storage rstd) {
        cpu.layerNorm(open(x, "layerNorm input"), openOrNull(weight, "layerNorm weight"),
                openOrNull(bias, "layerNorm bias"), eps, open(dst, "layerNorm destination"),
                open(mean, "layerNorm mean"), open(rstd, "layerNorm rstd"));
    }

    @Override
    public void layerNormBackward(StridedView x, StridedView g, Storage mean, Storage rstd, StridedView weight,
                                  Storage dx, Storage dweight, Storage dbias) {
        cpu.layerNormBackward(open(x, "layerNorm input"), open(g, "layerNorm gradient"), open(mean, "layerNorm mean"),
                open(rstd, "layerNorm rstd"), openOrNull(weight, "layerNorm weight"),
                dx == null ? null : open(dx, "layerNorm input gradient"),
                dweight == null ? null : open(dweight, "layerNorm weight gradient"),
                dbias == null ? null : open(dbias, "layerNorm bias gradient"));
    }

    @Override
    public void attention(StridedView q, StridedView k, StridedView v, StridedView mask, float scale, Storage dst) {
        cpu.attention(open(q, "attention query"), open(k, "attention key"), open(v, "attention value"),
                openOrNull(mask, "attention mask"), scale, open(dst, "attention destination"));
    }

    @Override
    public void batchNorm(StridedView x, StridedView weight, StridedView bias, StridedView runningMean,
                          StridedView runningVar, boolean training, float momentum, float eps, Storage dst,
                          Storage saveMean, Storage saveInvstd) {
        cpu.batchNorm(open(x, "batchNorm input"), openOrNull(weight, "batchNorm weight"),
                openOrNull(bias, "batchNorm bias"), openOrNull(runningMean, "batchNorm running_mean"),
                openOrNull(runningVar, "batchNorm running_var"), training, momentum, eps,
                open(dst, "batchNorm destination"), open(saveMean, "batchNorm mean"),
                open(saveInvstd, "batchNorm invstd"));
    }

    @Override
    public void batchNormBackward(StridedView x, StridedView g, Storage mean, Storage invstd, StridedView weight,
                                  boolean training, Storage dx, Storage dweight, Storage dbias) {
        cpu.batchNormBackward(open(x, "batchNorm input"), open(g, "batchNorm gradient"), open(mean, "batchNorm mean"),
                open(invstd, "batchNorm invstd"), openOrNull(weight, "batchNorm weight"), training,
                dx == null ? null : open(dx, "batchNorm input gradient"),
                dweight == null ? null : open(dweight, "batchNorm weight gradient"),
                dbias == null ? null : open(dbias, "batchNorm bias gradient"));
    }

    @Override
    public void cumsum(StridedView src, int dim, boolean reverse, Storage dst) {
        cpu.cumsum(open(src, "cumsum source"), dim, reverse, open(dst, "cumsum destination"));
    }

    @Override
    public void conv2d(StridedView src, Window window, int groups, StridedView weight, StridedView bias,
                       Storage dst) {
        cpu.conv2d(open(src, "conv2d source"), window, groups, open(weight, "conv2d weight"),
                openOrNull(bias, "conv2d bias"), open(dst, "conv2d destination"));
    }

    @Override
    public void unfold(StridedView src, Window window, Storage dst) {
        cpu.unfold(open(src, "unfold source"), window, open(dst, "unfold destination"));
    }

    @Override
    public void fold(StridedView src, Window window, Storage dst) {
        cpu.fold(open(src, "fold source"), window, open(dst, "fold destination"));
    }

    @Override
    public void maxPool2d(StridedView src, Window window, Storage dst, Storage indices) {
        cpu.maxPool2d(open(src, "maxPool2d source"), window, open(dst, "maxPool2d destination"),
                open(indices, "maxPool2d indices"));
    }

    @Override
    public void maxPool2dBackward(StridedView grad, StridedView indices, Window window, Storage dst) {
        cpu.maxPool2dBackward(open(grad, "maxPool2d gradient"), open(indices, "maxPool2d indices"), window,
                open(dst, "maxPool2d backward destination"));
    }

    @Override
    public void reduce(ReduceOp op, StridedView src, int dim, Storage dst) {
        cpu.reduce(op, open(src, "reduce source"), dim, open(dst, "reduce destination"));
    }

    @Override
    public void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epilogue) {
        Epilogue e = epilogue.bias() == null ? epilogue
                : new Epilogue(open(epilogue.bias(), "GEMM bias"), epilogue.biasOffset(), epilogue.relu());
        cpu.gemm(batch, m, n, k, open(a, "GEMM operand A"), open(b, "GEMM operand B"), open(c, "GEMM output"), e);
    }

    @Override
    public String toString() {
        return "CountingBackend[cuda:0 over the CPU kernels]";
    }
}
