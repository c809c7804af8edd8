package dev.cairn.backend.cpu;

import dev.cairn.backend.Availability;
import dev.cairn.backend.Backend;
import dev.cairn.backend.BinaryOp;
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
        ((CpuStorage) dst).touch();
        Arrays.fill(data(dst), offset, offset + length, value);
        ((CpuStorage) dst).touch();
    }

    @Override
    public void unary(UnaryOp op, float scalar, StridedView src, Storage dst) {
        ((CpuStorage) dst).touch();
        Elementwise.unary(op, scalar, src, data(dst));
        ((CpuStorage) dst).touch();
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, Storage dst) {
        ((CpuStorage) dst).touch();
        Elementwise.binary(op, a, b, data(dst));
        ((CpuStorage) dst).touch();
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        ((CpuStorage) dst.storage()).touch();
        Elementwise.copy(src, dst);
        ((CpuStorage) dst.storage()).touch();
    }

    @Override
    public void reduce(ReduceOp op, StridedView src, int dim, Storage dst) {
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
