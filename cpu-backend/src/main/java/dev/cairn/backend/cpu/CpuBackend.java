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
        CpuStorage s = pinned(src);
        try {
            System.arraycopy(s.data, srcOffset, dst, dstOffset, length);
        } finally {
            s.unpin();
        }
    }

    @Override
    public void fill(Storage dst, int offset, int length, float value) {
        CpuStorage d = pinned(dst);
        try {
            d.touch();
            Arrays.fill(d.data, offset, offset + length, value);
            d.touch();
        } finally {
            d.unpin();
        }
    }

    @Override
    public void unary(UnaryOp op, float scalar, StridedView src, Storage dst) {
        CpuStorage s = pinned(src.storage());
        try {
            CpuStorage d = pinned(dst);
            try {
                d.touch();
                Elementwise.unary(op, scalar, src, d.data);
                d.touch();
            } finally {
                d.unpin();
            }
        } finally {
            s.unpin();
        }
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, Storage dst) {
        CpuStorage sa = pinned(a.storage());
        try {
            CpuStorage sb = pinned(b.storage());
            try {
                CpuStorage d = pinned(dst);
                try {
                    d.touch();
                    Elementwise.binary(op, a, b, d.data);
                    d.touch();
                } finally {
                    d.unpin();
                }
            } finally {
                sb.unpin();
            }
        } finally {
            sa.unpin();
        }
    }

    @Override
    public void reduce(ReduceOp op, StridedView src, int dim, Storage dst) {
        CpuStorage s = pinned(src.storage());
        try {
            CpuStorage d = pinned(dst);
            try {
                d.touch();
                Reductions.reduce(op, src, dim, d.data);
                d.touch();
            } finally {
                d.unpin();
            }
        } finally {
            s.unpin();
        }
    }

    @Override
    public void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epilogue) {
        CpuStorage sa = pinned(a.storage());
        try {
            CpuStorage sb = pinned(b.storage());
            try {
                CpuStorage bias = epilogue.bias() == null ? null : pinned(epilogue.bias());
                try {
                    CpuStorage sc = pinned(c.storage());
                    try {
                        sc.touch();
                        GemmKernels.gemm(batch, m, n, k, a, b, c, epilogue);
                        sc.touch();
                    } finally {
                        sc.unpin();
                    }
                } finally {
                    if (bias != null) {
                        bias.unpin();
                    }
                }
            } finally {
                sb.unpin();
            }
        } finally {
            sa.unpin();
        }
    }

    /**
     * {@code s}, pinned for one kernel: a tensor closed on another thread while the kernel runs keeps its
     * array out of the pool until the kernel is done (see {@link CpuStorage}).
     */
    private static CpuStorage pinned(Storage s) {
        CpuStorage c = (CpuStorage) s;
        c.pin();
        return c;
    }

    @Override
    public void synchronize(int index) {
        // CPU kernels complete before they return
    }
}
