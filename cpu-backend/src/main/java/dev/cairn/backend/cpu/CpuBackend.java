package dev.cairn.backend.cpu;

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
import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.backend.Window;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The pure-Java CPU backend: storages are heap arrays, kernels are plain Java over them. Always available.
 * Float32 storages ({@link CpuStorage}) come from a pool and are pinned for each kernel that touches them,
 * so a tensor closed on another thread mid-kernel never hands its array to someone else; integer and bool
 * storages ({@link CpuTypedStorage}) are plain arrays that are never recycled.
 */
public final class CpuBackend implements Backend {
    private final List<DeviceInfo> devices = List.of(new DeviceInfo(Device.cpu(),
            CpuInfo.modelName() + " (" + CpuThreads.cores() + " threads)",
            Runtime.getRuntime().maxMemory(), GemmKernels.describe()));

    @Override
    public Device.Type type() {
        return Device.Type.CPU;
    }

    @Override
    public Availability availability() {
        return Availability.yes("pure Java, " + CpuThreads.cores() + " threads");
    }

    @Override
    public List<DeviceInfo> devices() {
        return devices;
    }

    // ---- memory ---------------------------------------------------------------------------

    @Override
    public Storage allocate(int index, int numel) {
        return new CpuStorage(CpuMemoryPool.take(numel));
    }

    @Override
    public Storage allocate(int index, DType dtype, int numel) {
        return dtype == DType.FLOAT32 ? allocate(index, numel) : CpuTypedStorage.allocate(dtype, numel);
    }

    @Override
    public Storage upload(int index, float[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        // a pooled array when there is one: a data loader's batches, closed each step, then reuse one array
        float[] data = CpuMemoryPool.take(length);
        System.arraycopy(src, offset, data, 0, length);
        return new CpuStorage(data);
    }

    @Override
    public Storage upload(int index, DType dtype, Object src, int offset, int length) {
        if (dtype == DType.FLOAT32) {
            return upload(index, (float[]) src, offset, length);
        }
        CpuTypedStorage s = CpuTypedStorage.allocate(dtype, length);
        System.arraycopy(src, offset, s.data, 0, length);
        return s;
    }

    @Override
    public void download(Storage src, int srcOffset, float[] dst, int dstOffset, int length) {
        download(src, srcOffset, (Object) dst, dstOffset, length);
    }

    @Override
    public void download(Storage src, int srcOffset, Object dst, int dstOffset, int length) {
        try (KernelPins p = KernelPins.of(null, src)) {
            Object from = src instanceof CpuStorage f ? f.data : ((CpuTypedStorage) src).data;
            System.arraycopy(from, srcOffset, dst, dstOffset, length);
        }
    }

    @Override
    public void fill(Storage dst, int offset, int length, float value) {
        try (KernelPins p = KernelPins.of(dst)) {
            if (dst instanceof CpuStorage d) {
                Arrays.fill(d.data, offset, offset + length, value);
            } else {
                TypedKernels.fill(dst, offset, length, value);
            }
        }
    }

    @Override
    public void random(RandomOp op, long seed, long counter, float a, float b, Storage dst, int offset, int length) {
        if (!(dst instanceof CpuStorage d)) {
            throw new IllegalArgumentException("random " + op + ": the destination is a " + dst.dtype() + " storage on "
                    + dst.device() + "; random numbers are float32 (convert the result with to(dtype))");
        }
        try (KernelPins p = KernelPins.of(dst)) {
            RandomKernels.random(op, seed, counter, a, b, d.data, offset, length);
        }
    }

    // ---- elementwise ----------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, float scalar, StridedView src, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, src.storage())) {
            if (dst instanceof CpuStorage d) {
                Elementwise.unary(op, scalar, src, d.data);
            } else {
                TypedKernels.unaryIntegral(op, scalar, src, dst);
            }
        }
    }

    @Override
    public void clamp(float min, float max, StridedView src, Storage dst) {
        if (!(dst instanceof CpuStorage d) || !(src.storage() instanceof CpuStorage) || !src.isContiguous()) {
            Backend.super.clamp(min, max, src, dst); // a strided source: two passes, the second in place
            return;
        }
        try (KernelPins p = KernelPins.of(dst, src.storage())) {
            Elementwise.clampContiguous(min, max, src, d.data);
        }
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, a.storage(), b.storage())) {
            if (dst instanceof CpuStorage d) {
                Elementwise.binary(op, a, b, d.data);
            } else {
                TypedKernels.binaryIntegral(op, a, b, dst);
            }
        }
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        try (KernelPins p = KernelPins.of(dst.storage(), src.storage())) {
            if (src.storage() instanceof CpuStorage && dst.storage() instanceof CpuStorage) {
                Elementwise.copy(src, dst);
            } else {
                TypedKernels.copy(src, dst);
            }
        }
    }

    @Override
    public void compare(CompareOp op, StridedView a, StridedView b, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, a.storage(), b.storage())) {
            TypedKernels.compare(op, a, b, dst);
        }
    }

    @Override
    public void where(StridedView cond, StridedView a, StridedView b, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, a.storage(), b.storage())) {
            TypedKernels.where(cond, a, b, dst);
        }
    }

    // ---- indexing -------------------------------------------------------------------------

    @Override
    public void indexSelect(StridedView src, int dim, StridedView index, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, src.storage())) {
            TypedKernels.indexSelect(src, dim, index, dst);
        }
    }

    @Override
    public void gather(StridedView src, int dim, StridedView index, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, src.storage())) {
            TypedKernels.gather(src, dim, index, dst);
        }
    }

    @Override
    public void scatterAdd(StridedView src, int dim, StridedView index, StridedView dst) {
        try (KernelPins p = KernelPins.of(dst.storage(), src.storage())) {
            TypedKernels.scatterAdd(src, dim, index, dst);
        }
    }

    // ---- sliding windows ------------------------------------------------------------------

    @Override
    public void unfold(StridedView src, Window window, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, src.storage())) {
            WindowKernels.unfold(src, window, ((CpuStorage) dst).data);
        }
    }

    @Override
    public void conv2d(StridedView src, Window window, int groups, StridedView weight, StridedView bias,
                       Storage dst) {
        Storage b = bias == null ? null : bias.storage();
        try (KernelPins p = KernelPins.of(dst, src.storage(), weight.storage(), b)) {
            DirectConv.conv2d(src, window, groups, ((CpuStorage) weight.storage()).data, weight.offset(),
                    weight.shape()[0], b == null ? null : ((CpuStorage) b).data, b == null ? 0 : bias.offset(),
                    ((CpuStorage) dst).data, 0);
        }
    }

    @Override
    public void fold(StridedView src, Window window, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, src.storage())) {
            WindowKernels.fold(src, window, ((CpuStorage) dst).data);
        }
    }

    @Override
    public void maxPool2d(StridedView src, Window window, Storage dst, Storage indices) {
        try (KernelPins p = KernelPins.of(dst, src.storage()); KernelPins q = KernelPins.of(indices)) {
            WindowKernels.maxPool2d(src, window, ((CpuStorage) dst).data, ((CpuStorage) indices).data);
        }
    }

    @Override
    public void maxPool2dBackward(StridedView grad, StridedView indices, Window window, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, grad.storage(), indices.storage())) {
            WindowKernels.maxPool2dBackward(grad, indices, window, ((CpuStorage) dst).data);
        }
    }

    // ---- reductions and GEMM --------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, StridedView src, int dim, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, src.storage())) {
            if (src.storage() instanceof CpuStorage && dst instanceof CpuStorage d) {
                Reductions.reduce(op, src, dim, d.data);
            } else if (src.storage() instanceof CpuStorage && dst instanceof CpuTypedStorage t && t.data instanceof long[] l) {
                Reductions.argReduce(op, src, dim, l);
            } else {
                TypedKernels.reduceIntegral(op, src, dim, dst);
            }
        }
    }

    @Override
    public void softmax(StridedView src, int dim, boolean log, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, src.storage())) {
            RowKernels.softmax(src, dim, log, ((CpuStorage) dst).data);
        }
    }

    @Override
    public void softmaxBackward(StridedView y, StridedView g, int dim, boolean log, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, y.storage(), g.storage())) {
            RowKernels.softmaxBackward(y, g, dim, log, ((CpuStorage) dst).data);
        }
    }

    @Override
    public void layerNorm(StridedView x, StridedView weight, StridedView bias, float eps, Storage dst, Storage mean,
                          Storage rstd) {
        try (KernelPins p = KernelPins.of(dst, x.storage(), weight == null ? null : weight.storage(),
                bias == null ? null : bias.storage(), mean, rstd)) {
            LayerNormKernels.forward(x, weight, bias, eps, ((CpuStorage) dst).data, ((CpuStorage) mean).data,
                    ((CpuStorage) rstd).data);
            alsoWritten(mean, rstd);
        }
    }

    @Override
    public void layerNormBackward(StridedView x, StridedView g, Storage mean, Storage rstd, StridedView weight,
                                  Storage dx, Storage dweight, Storage dbias) {
        try (KernelPins p = KernelPins.of(dx, x.storage(), g.storage(), mean, rstd, weight == null ? null : weight.storage(),
                dweight, dbias)) {
            LayerNormKernels.backward(x, g, ((CpuStorage) mean).data, ((CpuStorage) rstd).data, weight,
                    dx == null ? null : ((CpuStorage) dx).data, dweight == null ? null : ((CpuStorage) dweight).data,
                    dbias == null ? null : ((CpuStorage) dbias).data);
            alsoWritten(dweight, dbias);
        }
    }

    @Override
    public void attention(StridedView q, StridedView k, StridedView v, StridedView mask, float scale, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, q.storage(), k.storage(), v.storage(), mask == null ? null : mask.storage())) {
            AttentionKernels.forward(q, k, v, mask, scale, ((CpuStorage) dst).data);
        }
    }

    @Override
    public void batchNorm(StridedView x, StridedView weight, StridedView bias, StridedView runningMean,
                          StridedView runningVar, boolean training, float momentum, float eps, Storage dst,
                          Storage saveMean, Storage saveInvstd) {
        try (KernelPins p = KernelPins.of(dst, x.storage(), weight == null ? null : weight.storage(),
                bias == null ? null : bias.storage(), runningMean == null ? null : runningMean.storage(),
                runningVar == null ? null : runningVar.storage(), saveMean, saveInvstd)) {
            BatchNormKernels.forward(x, weight, bias, runningMean, runningVar, training, momentum, eps,
                    ((CpuStorage) dst).data, ((CpuStorage) saveMean).data, ((CpuStorage) saveInvstd).data);
            alsoWritten(saveMean, saveInvstd);
            if (training) { // the running statistics are updated in place
                alsoWritten(runningMean == null ? null : runningMean.storage(),
                        runningVar == null ? null : runningVar.storage());
            }
        }
    }

    @Override
    public void batchNormBackward(StridedView x, StridedView g, Storage mean, Storage invstd, StridedView weight,
                                  boolean training, Storage dx, Storage dweight, Storage dbias) {
        try (KernelPins p = KernelPins.of(dx, x.storage(), g.storage(), mean, invstd, weight == null ? null : weight.storage(),
                dweight, dbias)) {
            BatchNormKernels.backward(x, g, ((CpuStorage) mean).data, ((CpuStorage) invstd).data, weight, training,
                    dx == null ? null : ((CpuStorage) dx).data, dweight == null ? null : ((CpuStorage) dweight).data,
                    dbias == null ? null : ((CpuStorage) dbias).data);
            alsoWritten(dweight, dbias);
        }
    }

    /**
     * Counts a write to the outputs of a kernel beside its main one ({@link KernelPins} counts that one when it
     * closes): a transpose or packed copy cached from them must see that they changed. Null ones are skipped.
     */
    private static void alsoWritten(Storage a, Storage b) {
        if (a instanceof CpuStorage s) {
            s.touch();
        }
        if (b instanceof CpuStorage s) {
            s.touch();
        }
    }

    @Override
    public void cumsum(StridedView src, int dim, boolean reverse, Storage dst) {
        try (KernelPins p = KernelPins.of(dst, src.storage())) {
            if (dst instanceof CpuStorage d) {
                RowKernels.cumsum(src, dim, reverse, d.data);
            } else {
                RowKernels.cumsum(src, dim, reverse, (long[]) ((CpuTypedStorage) dst).data);
            }
        }
    }

    @Override
    public void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epilogue) {
        try (KernelPins p = KernelPins.of(c.storage(), a.storage(), b.storage(), epilogue.bias())) {
            GemmKernels.gemm(batch, m, n, k, a, b, c, epilogue);
        }
    }

    @Override
    public void synchronize(int index) {
        // CPU kernels complete before they return
    }
}
