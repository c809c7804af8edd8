package dev.cairn.backend;

import dev.cairn.tensor.Device;
import java.util.List;

/**
 * The service a device backend provides, found by {@link java.util.ServiceLoader}: memory and a small
 * set of kernels. All shape checking, broadcasting, dtype rules and autograd happen in core before a
 * kernel is called, so kernels may assume valid, in-range arguments. Output storages given to kernels
 * are dense (row-major) and never alias an input.
 */
public interface Backend {
    /** Which device type this backend serves. */
    Device.Type type();

    /** Whether the backend can run on this machine, and if not, why (checked once, cheaply). */
    Availability availability();

    /** The devices this backend can use here (empty when unavailable). */
    List<DeviceInfo> devices();

    /** Uninitialised storage for {@code numel} elements on device {@code index}. */
    Storage allocate(int index, int numel);

    /** A new storage on device {@code index} holding a copy of {@code data}. */
    Storage upload(int index, float[] data, int offset, int length);

    /** Copies {@code length} elements from {@code src} at {@code srcOffset} into the host array. */
    void download(Storage src, int srcOffset, float[] dst, int dstOffset, int length);

    /** Sets every element of {@code dst[offset, offset+length)} to {@code value}. */
    void fill(Storage dst, int offset, int length, float value);

    /** {@code dst[i] = op(src[i], scalar)} for each index of {@code src.shape()}; {@code dst} dense from 0. */
    void unary(UnaryOp op, float scalar, StridedView src, Storage dst);

    /** {@code dst[i] = op(a[i], b[i])}; {@code a} and {@code b} are already broadcast to one shape. */
    void binary(BinaryOp op, StridedView a, StridedView b, Storage dst);

    /**
     * {@code dst[i] = src[i]} for each index of {@code dst.shape()}: a strided copy between two views of
     * one shape (the destination may be any non-overlapping view, such as a slice of a larger tensor).
     */
    void copy(StridedView src, StridedView dst);

    /** Reduces {@code src} along {@code dim}; {@code dst} is dense with {@code src.shape()} minus that dimension. */
    void reduce(ReduceOp op, StridedView src, int dim, Storage dst);

    /**
     * Batched row-major {@code C[b] = A[b] @ B[b]} with {@code A[b]} of logical shape {@code [m, k]},
     * {@code B[b]} of {@code [k, n]}, and {@code C} dense {@code [batch, m, n]} starting at
     * {@code c.offset()} with row stride {@code c.ld()} and batch stride {@code c.batchStride()};
     * then the epilogue.
     */
    void gemm(int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, Epilogue epilogue);

    /**
     * Bytes of device memory that live tensors hold on device {@code index} (not counting memory a cache
     * keeps for reuse), or -1 when the backend does not track it (the CPU's memory is the Java heap).
     */
    default long memoryInUseBytes(int index) {
        return -1;
    }

    /** Waits until every kernel queued on device {@code index} has finished. */
    void synchronize(int index);
}
