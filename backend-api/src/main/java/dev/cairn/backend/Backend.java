package dev.cairn.backend;

import dev.cairn.DType;
import dev.cairn.Device;
import java.util.List;

/**
 * The service a device backend provides, found by {@link java.util.ServiceLoader}: memory and a small
 * set of kernels. All shape checking, broadcasting, dtype rules and autograd happen in core before a
 * kernel is called, so kernels may assume valid, in-range arguments, except for the values of index
 * tensors on devices other than the CPU: core does not read those back (that would be a host round trip
 * per lookup), so {@link #indexSelect}, {@link #gather} and {@link #scatterAdd} must check each index
 * themselves, never read or write out of range, and report a bad one with an error naming the op, the
 * index, the dimension and its size (a device may report it at its next synchronisation, as CUDA's
 * device-side assertions do). Output storages given to kernels are dense (row-major) and never alias an
 * input.
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

    /**
     * Uninitialised storage for {@code numel} elements of {@code dtype}. Backends that hold only float32
     * keep this default, which refuses other dtypes with an error naming the backend and the dtype.
     */
    default Storage allocate(int index, DType dtype, int numel) {
        if (dtype == DType.FLOAT32) {
            return allocate(index, numel);
        }
        throw unsupported("tensors of dtype " + dtype);
    }

    /**
     * A new storage holding a copy of {@code length} elements of the host array {@code data}, which is a
     * {@code float[]}, {@code long[]}, {@code int[]} or {@code boolean[]} for FLOAT32, INT64, INT32, BOOL.
     */
    default Storage upload(int index, DType dtype, Object data, int offset, int length) {
        if (dtype == DType.FLOAT32) {
            return upload(index, (float[]) data, offset, length);
        }
        throw unsupported("tensors of dtype " + dtype);
    }

    /** Copies {@code length} elements into the host array {@code dst} of the storage's element type. */
    default void download(Storage src, int srcOffset, Object dst, int dstOffset, int length) {
        if (dst instanceof float[] f) {
            download(src, srcOffset, f, dstOffset, length);
            return;
        }
        throw unsupported("reading tensors of dtype " + src.dtype());
    }

    /** {@code dst[i] = a[i] op b[i]} as bool; {@code a} and {@code b} have one dtype and are broadcast to one shape. */
    default void compare(CompareOp op, StridedView a, StridedView b, Storage dst) {
        throw unsupported("comparisons (bool results)");
    }

    /** {@code dst[i] = cond[i] ? a[i] : b[i]}; {@code cond} is bool, {@code a}, {@code b} and {@code dst} one dtype. */
    default void where(StridedView cond, StridedView a, StridedView b, Storage dst) {
        throw unsupported("where");
    }

    /**
     * {@code dst} (dense, {@code src.shape()} with dimension {@code dim} resized to the index count) takes the
     * slices of {@code src} along {@code dim} at the int64 positions of the 1-D {@code index}, each checked to
     * lie in {@code [0, src.shape()[dim])} (see the class comment).
     */
    default void indexSelect(StridedView src, int dim, StridedView index, Storage dst) {
        throw unsupported("indexSelect");
    }

    /** {@code dst[..., i, ...] = src[..., index[..., i, ...], ...]} along {@code dim}; dst dense with index's shape. */
    default void gather(StridedView src, int dim, StridedView index, Storage dst) {
        throw unsupported("gather");
    }

    /** {@code dst[..., index[..., i, ...], ...] += src[..., i, ...]} along {@code dim}, over index's shape, in place. */
    default void scatterAdd(StridedView src, int dim, StridedView index, StridedView dst) {
        throw unsupported("scatterAdd");
    }

    /**
     * Softmax of {@code src} along {@code dim} into the dense {@code dst} of {@code src.shape()} (float32): per
     * line, one pass for the maximum, one for the sum of {@code e^(x - max)}, one write; with {@code log}, the
     * log-softmax {@code x - max - ln(sum)}. {@code src} may be any strided view (no copy is made); a line
     * holding NaN, {@code +inf} or only {@code -inf} gives NaN, as in PyTorch.
     */
    default void softmax(StridedView src, int dim, boolean log, Storage dst) {
        throw unsupported("softmax");
    }

    /**
     * The gradient of softmax along {@code dim} into the dense {@code dst}: {@code g*y - y*sum(g*y)} from the
     * softmax output {@code y}, or with {@code log} {@code g - e^y * sum(g)} from the log-softmax output;
     * {@code y} and {@code g} are views of one shape.
     */
    default void softmaxBackward(StridedView y, StridedView g, int dim, boolean log, Storage dst) {
        throw unsupported("softmax backward");
    }

    /**
     * Layer normalisation of the rows of the 2-D {@code x} ({@code [rows, cols]}, unit column stride):
     * {@code dst = (x - mean) * rstd * weight + bias} with the biased variance and
     * {@code rstd = 1 / sqrt(var + eps)}; {@code weight} and {@code bias} are {@code [cols]} views or null.
     * {@code dst} is dense {@code [rows, cols]}; {@code mean} and {@code rstd} receive one float per row (saved
     * for the backward pass).
     */
    default void layerNorm(StridedView x, StridedView weight, StridedView bias, float eps, Storage dst,
                           Storage mean, Storage rstd) {
        throw unsupported("layerNorm");
    }

    /**
     * The gradients of {@link #layerNorm} as PyTorch's: {@code dx} (dense {@code [rows, cols]}) from the
     * output's gradient {@code g} ({@code [rows, cols]}, unit column stride), the saved {@code mean} and
     * {@code rstd}, and {@code weight} (null without affine); {@code dweight = sum_rows(g * xhat)} and
     * {@code dbias = sum_rows(g)} ({@code [cols]}). Any of {@code dx}, {@code dweight}, {@code dbias} may be
     * null when that gradient is not needed.
     */
    default void layerNormBackward(StridedView x, StridedView g, Storage mean, Storage rstd, StridedView weight,
                                   Storage dx, Storage dweight, Storage dbias) {
        throw unsupported("layerNorm backward");
    }

    /**
     * Scaled dot-product attention, one fused kernel: for each batch {@code (b, h)} and query row {@code i},
     * {@code dst[b, h, i, :] = sum_j p_j * v[b, h, j, :]} with
     * {@code p = softmax_j(sum_d (q[b, h, i, d] * scale) * k[b, h, j, d] + mask[b, h, i, j])} (the query is
     * multiplied by {@code scale} before the product, as PyTorch scales it). {@code q} is {@code [B, H, L, D]},
     * {@code k} {@code [B, H, S, D]}, {@code v} {@code [B, H, S, Dv]} and {@code mask} (float, added to the
     * scores, {@code -inf} to exclude a key; null for none) {@code [B, H, L, S]}: any strided views, the mask
     * may have stride 0 along broadcast dimensions. {@code dst} is dense {@code [B, H, L, Dv]}. The scores are
     * not materialised in memory the caller sees. The softmax follows {@link #softmax}: a row whose scores
     * hold NaN, {@code +inf} or only {@code -inf} gives NaN. All operands are float32.
     */
    default void attention(StridedView q, StridedView k, StridedView v, StridedView mask, float scale, Storage dst) {
        throw unsupported("attention");
    }

    /**
     * Batch normalisation over the channels of {@code x}, a {@code [N, C, S]} view (any strides; {@code S} the
     * product of the spatial sizes), into the dense {@code dst} of the same shape:
     * {@code dst = (x - mean[c]) * invstd[c] * weight[c] + bias[c]}, {@code weight} and {@code bias} being
     * {@code [C]} views or null. With {@code training}, {@code mean} and the biased variance are the batch's,
     * over the {@code M = N * S} values of each channel, and {@code invstd = 1 / sqrt(var + eps)};
     * {@code runningMean} and {@code runningVar} ({@code [C]} views, each may be null) are then updated in place:
     * {@code r = (1 - momentum) * r + momentum * stat}, with the unbiased variance {@code var * M / (M - 1)}.
     * Without {@code training} both running statistics are given and used ({@code momentum} is not read).
     * {@code saveMean} and {@code saveInvstd} (dense {@code [C]}) receive the mean and invstd used, for the
     * backward pass. {@code x} has at least one element.
     */
    default void batchNorm(StridedView x, StridedView weight, StridedView bias, StridedView runningMean,
                           StridedView runningVar, boolean training, float momentum, float eps, Storage dst,
                           Storage saveMean, Storage saveInvstd) {
        throw unsupported("batchNorm");
    }

    /**
     * The gradients of {@link #batchNorm} as PyTorch's, from the input {@code x} and the output's gradient
     * {@code g} (both {@code [N, C, S]} views of any strides), the saved {@code mean} and {@code invstd} (dense
     * {@code [C]}) and {@code weight} ({@code [C]} view, or null for 1): with {@code training}
     * {@code dx = (g - sum(g) / M - (x - mean) * invstd^2 * sum(g * (x - mean)) / M) * invstd * weight}, else
     * (the statistics were constants) {@code dx = g * invstd * weight}; in both
     * {@code dweight = sum(g * (x - mean)) * invstd} and {@code dbias = sum(g)}, the sums over the
     * {@code M = N * S} values of each channel. {@code dx} is dense {@code [N, C, S]}, {@code dweight} and
     * {@code dbias} dense {@code [C]}; any of them may be null when that gradient is not needed.
     */
    default void batchNormBackward(StridedView x, StridedView g, Storage mean, Storage invstd, StridedView weight,
                                   boolean training, Storage dx, Storage dweight, Storage dbias) {
        throw unsupported("batchNorm backward");
    }

    /**
     * Running sums of {@code src} along {@code dim} into the dense {@code dst} of {@code src.shape()}, from the
     * last element backwards when {@code reverse} (the gradient of cumsum); float32 sums accumulate in double,
     * int64 sums exactly (wrapping as PyTorch's). {@code src} and {@code dst} have one dtype.
     */
    default void cumsum(StridedView src, int dim, boolean reverse, Storage dst) {
        throw unsupported("cumsum");
    }

    /**
     * im2col, as PyTorch's {@code F.unfold}: {@code src} is {@code [N, C, inH, inW]} (any strides) and
     * {@code dst} dense {@code [N, C*kernelH*kernelW, outH*outW]}; row {@code c*kh*kw + i*kw + j}, column
     * {@code oh*outW + ow} holds the input under kernel offset {@code (i, j)} of window {@code (oh, ow)}, or 0
     * where that falls in the padding.
     */
    default void unfold(StridedView src, Window window, Storage dst) {
        throw unsupported("unfold (im2col)");
    }

    /**
     * Direct 2-D convolution (cross-correlation) forward, as PyTorch's {@code F.conv2d} with the symmetric
     * zero padding of {@code window}: {@code src} is float32 {@code [N, C, inH, inW]} (any strides, C =
     * {@code window.channels()}), {@code weight} a dense {@code [O, C/groups, kernelH, kernelW]} view,
     * {@code bias} a dense {@code [O]} view or null, and {@code dst} dense {@code [N, O, outH, outW]}:
     * {@code dst[n, o, oh, ow] = bias[o] + sum over c, i, j of weight[o, c, i, j] *
     * src[n, g*C/groups + c, oh*strideH - padH + i*dilationH, ow*strideW - padW + j*dilationW]} with
     * {@code g = o / (O/groups)} and 0 outside the input. Core calls it for inference (no autograd graph);
     * the order of the sum is the backend's, so results match an im2col GEMM to rounding, not bit for bit.
     */
    default void conv2d(StridedView src, Window window, int groups, StridedView weight, StridedView bias,
                        Storage dst) {
        throw unsupported("conv2d (direct convolution)");
    }

    /**
     * col2im, the adjoint of {@link #unfold}, as PyTorch's {@code F.fold}: {@code src} is
     * {@code [N, C*kernelH*kernelW, outH*outW]} (any strides, stride 0 allowed) and {@code dst} dense
     * {@code [N, C, inH, inW]}, overwritten with the sum of every column entry that unfold would have read
     * from each element (overlapping windows accumulate; entries in the padding are dropped).
     */
    default void fold(StridedView src, Window window, Storage dst) {
        throw unsupported("fold (col2im)");
    }

    /**
     * Max pooling: {@code src} {@code [N, C, inH, inW]} (any strides), {@code dst} and {@code indices} dense
     * float32 {@code [N, C, outH, outW]}. Each output is the largest input under its window (padding never
     * wins; a NaN does), and its index the flat position {@code h*inW + w} in the input plane of the first
     * maximum, as PyTorch's {@code return_indices}. Core passes only windows that hold at least one input
     * element.
     */
    default void maxPool2d(StridedView src, Window window, Storage dst, Storage indices) {
        throw unsupported("maxPool2d");
    }

    /**
     * The gradient of {@link #maxPool2d}: {@code dst} dense {@code [N, C, inH, inW]} is overwritten with zeros
     * plus each element of {@code grad} ({@code [N, C, outH, outW]}, any strides) added at the plane position
     * its {@code indices} entry names (windows that share a maximum accumulate).
     */
    default void maxPool2dBackward(StridedView grad, StridedView indices, Window window, Storage dst) {
        throw unsupported("maxPool2d backward");
    }

    /**
     * Random numbers made where {@code dst} lives: the float32 elements {@code dst[offset + i]},
     * {@code 0 <= i < length}, take {@code op}'s value ({@link RandomOp}, parameters {@code a} and {@code b}) of
     * lane {@code i % 4} of the {@link Philox} block {@code counter + i / 4} of {@code seed}'s stream. A draw of
     * {@code length} numbers uses {@link Philox#blocks}{@code (length)} blocks; the caller advances its counter
     * past them. Every backend gives the same words for the same (seed, counter), so UNIFORM and BERNOULLI are
     * bit-identical across devices and NORMAL within a float ulp (see {@link RandomOp}).
     */
    default void random(RandomOp op, long seed, long counter, float a, float b, Storage dst, int offset, int length) {
        throw unsupported("random numbers (" + op + ")");
    }

    /** The error for an operation this backend does not implement. */
    default UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException("the " + type().name().toLowerCase() + " backend does not support "
                + what + " yet; run this part on the CPU (tensor.to(Device.cpu()))");
    }

    /** Sets every element of {@code dst[offset, offset+length)} to {@code value}. */
    void fill(Storage dst, int offset, int length, float value);

    /**
     * {@code dst[i] = op(src[i], scalar)} for each index of {@code src.shape()}; float32, and for NEG, ABS,
     * ADD/MUL_SCALAR on integer storages the integer result; {@code dst} dense from 0.
     */
    void unary(UnaryOp op, float scalar, StridedView src, Storage dst);

    /**
     * PyTorch's {@code clamp(min, max)} in float32: {@code dst[i] = CLAMP_MAX(CLAMP_MIN(src[i], min), max)} for
     * each index of {@code src.shape()}, bit for bit those two {@link UnaryOp}s (NaN stays NaN; {@code min > max}
     * gives {@code max}); {@code dst} dense from 0. By default the two unary ops, the second in place on
     * {@code dst}; a backend overrides it to make one pass.
     */
    default void clamp(float min, float max, StridedView src, Storage dst) {
        unary(UnaryOp.CLAMP_MIN, min, src, dst);
        unary(UnaryOp.CLAMP_MAX, max, StridedView.contiguous(dst, 0, src.shape()), dst);
    }

    /**
     * {@code dst[i] = op(a[i], b[i])}; {@code a} and {@code b} are already broadcast to one shape and have
     * {@code dst}'s dtype (integer storages: ADD, SUB, MUL, MAXIMUM, MINIMUM with integer results).
     */
    void binary(BinaryOp op, StridedView a, StridedView b, Storage dst);

    /**
     * {@code dst[i] = src[i]} for each index of {@code dst.shape()}: a strided copy between two views of
     * one shape (the destination may be any non-overlapping view, such as a slice of a larger tensor). When
     * the dtypes differ the values convert as PyTorch's {@code to(dtype)}: float to integer truncates toward
     * zero, anything to bool is {@code != 0}, bool to number is 0 or 1.
     */
    void copy(StridedView src, StridedView dst);

    /**
     * Reduces {@code src} along {@code dim}; {@code dst} is dense with {@code src.shape()} minus that dimension.
     * ARGMAX/ARGMIN write int64 positions (the first on ties, the first NaN where there is one); SUM and PROD
     * of integers or bools write int64; otherwise {@code dst} has {@code src}'s dtype.
     */
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
