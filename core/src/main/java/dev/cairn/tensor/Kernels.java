package dev.cairn.tensor;

import dev.cairn.DeviceException;
import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.backend.Window;
import java.lang.ref.Reference;

/**
 * The checks and guards every kernel launch needs, written once: operands open and on one device,
 * and their bodies kept reachable until the kernel has read them (so a cleaner cannot free memory
 * mid-kernel). Op families call the backend only through here.
 */
final class Kernels {
    private Kernels() {
    }

    /** {@code other}'s body, after checking that it is open and on {@code self}'s device. */
    static TensorBody operand(String op, Tensor self, Tensor other) {
        TensorBody a = self.body();
        TensorBody b = other.body();
        if (!a.device.equals(b.device)) {
            throw new DeviceException(op + ": expected all tensors to be on the same device, but found "
                    + a.device + " and " + b.device + "; move one with .to(device) (model.to(device) moves a model's"
                    + " parameters and buffers; its inputs must be moved too)");
        }
        return b;
    }

    static void sameDevice(String op, Tensor a, Tensor b) {
        operand(op, a, b);
    }

    /** {@code dst = op(src, scalar)} elementwise; {@code dst} is dense. */
    static void unary(UnaryOp op, float scalar, StridedView src, TensorBody srcBody, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.unary(op, scalar, src, dst.storage());
        }
        Reference.reachabilityFence(srcBody);
        Reference.reachabilityFence(dst);
    }

    /** {@code dst = clamp(src, min, max)} elementwise into the dense {@code dst}. */
    static void clamp(float min, float max, TensorBody src, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.clamp(min, max, src.stridedView(), dst.storage());
        }
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
    }

    /** {@code dst = op(a, b)} elementwise over views already broadcast to {@code dst}'s shape. */
    static void binary(BinaryOp op, TensorBody a, TensorBody b, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.binary(op, a.viewAs(dst.shape), b.viewAs(dst.shape), dst.storage());
        }
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(dst);
    }

    /** Reduces dimension {@code dim} of {@code src} into the dense {@code dst}. */
    static void reduce(ReduceOp op, TensorBody src, int dim, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.reduce(op, src.stridedView(), dim, dst.storage());
        }
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
    }

    /** {@code dst = a op b} as bool, {@code a} and {@code b} of one dtype broadcast to {@code dst}'s shape. */
    static void compare(dev.cairn.backend.CompareOp op, TensorBody a, TensorBody b, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.compare(op, a.viewAs(dst.shape), b.viewAs(dst.shape), dst.storage());
        }
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(dst);
    }

    static void fill(TensorBody dst, float value) {
        if (dst.numel > 0) {
            dst.backend.fill(dst.storage(), dst.offset, dst.numel, value);
        }
        Reference.reachabilityFence(dst);
    }

    /** Fills the dense float32 {@code dst} with counter-based random numbers (see {@link dev.cairn.backend.Backend#random}). */
    static void random(dev.cairn.backend.RandomOp op, long seed, long counter, float a, float b, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.random(op, seed, counter, a, b, dst.storage(), dst.offset, dst.numel);
        }
        Reference.reachabilityFence(dst);
    }

    /** Copies {@code src} (any layout, same shape) into the view {@code dst}. */
    static void copy(TensorBody src, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.copy(src.viewAs(dst.shape), dst.stridedView());
        }
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
    }

    /** im2col of the image {@code src} into the dense {@code dst} (see {@link dev.cairn.backend.Backend#unfold}). */
    static void unfold(TensorBody src, Window w, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.unfold(src.stridedView(), w, dst.storage());
        }
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
    }

    /**
     * Direct convolution of the image {@code src} with the dense {@code weight} (and dense {@code bias}, or
     * null) into the dense {@code dst} (see {@link dev.cairn.backend.Backend#conv2d}).
     */
    static void conv2d(TensorBody src, Window w, int groups, TensorBody weight, TensorBody bias, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.conv2d(src.stridedView(), w, groups, weight.stridedView(),
                    bias == null ? null : bias.stridedView(), dst.storage());
        }
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(weight);
        Reference.reachabilityFence(bias);
        Reference.reachabilityFence(dst);
    }

    /** col2im of the columns {@code src} into the dense image {@code dst} (see {@link dev.cairn.backend.Backend#fold}). */
    static void fold(TensorBody src, Window w, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.fold(src.stridedView(), w, dst.storage());
        }
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
    }

    /** Max pooling of {@code src} into the dense {@code dst}, with the maxima's plane positions in {@code indices}. */
    static void maxPool2d(TensorBody src, Window w, TensorBody dst, TensorBody indices) {
        if (dst.numel > 0) {
            dst.backend.maxPool2d(src.stridedView(), w, dst.storage(), indices.storage());
        }
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
        Reference.reachabilityFence(indices);
    }

    /** The gradient {@code grad} of max pooling scattered to {@code indices} in the dense image {@code dst}. */
    static void maxPool2dBackward(TensorBody grad, TensorBody indices, Window w, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.maxPool2dBackward(grad.stridedView(), indices.stridedView(), w, dst.storage());
        }
        Reference.reachabilityFence(grad);
        Reference.reachabilityFence(indices);
        Reference.reachabilityFence(dst);
    }

    /**
     * One batched GEMM; {@code a0}, {@code a1}, {@code b0}, {@code b1}, {@code bias0}, {@code bias1} are the
     * bodies whose memory the operands point into (the original and any dense copy of each; null where none).
     */
    static void gemm(TensorBody dst, int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c,
                     Epilogue epilogue, TensorBody a0, TensorBody a1, TensorBody b0, TensorBody b1, TensorBody bias0,
                     TensorBody bias1) {
        dst.backend.gemm(batch, m, n, k, a, b, c, epilogue);
        // fixed parameters, not varargs: no array per product on the batch-1 path
        Reference.reachabilityFence(a0);
        Reference.reachabilityFence(a1);
        Reference.reachabilityFence(b0);
        Reference.reachabilityFence(b1);
        Reference.reachabilityFence(bias0);
        Reference.reachabilityFence(bias1);
        Reference.reachabilityFence(dst);
    }

    /** Softmax (or log-softmax) of {@code src} along {@code dim} into the dense {@code dst}. */
    static void softmax(TensorBody src, int dim, boolean log, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.softmax(src.stridedView(), dim, log, dst.storage());
        }
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
    }

    /** Softmax's gradient from its output {@code y} and the output's gradient {@code g} into the dense {@code dst}. */
    static void softmaxBackward(TensorBody y, TensorBody g, int dim, boolean log, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.softmaxBackward(y.stridedView(), g.viewAs(y.shape), dim, log, dst.storage());
        }
        Reference.reachabilityFence(y);
        Reference.reachabilityFence(g);
        Reference.reachabilityFence(dst);
    }

    /** Layer norm of the rows of the 2-D {@code x} into dense {@code dst}, one mean and rstd per row. */
    static void layerNorm(TensorBody x, TensorBody weight, TensorBody bias, float eps, TensorBody dst,
                          TensorBody mean, TensorBody rstd) {
        if (dst.numel > 0) {
            dst.backend.layerNorm(x.stridedView(), weight == null ? null : weight.stridedView(),
                    bias == null ? null : bias.stridedView(), eps, dst.storage(), mean.storage(), rstd.storage());
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(weight);
        Reference.reachabilityFence(bias);
        Reference.reachabilityFence(dst);
        Reference.reachabilityFence(mean);
        Reference.reachabilityFence(rstd);
    }

    /** Layer norm's gradients; null outputs are not computed. */
    static void layerNormBackward(TensorBody x, TensorBody g, TensorBody mean, TensorBody rstd, TensorBody weight,
                                  TensorBody dx, TensorBody dweight, TensorBody dbias) {
        if (x.numel > 0) {
            x.backend.layerNormBackward(x.stridedView(), g.viewAs(x.shape), mean.storage(), rstd.storage(),
                    weight == null ? null : weight.stridedView(), dx == null ? null : dx.storage(),
                    dweight == null ? null : dweight.storage(), dbias == null ? null : dbias.storage());
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(g);
        Reference.reachabilityFence(mean);
        Reference.reachabilityFence(rstd);
        Reference.reachabilityFence(weight);
        Reference.reachabilityFence(dx);
        Reference.reachabilityFence(dweight);
        Reference.reachabilityFence(dbias);
    }

    /**
     * Fused scaled dot-product attention of the rank-4 {@code q [B, H, L, D]}, {@code k [B, H, S, D]},
     * {@code v [B, H, S, Dv]} with the float {@code mask} (null, or broadcast to {@code [B, H, L, S]}) into the
     * dense {@code dst [B, H, L, Dv]}.
     */
    static void attention(TensorBody q, TensorBody k, TensorBody v, TensorBody mask, float scale, TensorBody dst) {
        if (dst.numel > 0) {
            int[] ms = {q.shape[0], q.shape[1], q.shape[2], k.shape[2]};
            dst.backend.attention(q.stridedView(), k.stridedView(), v.stridedView(),
                    mask == null ? null : mask.viewAs(ms), scale, dst.storage());
        }
        Reference.reachabilityFence(q);
        Reference.reachabilityFence(k);
        Reference.reachabilityFence(v);
        Reference.reachabilityFence(mask);
        Reference.reachabilityFence(dst);
    }

    /**
     * Batch norm of the {@code [N, C, S]} {@code x} into the dense {@code dst}, saving the per-channel mean and
     * invstd; in training the running statistics (each may be null) are updated in place.
     */
    static void batchNorm(TensorBody x, TensorBody weight, TensorBody bias, TensorBody runningMean,
                          TensorBody runningVar, boolean training, float momentum, float eps, TensorBody dst,
                          TensorBody mean, TensorBody invstd) {
        if (dst.numel > 0) {
            dst.backend.batchNorm(x.stridedView(), view(weight), view(bias), view(runningMean), view(runningVar),
                    training, momentum, eps, dst.storage(), mean.storage(), invstd.storage());
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(weight);
        Reference.reachabilityFence(bias);
        Reference.reachabilityFence(runningMean);
        Reference.reachabilityFence(runningVar);
        Reference.reachabilityFence(dst);
        Reference.reachabilityFence(mean);
        Reference.reachabilityFence(invstd);
    }

    /** Batch norm's gradients ({@code g} a view of {@code x}'s shape); null outputs are not computed. */
    static void batchNormBackward(TensorBody x, TensorBody g, TensorBody mean, TensorBody invstd, TensorBody weight,
                                  boolean training, TensorBody dx, TensorBody dweight, TensorBody dbias) {
        if (x.numel > 0) {
            x.backend.batchNormBackward(x.stridedView(), g.viewAs(x.shape), mean.storage(), invstd.storage(),
                    view(weight), training, dx == null ? null : dx.storage(),
                    dweight == null ? null : dweight.storage(), dbias == null ? null : dbias.storage());
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(g);
        Reference.reachabilityFence(mean);
        Reference.reachabilityFence(invstd);
        Reference.reachabilityFence(weight);
        Reference.reachabilityFence(dx);
        Reference.reachabilityFence(dweight);
        Reference.reachabilityFence(dbias);
    }

    private static StridedView view(TensorBody b) {
        return b == null ? null : b.stridedView();
    }

    /** Running sums of {@code src} along {@code dim} (backwards when {@code reverse}) into the dense {@code dst}. */
    static void cumsum(TensorBody src, int dim, boolean reverse, TensorBody dst) {
        if (dst.numel > 0) {
            dst.backend.cumsum(src.stridedView(), dim, reverse, dst.storage());
        }
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
    }
}
