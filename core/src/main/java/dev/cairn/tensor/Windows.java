package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.DType;

import dev.cairn.backend.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sliding-window primitives over {@code [N, C, H, W]} images, each a backend kernel with its gradient:
 * im2col ({@link #unfold}, PyTorch's {@code F.unfold}), its adjoint col2im ({@link #fold}, {@code F.fold})
 * (each is the other's gradient), and max pooling, whose backward scatters the gradient to the saved
 * positions of the maxima. Convolution and average pooling are built on unfold and a GEMM. Arguments are
 * checked here, before any kernel runs, with PyTorch's rules.
 */
final class Windows {
    private Windows() {
    }

    /** {@code [N, C, H, W]} to {@code [N, C*kh*kw, L]}: the values under every window position, zero padded. */
    static Tensor unfold(Tensor x, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        String op = "unfold";
        checkGeometry(op, kernel, dilation, padding, stride);
        TensorBody xb = checkImage(op, x);
        int[] s = xb.shape;
        int outH = blocks(op, s[2], kernel[0], dilation[0], padding[0], stride[0], s, kernel, dilation, padding, stride);
        int outW = blocks(op, s[3], kernel[1], dilation[1], padding[1], stride[1], s, kernel, dilation, padding, stride);
        Window w = window(s[1], s[2], s[3], kernel, dilation, padding, stride, outH, outW);
        TensorBody ob = xb.newDense(new int[] {s[0], w.columnRows(), w.positions()});
        Kernels.unfold(xb, w, ob);
        int[] size = {s[2], s[3]};
        return Graph.record(new Tensor(ob), "Im2ColBackward",
                g -> new Tensor[] {fold(g, size, kernel, dilation, padding, stride)}, x);
    }

    /**
     * 2-D convolution by the backend's direct kernel: {@code x} [N, C, H, W], {@code weight}
     * [O, C/groups, kh, kw], {@code bias} [O] or null, symmetric zero {@code padding}. The backward
     * recomputes im2col of {@code x}: the gradients are those of im2col and a GEMM.
     */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                         int groups) {
        String op = "conv2d";
        TensorBody xb = checkImage(op, x);
        int[] s = xb.shape;
        int[] ws = weight.shape();
        if (groups < 1 || ws.length != 4 || s[1] != ws[1] * groups || ws[0] % groups != 0) {
            throw new ShapeException(op + ": input " + Shapes.format(s) + " does not fit weight " + Shapes.format(ws)
                    + " with groups=" + groups + " (expects weight [O, C/groups, kh, kw] with O and C divisible by"
                    + " groups)");
        }
        if (bias != null && (bias.shape().length != 1 || bias.shape()[0] != ws[0])) {
            throw new ShapeException(op + ": bias must have shape [" + ws[0] + "] (one per output channel), got "
                    + Shapes.format(bias.shape()));
        }
        Kernels.sameDevice(op, x, weight);
        if (bias != null) {
            Kernels.sameDevice(op, x, bias);
        }
        int[] kernel = {ws[2], ws[3]};
        checkGeometry(op, kernel, dilation, padding, stride);
        int outH = blocks(op, s[2], kernel[0], dilation[0], padding[0], stride[0], s, kernel, dilation, padding, stride);
        int outW = blocks(op, s[3], kernel[1], dilation[1], padding[1], stride[1], s, kernel, dilation, padding, stride);
        Window w = window(s[1], s[2], s[3], kernel, dilation, padding, stride, outH, outW);
        Tensor wd = weight.contiguous();
        Tensor bd = bias == null ? null : bias.contiguous();
        TensorBody wb = wd.body();
        TensorBody bb = bd == null ? null : bd.body();
        checkFloat(op, wb);
        if (bb != null) {
            checkFloat(op, bb);
        }
        TensorBody ob = xb.newDense(new int[] {s[0], ws[0], outH, outW});
        Kernels.conv2d(xb, w, groups, wb, bb, ob);
        int cout = ws[0];
        int k = ws[1] * kernel[0] * kernel[1];
        int l = outH * outW;
        int[] size = {s[2], s[3]};
        return Graph.record(new Tensor(ob), "Conv2dBackward", new Tensor[] {x, weight}, g -> {
            Tensor gx = null;
            Tensor gw = null;
            if (groups == 1) {
                // one batched GEMM per gradient, on [N, ...] operands the GEMM reads in place (the weight
                // broadcast with batch stride 0, the columns transposed by a flag)
                Tensor g3 = g.reshape(s[0], cout, l);
                if (weight.requiresGrad()) {
                    Tensor cols = unfold(x, kernel, dilation, padding, stride);
                    gw = g3.bmm(cols.transpose(1, 2)).sum(0, false).reshape(ws);
                }
                if (x.requiresGrad() && transposedDirect(w, cout)) {
                    // the input gradient of a unit-stride convolution is the full convolution of the output
                    // gradient with the flipped kernel, channels swapped: the direct kernel, no [N, k, L] matrix
                    Tensor wt = reversed(reversed(weight, 2), 3).transpose(0, 1);
                    gx = g.conv2d(wt, null, new int[] {1, 1}, new int[] {kernel[0] - 1 - padding[0],
                        kernel[1] - 1 - padding[1]}, new int[] {1, 1}, 1);
                } else if (x.requiresGrad()) {
                    gx = fold(weight.reshape(1, cout, k).expand(s[0], cout, k).transpose(1, 2).bmm(g3), size,
                            kernel, dilation, padding, stride);
                }
            } else {
                Tensor gq = g.reshape(s[0], groups, cout / groups, l);
                if (weight.requiresGrad()) {
                    Tensor cols = unfold(x, kernel, dilation, padding, stride).reshape(s[0], groups, k, l);
                    gw = gq.matmul(cols.transpose(2, 3)).sum(0, false).reshape(ws);
                }
                if (x.requiresGrad()) {
                    gx = fold(weight.reshape(groups, cout / groups, k).transpose(1, 2).matmul(gq)
                            .reshape(s[0], groups * k, l), size, kernel, dilation, padding, stride);
                }
            }
            Tensor gb = bias == null || !bias.requiresGrad() ? null : g.sum(new int[] {0, 2, 3}, false);
            return new Tensor[] {gx, gw, gb};
        }, x, weight, bias);
    }

    /**
     * {@code t} with dimension {@code dim} in reverse order, from slices on the tensor's device ({@link Tensor#flip}
     * uploads its index from the host, a round trip a training step on a GPU must not make); for kernels.
     */
    private static Tensor reversed(Tensor t, int dim) {
        int size = t.shape()[dim];
        if (size == 1) {
            return t;
        }
        List<Tensor> parts = new ArrayList<>(size);
        for (int i = size - 1; i >= 0; i--) {
            parts.add(t.narrow(dim, i, 1));
        }
        return Tensor.cat(dim, parts);
    }

    /** Output-gradient elements per image up to which the input gradient goes through the direct kernel. */
    private static final long TRANSPOSED_DIRECT_MAX_IMAGE = 1L << 16;
    /** Multiply-adds per input-gradient element up to which it goes through the direct kernel. */
    private static final int TRANSPOSED_DIRECT_MAX_DEPTH = 1152;

    /**
     * Whether the input gradient of the convolution {@code w} (one group, {@code cout} output channels) is computed
     * as a direct convolution of the output gradient: unit stride and dilation, padding below the kernel size
     * (so the gradient is a padded convolution), and small images with a short depth, where the direct kernel
     * beats a GEMM into a column matrix and col2im (the bounds of {@code F.conv2d}'s own choice).
     */
    private static boolean transposedDirect(Window w, int cout) {
        if (w.strideH() != 1 || w.strideW() != 1 || w.dilationH() != 1 || w.dilationW() != 1
                || w.padH() > w.kernelH() - 1 || w.padW() > w.kernelW() - 1) {
            return false;
        }
        long padded = (long) cout * (w.outH() + 2L * (w.kernelH() - 1 - w.padH()))
                * (w.outW() + 2L * (w.kernelW() - 1 - w.padW()));
        return padded <= TRANSPOSED_DIRECT_MAX_IMAGE && (long) cout * w.kernelH() * w.kernelW() <= TRANSPOSED_DIRECT_MAX_DEPTH;
    }

    /** {@code [N, C*kh*kw, L]} to {@code [N, C, outputSize]}: every column entry summed into the place unfold read it. */
    static Tensor fold(Tensor cols, int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        String op = "fold";
        checkGeometry(op, kernel, dilation, padding, stride);
        if (outputSize.length != 2 || outputSize[0] <= 0 || outputSize[1] <= 0) {
            throw new ShapeException(op + ": output_size must be two positive sizes [H, W], got "
                    + Arrays.toString(outputSize));
        }
        TensorBody cb = cols.body();
        checkFloat(op, cb);
        int[] s = cb.shape;
        int kk = kernel[0] * kernel[1];
        if (s.length != 3 || s[1] % kk != 0) {
            throw new ShapeException(op + ": expected input of shape [N, C*" + kernel[0] + "*" + kernel[1] + ", L] (its"
                    + " dimension 1 divisible by the kernel's " + kk + " positions), got " + Shapes.format(s));
        }
        int[] image = {s[0], s[1] / kk, outputSize[0], outputSize[1]};
        int outH = blocks(op, outputSize[0], kernel[0], dilation[0], padding[0], stride[0], image, kernel, dilation,
                padding, stride);
        int outW = blocks(op, outputSize[1], kernel[1], dilation[1], padding[1], stride[1], image, kernel, dilation,
                padding, stride);
        if (outH * outW != s[2]) {
            throw new ShapeException(op + ": output_size " + Arrays.toString(outputSize) + " with kernel_size "
                    + Arrays.toString(kernel) + ", dilation " + Arrays.toString(dilation) + ", padding "
                    + Arrays.toString(padding) + " and stride " + Arrays.toString(stride) + " gives " + outH + "*" + outW
                    + " = " + outH * outW + " sliding blocks, but the input " + Shapes.format(s) + " has " + s[2]
                    + " in dimension 2");
        }
        Window w = window(image[1], image[2], image[3], kernel, dilation, padding, stride, outH, outW);
        TensorBody ob = cb.newDense(image);
        Kernels.fold(cb, w, ob);
        return Graph.record(new Tensor(ob), "Col2ImBackward",
                g -> new Tensor[] {unfold(g, kernel, dilation, padding, stride)}, cols);
    }

    /** Max pooling as {@code F.max_pool2d}; the gradient goes to the first maximum of each window. */
    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        String op = "maxPool2d";
        checkGeometry(op, kernel, dilation, padding, stride);
        for (int d = 0; d < 2; d++) {
            if (padding[d] > kernel[d] / 2) {
                throw new CairnException(op + ": padding " + Arrays.toString(padding) + " must be at most half of"
                        + " kernel_size " + Arrays.toString(kernel) + " (PyTorch's rule); pad the input first");
            }
        }
        TensorBody xb = checkImage(op, x);
        int[] s = xb.shape;
        if ((long) s[2] * s[3] > (1 << 24)) {
            throw new ShapeException(op + ": image planes of " + s[2] + "x" + s[3] + " elements are too large (the"
                    + " saved positions of the maxima are exact up to 2^24 per plane)");
        }
        int outH = Shapes.windowOutputSize(op, s[2], kernel[0], stride[0], padding[0], dilation[0], ceilMode);
        int outW = Shapes.windowOutputSize(op, s[3], kernel[1], stride[1], padding[1], dilation[1], ceilMode);
        checkWindowsReachInput(op, "height", s[2], kernel[0], stride[0], padding[0], dilation[0], outH);
        checkWindowsReachInput(op, "width", s[3], kernel[1], stride[1], padding[1], dilation[1], outW);
        Window w = window(s[1], s[2], s[3], kernel, dilation, padding, stride, outH, outW);
        int[] outShape = {s[0], s[1], outH, outW};
        TensorBody ob = xb.newDense(outShape);
        TensorBody ib = xb.newDense(outShape);
        Kernels.maxPool2d(xb, w, ob, ib);
        Tensor indices = TensorScope.forget(new Tensor(ib));
        return Graph.record(new Tensor(ob), "MaxPool2DBackward", new Tensor[] {indices},
                g -> new Tensor[] {maxPool2dBackward(g, indices, w)}, x);
    }

    /** The gradient of max pooling: {@code g} added at the saved positions of the maxima; differentiable in {@code g}. */
    private static Tensor maxPool2dBackward(Tensor g, Tensor indices, Window w) {
        TensorBody gb = Kernels.operand("maxPool2d backward", indices, g);
        int[] gs = gb.shape;
        TensorBody ob = gb.newDense(new int[] {gs[0], gs[1], w.inH(), w.inW()});
        Kernels.maxPool2dBackward(gb, indices.body(), w, ob);
        return Graph.record(new Tensor(ob), "MaxPool2DBackwardBackward", g2 -> {
            // the gradient of a scatter is the gather from the same positions
            Tensor flat = g2.reshape(gs[0], gs[1], w.inH() * w.inW());
            Tensor idx = indices.to(DType.INT64).reshape(gs[0], gs[1], w.positions());
            return new Tensor[] {flat.gather(2, idx).reshape(gs)};
        }, g);
    }

    /**
     * Every pooling window must hold at least one input element (with an even kernel, padding of half of it
     * and a dilation wider than the input, one could hold only padding, and its maximum would have no place).
     */
    private static void checkWindowsReachInput(String op, String dim, int in, int k, int s, int p, int d, int out) {
        for (int o = 0; o < out; o++) {
            int first = o * s - p;
            int end = Math.min(first + (k - 1) * d + 1, in);
            while (first < 0) {
                first += d;
            }
            if (first >= end) {
                throw new ShapeException(op + ": window " + o + " along the " + dim + " (kernel " + k + ", stride " + s
                        + ", padding " + p + ", dilation " + d + ") covers only padding of an input of " + dim + " " + in
                        + "; use a smaller dilation or padding");
            }
        }
    }

    /** Number of sliding blocks along one dimension for unfold/fold, at least one or an error like PyTorch's. */
    private static int blocks(String op, int in, int k, int d, int p, int s, int[] shape, int[] kernel,
                              int[] dilation, int[] padding, int[] stride) {
        long n = Math.floorDiv((long) in + 2L * p - (long) d * (k - 1) - 1, s) + 1;
        if (n < 1) {
            throw new ShapeException(op + ": the image " + Shapes.format(shape) + " with padding "
                    + Arrays.toString(padding) + " is smaller than the window (kernel_size " + Arrays.toString(kernel)
                    + ", dilation " + Arrays.toString(dilation) + ", stride " + Arrays.toString(stride)
                    + "): no sliding block fits");
        }
        return (int) n;
    }

    private static Window window(int c, int h, int w, int[] kernel, int[] dilation, int[] padding, int[] stride,
                                 int outH, int outW) {
        return new Window(c, h, w, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0],
                dilation[1], outH, outW);
    }

    private static void checkGeometry(String op, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        check(op, "kernel_size", kernel, 1);
        check(op, "dilation", dilation, 1);
        check(op, "padding", padding, 0);
        check(op, "stride", stride, 1);
    }

    private static void check(String op, String what, int[] v, int min) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
            throw new CairnException(op + ": " + what + " must be two sizes [h, w], each at least " + min + ", got "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
    }

    private static TensorBody checkImage(String op, Tensor x) {
        TensorBody b = x.body();
        checkFloat(op, b);
        if (b.shape.length != 4) {
            throw new ShapeException(op + ": expected input of shape [N, C, H, W], got " + Shapes.format(b.shape)
                    + (b.shape.length == 3 ? "; add the batch dimension with unsqueeze(0)" : ""));
        }
        return b;
    }

    private static void checkFloat(String op, TensorBody b) {
        if (b.dtype != DType.FLOAT32) {
            throw new CairnException(op + ": expected a float32 tensor, got " + b.dtype + " on " + b.device
                    + "; convert with to(DType.FLOAT32)");
        }
    }
}
