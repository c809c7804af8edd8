package dev.cairn.tensor;

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

    /** One batched GEMM; {@code keepAlive} are the bodies whose memory the operands point into. */
    static void gemm(TensorBody dst, int batch, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c,
                     Epilogue epilogue, TensorBody... keepAlive) {
        dst.backend.gemm(batch, m, n, k, a, b, c, epilogue);
        Reference.reachabilityFence(keepAlive);
        Reference.reachabilityFence(dst);
    }
}
