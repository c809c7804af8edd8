package dev.cairn.nn;

import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The math of convolution and pooling over {@code [N, C, H, W]} images, written once from tensor ops
 * (so it is differentiable and runs on every device): padding is a concatenation with a constant, the
 * windows are strided slices stacked along one dimension (im2col), and a convolution is then one
 * batched matrix product per group on the backend's GEMM. {@link F} exposes it.
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

    /** Output size of a sliding window, as PyTorch computes it (floor, or ceil with {@code ceilMode}). */
    static int outputSize(String op, int in, int kernel, int stride, int pad, int dilation, boolean ceilMode) {
        int span = dilation * (kernel - 1) + 1;
        int avail = in + 2 * pad - span;
        if (avail < 0) {
            throw new ShapeException(op + ": the window (kernel " + kernel + ", dilation " + dilation
                    + ") is larger than the padded input (" + in + " + 2*" + pad + ")");
        }
        int out = (ceilMode ? (avail + stride - 1) / stride : avail / stride) + 1;
        if (ceilMode && (out - 1) * stride >= in + pad) {
            out--; // PyTorch: the last window must start inside the input or its left padding
        }
        return out;
    }

    /**
     * The windows of the padded {@code x} [N, C, H, W] stacked along a new dimension 2:
     * {@code [N, C, kh*kw, outH, outW]}, window positions in row-major (i, j) order.
     */
    static Tensor windows(Tensor x, int kh, int kw, int sh, int sw, int dh, int dw, int outH, int outW) {
        List<Tensor> parts = new ArrayList<>(kh * kw);
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                Tensor rows = x.slice(2, i * dh, i * dh + sh * (outH - 1) + 1, sh);
                parts.add(rows.slice(3, j * dw, j * dw + sw * (outW - 1) + 1, sw));
            }
        }
        return Tensor.stack(2, parts);
    }

    /** 2-D convolution (cross-correlation, as PyTorch's {@code F.conv2d}); padding may differ per side. */
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
        Tensor padded = pad(x, padTBLR[0], padTBLR[1], padTBLR[2], padTBLR[3], 0f);
        int ph = xs[2] + padTBLR[0] + padTBLR[1];
        int pw = xs[3] + padTBLR[2] + padTBLR[3];
        int outH = outputSize("conv2d", ph, kh, stride[0], 0, dilation[0], false);
        int outW = outputSize("conv2d", pw, kw, stride[1], 0, dilation[1], false);
        int cin = ws[1];
        int cout = ws[0];
        int k = cin * kh * kw;
        int l = outH * outW;
        Tensor out;
        if (kh == 1 && kw == 1 && stride[0] == 1 && stride[1] == 1) {
            // a 1x1 convolution is a product over channels: no window copies
            Tensor cols = padded.reshape(n, groups, cin, l).permute(1, 2, 0, 3).reshape(groups, cin, n * l);
            out = weight.reshape(groups, cout / groups, cin).bmm(cols);
        } else {
            Tensor cols = windows(padded, kh, kw, stride[0], stride[1], dilation[0], dilation[1], outH, outW)
                    .reshape(n, groups, k, l).permute(1, 2, 0, 3).reshape(groups, k, n * l);
            out = weight.reshape(groups, cout / groups, k).bmm(cols);
        }
        out = out.reshape(cout, n, outH, outW).permute(1, 0, 2, 3);
        return bias == null ? out.contiguous() : out.add(bias.reshape(1, cout, 1, 1));
    }

    /** Max over each window (padding with -inf); the gradient goes to the first maximum of a window. */
    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        int[] xs = checkImage("maxPool2d", x);
        int outH = outputSize("maxPool2d", xs[2], kernel[0], stride[0], padding[0], dilation[0], ceilMode);
        int outW = outputSize("maxPool2d", xs[3], kernel[1], stride[1], padding[1], dilation[1], ceilMode);
        int extraH = Math.max(0, (outH - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1 - xs[2] - 2 * padding[0]);
        int extraW = Math.max(0, (outW - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1 - xs[3] - 2 * padding[1]);
        Tensor padded = pad(x, padding[0], padding[0] + extraH, padding[1], padding[1] + extraW,
                Float.NEGATIVE_INFINITY);
        return windows(padded, kernel[0], kernel[1], stride[0], stride[1], dilation[0], dilation[1], outH, outW)
                .max(2, false);
    }

    /** Mean over each window, zero padding counted (PyTorch's default {@code count_include_pad=True}). */
    static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        int[] xs = checkImage("avgPool2d", x);
        int outH = outputSize("avgPool2d", xs[2], kernel[0], stride[0], padding[0], 1, false);
        int outW = outputSize("avgPool2d", xs[3], kernel[1], stride[1], padding[1], 1, false);
        Tensor padded = pad(x, padding[0], padding[0], padding[1], padding[1], 0f);
        return windows(padded, kernel[0], kernel[1], stride[0], stride[1], 1, 1, outH, outW).mean(2, false);
    }

    /** PyTorch's adaptive average pooling: window {@code [floor(i*in/out), ceil((i+1)*in/out))} per output. */
    static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        int[] xs = checkImage("adaptiveAvgPool2d", x);
        if (outH == 1 && outW == 1) {
            return x.mean(3, true).mean(2, true);
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
