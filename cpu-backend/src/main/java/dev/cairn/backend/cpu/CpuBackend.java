package dev.cairn.backend.cpu;

import dev.cairn.backend.Availability;
import dev.cairn.backend.Backend;
import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.tensor.DType;
import dev.cairn.backend.DeviceInfo;
import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.tensor.Device;
import java.util.Arrays;
import java.util.List;

/** The pure-Java CPU backend: storages are heap arrays, kernels are plain Java over them. Always available. */
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

    /** Whether {@code s} holds float32 (the hot kernels' storages) rather than integers or bools. */
    private static boolean isFloat(Storage s) {
        return s instanceof CpuStorage;
    }

    @Override
    public Storage allocate(int index, DType dtype, int numel) {
        return dtype == DType.FLOAT32 ? allocate(index, numel) : CpuTypedStorage.allocate(dtype, numel);
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
    public void download(Storage src, int srcOffset, Object dst, int dstOffset, int length) {
        Object from = isFloat(src) ? data(src) : ((CpuTypedStorage) src).data;
        System.arraycopy(from, srcOffset, dst, dstOffset, length);
    }

    @Override
    public void compare(CompareOp op, StridedView a, StridedView b, Storage dst) {
        TypedKernels.compare(op, a, b, dst);
    }

    @Override
    public void where(StridedView cond, StridedView a, StridedView b, Storage dst) {
        TypedKernels.where(cond, a, b, dst);
        touchIfFloat(dst);
    }

    @Override
    public void indexSelect(StridedView src, int dim, StridedView index, Storage dst) {
        TypedKernels.indexSelect(src, dim, index, dst);
        touchIfFloat(dst);
    }

    @Override
    public void gather(StridedView src, int dim, StridedView index, Storage dst) {
        TypedKernels.gather(src, dim, index, dst);
        touchIfFloat(dst);
    }

    @Override
    public void scatterAdd(StridedView src, int dim, StridedView index, StridedView dst) {
        touchIfFloat(dst.storage());
        TypedKernels.scatterAdd(src, dim, index, dst);
        touchIfFloat(dst.storage());
    }

    /** Float storages count writes so cached transposes (GEMM weights) are rebuilt after them. */
    private static void touchIfFloat(Storage s) {
        if (s instanceof CpuStorage c) {
            c.touch();
        }
    }

    private static float[] data(Storage s) {
        return ((CpuStorage) s).data;
    }

    @Override
    public Storage allocate(int index, int numel) {
        return new CpuStorage(CpuMemoryPool.take(numel));
    }

    @Override
    public Storage upload(int index, float[] src, int offset, int length) {
        return new CpuStorage(Arrays.copyOfRange(src, offset, offset + length));
    }

    @Override
    public void download(Storage src, int srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(data(src), srcOffset, dst, dstOffset, length);
    }

    @Override
    public void fill(Storage dst, int offset, int length, float value) {
        if (!isFloat(dst)) {
            TypedKernels.fill(dst, offset, length, value);
            return;
        }
        ((CpuStorage) dst).touch();
        Arrays.fill(data(dst), offset, offset + length, value);
        ((CpuStorage) dst).touch();
    }

    @Override
    public void unary(UnaryOp op, float scalar, StridedView src, Storage dst) {
        if (!isFloat(dst)) {
            TypedKernels.unaryIntegral(op, scalar, src, dst);
            return;
        }
        ((CpuStorage) dst).touch();
        Elementwise.unary(op, scalar, src, data(dst));
        ((CpuStorage) dst).touch();
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, Storage dst) {
        if (!isFloat(dst)) {
            TypedKernels.binaryIntegral(op, a, b, dst);
            return;
        }
        ((CpuStorage) dst).touch();
        Elementwise.binary(op, a, b, data(dst));
        ((CpuStorage) dst).touch();
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        if (!isFloat(src.storage()) || !isFloat(dst.storage())) {
            touchIfFloat(dst.storage());
            TypedKernels.copy(src, dst);
            touchIfFloat(dst.storage());
            return;
        }
        ((CpuStorage) dst.storage()).touch();
        Elementwise.copy(src, dst);
        ((CpuStorage) dst.storage()).touch();
    }

    @Override
    public void reduce(ReduceOp op, StridedView src, int dim, Storage dst) {
        if (!isFloat(src.storage())) {
            TypedKernels.reduceIntegral(op, src, dim, dst);
            return;
        }
        ((CpuStorage) dst).touch();
        Reductions.reduce(op, src, dim, data(dst));
        ((CpuStorage) dst).touch();
    }

    @Override
    public void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epilogue) {
        ((CpuStorage) c.storage()).touch();
        GemmKernels.gemm(batch, m, n, k, a, b, c, epilogue);
        ((CpuStorage) c.storage()).touch();
    }

    @Override
    public void synchronize(int index) {
        // CPU kernels complete before they return
    }
}
