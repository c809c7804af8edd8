package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The math of convolution and pooling over {@code [N, C, H, W]} images, written from tensor ops and the
 * backend's window primitives ({@link Tensor#im2col}, {@link Tensor#maxPool2d}), so it is differentiable
 * and runs on every device whose backend has them: a convolution is im2col plus one GEMM per group,
 * average pooling the mean over im2col's window rows. {@link F} exposes it.
 */
final class Functional2d {
    private Functional2d() {
    }

    /** {@code x} [N, C, H, W] padded with {@code value}: {@code top, bottom} rows and {@code left, right} columns. */
    static Tensor pad(Tensor x, int top, int bottom, int left, int right, float value) {
        if (top == 0 && bottom == 0 && left == 0 && right == 0) {
            return x;
        }
        int[] s = x.shape();
        List<Tensor> rows = new ArrayList<>(3);
        if (top > 0) {
            rows.add(Tensor.full(x.device(), x.dtype(), value, s[0], s[1], top, s[3]));
        }
        rows.add(x);
        if (bottom > 0) {
            rows.add(Tensor.full(x.device(), x.dtype(), value, s[0], s[1], bottom, s[3]));
        }
        Tensor tall = rows.size() == 1 ? x : Tensor.cat(2, rows);
        int h = s[2] + top + bottom;
        List<Tensor> cols = new ArrayList<>(3);
        if (left > 0) {
            cols.add(Tensor.full(x.device(), x.dtype(), value, s[0], s[1], h, left));
        }
        cols.add(tall);
        if (right > 0) {
            cols.add(Tensor.full(x.device(), x.dtype(), value, s[0], s[1], h, right));
        }
        return cols.size() == 1 ? tall : Tensor.cat(3, cols);
    }

    /**
     * 2-D convolution (cross-correlation, as PyTorch's {@code F.conv2d}); padding may differ per side. The
     * image is unfolded once ({@link Tensor#im2col}, [N, C*kh*kw, L]) and multiplied by the weight, one GEMM
     * per group and image straight into the [N, O, L] layout of the output (no transposes); a 1x1 convolution
     * with stride 1 reads the image in place. The gradient flows back through the GEMM and col2im. Small images
     * go through the backend's direct kernel instead when the image records no gradient (inference, or a
     * network's first layer) or the convolution has unit strides (see {@link #direct}).
     */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padTBLR, int[] dilation,
                         int groups) {
        int[] xs = x.shape();
        int[] ws = weight.shape();
        if (xs.length != 4) {
            throw new ShapeException("conv2d: expected input of shape [N, C, H, W], got " + Shapes.format(xs));
        }
        if (ws.length != 4 || xs[1] != ws[1] * groups || ws[0] % groups != 0) {
            throw new ShapeException("conv2d: input " + Shapes.format(xs) + " does not fit weight "
                    + Shapes.format(ws) + " with groups=" + groups + " (expects " + (ws.length == 4 ? ws[1] * groups : "?")
                    + " input channels)");
        }
        int n = xs[0];
        int kh = ws[2];
        int kw = ws[3];
        // the symmetric part of the padding is im2col's; the odd extra of padding="same" is explicit
        int ph = Math.min(padTBLR[0], padTBLR[1]);
        int pw = Math.min(padTBLR[2], padTBLR[3]);
        Tensor in = pad(x, padTBLR[0] - ph, padTBLR[1] - ph, padTBLR[2] - pw, padTBLR[3] - pw, 0f);
        int[] is = in.shape();
        int outH = Shapes.windowOutputSize("conv2d", is[2], kh, stride[0], ph, dilation[0], false);
        int outW = Shapes.windowOutputSize("conv2d", is[3], kw, stride[1], pw, dilation[1], false);
        int cout = ws[0];
        int k = ws[1] * kh * kw;
        int l = outH * outW;
        boolean unitSteps = groups == 1 && stride[0] == 1 && stride[1] == 1 && dilation[0] == 1 && dilation[1] == 1
                && ph < kh && pw < kw;
        if (direct(x, is, k, unitSteps)) {
            return in.conv2d(weight, bias, stride, new int[] {ph, pw}, dilation, groups);
        }
        Tensor cols = kh == 1 && kw == 1 && stride[0] == 1 && stride[1] == 1 && ph == 0 && pw == 0
                ? in.reshape(n, xs[1], l) // a 1x1 convolution is a product over channels: no copies
                : in.im2col(new int[] {kh, kw}, dilation, new int[] {ph, pw}, stride);
        // groups == 1: the weight broadcast over the batch (stride 0, never copied) times each image's columns
        Tensor out = groups == 1
                ? weight.reshape(1, cout, k).expand(n, cout, k).bmm(cols)
                : weight.reshape(groups, cout / groups, k).matmul(cols.reshape(n, groups, k, l));
        out = out.reshape(n, cout, outH, outW);
        return bias == null ? out : out.add(bias.reshape(1, cout, 1, 1));
    }

    /** Input elements per image up to which the direct kernel is chosen (its padded copy stays in L2). */
    private static final long DIRECT_MAX_IMAGE = 1L << 16;
    /** Multiply-adds per output element up to which the direct kernel is chosen (beyond, a packed GEMM wins). */
    private static final int DIRECT_MAX_DEPTH = 1152;

    /**
     * Whether the direct kernel ({@link Tensor#conv2d}) computes this convolution: for small images with few
     * channels (where per-image GEMMs are tiny and im2col costs more than the arithmetic). In training its
     * backward unfolds the image for the weight's gradient, and gives the image's gradient by the direct kernel
     * too when the convolution has one group, unit strides and dilations and padding below the kernel size
     * ({@code unitSteps}); other convolutions of an image that records a gradient keep im2col, whose columns
     * the backward reuses. LeNet at batch 256 on a loaded machine: the first convolution's forward 1.6 ms
     * against 6 for im2col, GEMM and bias (backward 6.5 against 3.7).
     */
    private static boolean direct(Tensor x, int[] paddedShape, int depth, boolean unitSteps) {
        boolean inputGrad = GradMode.isEnabled() && x.requiresGrad();
        return (!inputGrad || unitSteps) && x.dtype() == DType.FLOAT32 && depth <= DIRECT_MAX_DEPTH
                && (long) paddedShape[1] * paddedShape[2] * paddedShape[3] <= DIRECT_MAX_IMAGE;
    }

    /** Max over each window (padding never chosen); the gradient goes to the first maximum of a window. */
    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return x.maxPool2d(kernel, stride, padding, dilation, ceilMode);
    }

    /** Mean over each window, zero padding counted (PyTorch's default {@code count_include_pad=True}). */
    static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        int[] xs = checkImage("avgPool2d", x);
        for (int d = 0; d < 2; d++) {
            if (padding[d] > kernel[d] / 2) {
                throw new CairnException("avgPool2d: padding " + Arrays.toString(padding) + " must be at most half of"
                        + " kernel_size " + Arrays.toString(kernel) + " (PyTorch's rule); pad the input first");
            }
        }
        int outH = Shapes.windowOutputSize("avgPool2d", xs[2], kernel[0], stride[0], padding[0], 1, false);
        int outW = Shapes.windowOutputSize("avgPool2d", xs[3], kernel[1], stride[1], padding[1], 1, false);
        return x.im2col(kernel, new int[] {1, 1}, padding, stride)
                .reshape(xs[0], xs[1], kernel[0] * kernel[1], outH * outW).mean(2, false)
                .reshape(xs[0], xs[1], outH, outW);
    }

    /** PyTorch's adaptive average pooling: window {@code [floor(i*in/out), ceil((i+1)*in/out))} per output. */
    static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        int[] xs = checkImage("adaptiveAvgPool2d", x);
        if (outH == 1 && outW == 1) { // global pooling: one reduction over each plane
            return x.reshape(xs[0], xs[1], xs[2] * xs[3]).mean(2, true).unsqueeze(3);
        }
        List<Tensor> rows = new ArrayList<>(outH);
        for (int i = 0; i < outH; i++) {
            int h0 = Math.floorDiv(i * xs[2], outH);
            int h1 = -Math.floorDiv(-(i + 1) * xs[2], outH);
            List<Tensor> cells = new ArrayList<>(outW);
            for (int j = 0; j < outW; j++) {
                int w0 = Math.floorDiv(j * xs[3], outW);
                int w1 = -Math.floorDiv(-(j + 1) * xs[3], outW);
                cells.add(x.narrow(2, h0, h1 - h0).narrow(3, w0, w1 - w0).mean(3, false).mean(2, false));
            }
            rows.add(Tensor.stack(2, cells));
        }
        return Tensor.stack(2, rows);
    }

    private static int[] checkImage(String op, Tensor x) {
        int[] s = x.shape();
        if (s.length != 4) {
            throw new ShapeException(op + ": expected input of shape [N, C, H, W], got " + Shapes.format(s));
        }
        return s;
    }
}
