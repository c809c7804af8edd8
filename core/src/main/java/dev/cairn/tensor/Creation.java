package dev.cairn.tensor;

import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.autograd.GradMode;
import dev.cairn.backend.Backend;
import dev.cairn.tensor.Devices;
import dev.cairn.backend.Storage;
import java.lang.ref.Reference;

/** Making tensors from host data, reading them back, and moving them between devices. */
final class Creation {
    private Creation() {
    }

    /** A tensor holding a copy of {@code data} in the given shape on {@code device}. */
    static Tensor fromArray(Device device, float[] data, int... shape) {
        int[] s = shape.clone();
        int n = Shapes.numel(s);
        if (n != data.length) {
            throw new ShapeException("data of length " + data.length + " does not fit shape " + Shapes.format(s)
                    + " (" + n + " elements)");
        }
        Backend b = Devices.backend(device);
        Storage storage = b.upload(device.index(), data, 0, n);
        return new Tensor(new TensorBody(b, device, new SharedStorage(storage), 0, s, Shapes.contiguousStrides(s)));
    }

    /** A tensor of {@code dtype} holding a copy of the host array {@code data} (float[], long[], int[] or boolean[]). */
    static Tensor fromArray(Device device, DType dtype, Object data, int... shape) {
        int[] s = shape.clone();
        int n = Shapes.numel(s);
        int length = java.lang.reflect.Array.getLength(data);
        if (n != length) {
            throw new ShapeException("data of length " + length + " does not fit shape " + Shapes.format(s)
                    + " (" + n + " elements)");
        }
        Backend b = Devices.backend(device);
        Storage storage = b.upload(device.index(), dtype, data, 0, n);
        return new Tensor(new TensorBody(b, device, new SharedStorage(storage), 0, s, Shapes.contiguousStrides(s)));
    }

    /** A tensor of {@code dtype} filled with {@code value} (converted as {@code to(dtype)} converts). */
    static Tensor full(Device device, DType dtype, float value, int... shape) {
        if (dtype == DType.FLOAT32) {
            return full(device, value, shape);
        }
        TensorBody b = TensorBody.dense(Devices.backend(device), device, dtype, shape.clone());
        Kernels.fill(b, value);
        return new Tensor(b);
    }

    /** {@code t} converted to {@code dtype} (itself when it already is): differentiable between float types only. */
    static Tensor toDType(Tensor t, DType dtype) {
        TensorBody b = t.body();
        if (b.dtype == dtype) {
            return t;
        }
        TensorBody ob = b.newDenseLike(dtype);
        Kernels.copy(b, ob);
        return new Tensor(ob); // to or from an integer type: no gradient, as in PyTorch
    }

    /** The elements as a host array of {@code dtype}'s Java type, converting first where needed. */
    static Object toHostArray(Tensor t, DType dtype) {
        TensorBody b = t.body();
        Object out = switch (dtype) {
            case FLOAT32 -> new float[b.numel];
            case INT64 -> new long[b.numel];
            case INT32 -> new int[b.numel];
            case BOOL -> new boolean[b.numel];
        };
        if (b.numel == 0) {
            return out;
        }
        try (var g = GradMode.noGrad()) {
            Tensor c = b.dtype != dtype ? toDType(t, dtype) : b.contiguous ? t : t.copy();
            try {
                TensorBody cb = c.body();
                cb.backend.download(cb.storage(), cb.offset, out, 0, b.numel);
                Reference.reachabilityFence(cb);
            } finally {
                if (c != t) {
                    c.close();
                }
            }
        }
        return out;
    }

    static Tensor full(Device device, float value, int... shape) {
        TensorBody b = TensorBody.dense(Devices.backend(device), device, shape.clone());
        Kernels.fill(b, value);
        return new Tensor(b);
    }

    static float item(Tensor t) {
        TensorBody b = t.body();
        if (b.numel != 1) {
            throw new ShapeException("item(): only a tensor with one element can be converted to a number, got shape "
                    + Shapes.format(b.shape));
        }
        if (b.dtype != DType.FLOAT32) {
            return ((float[]) toHostArray(t, DType.FLOAT32))[0];
        }
        float[] out = new float[1];
        b.backend.download(b.storage(), b.offset, out, 0, 1);
        Reference.reachabilityFence(b);
        return out[0];
    }

    static float[] toFloatArray(Tensor t) {
        TensorBody b = t.body();
        if (b.dtype != DType.FLOAT32) {
            return (float[]) toHostArray(t, DType.FLOAT32);
        }
        float[] out = new float[b.numel];
        if (b.numel == 0) {
            return out;
        }
        if (b.contiguous) {
            b.backend.download(b.storage(), b.offset, out, 0, b.numel);
            Reference.reachabilityFence(b);
        } else {
            try (var g = GradMode.noGrad(); Tensor c = t.copy()) {
                TensorBody cb = c.body();
                cb.backend.download(cb.storage(), 0, out, 0, b.numel);
                Reference.reachabilityFence(cb);
            }
        }
        return out;
    }

    static Tensor to(Tensor t, Device target) {
        TensorBody b = t.body();
        if (target.equals(b.device)) {
            return t;
        }
        Backend tb = Devices.backend(target);
        Object host = toHostArray(t, b.dtype);
        Storage s = tb.upload(target.index(), b.dtype, host, 0, b.numel);
        Tensor out = new Tensor(new TensorBody(tb, target, new SharedStorage(s), 0, b.shape.clone(),
                Shapes.contiguousStrides(b.shape)));
        Device from = b.device;
        return Graph.record(out, "ToCopyBackward", g -> new Tensor[] {g.to(from)}, t);
    }
}
