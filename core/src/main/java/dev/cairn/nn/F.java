package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** Functional forms of layers, as {@code torch.nn.functional}: stateless ops on tensors. */
public final class F {
    private F() {
    }

    /** max(x, 0) elementwise. */
    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /** {@code x @ weight^T + bias} ({@code bias} may be null), as one fused GEMM. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Tensor.linear(x, weight, bias);
    }

    /** {@code relu(x @ weight^T + bias)} as one GEMM with bias and ReLU fused into its output pass. */
    public static Tensor linearRelu(Tensor x, Tensor weight, Tensor bias) {
        return Tensor.linearRelu(x, weight, bias);
    }

    /**
     * 2-D convolution as {@code torch.nn.functional.conv2d}: {@code x} [N, C, H, W], {@code weight}
     * [O, C/groups, kh, kw], {@code bias} [O] or null; {@code stride}, {@code padding} (zeros, each side)
     * and {@code dilation} as [h, w].
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        return Functional2d.conv2d(x, weight, bias, stride, new int[] {padding[0], padding[0], padding[1], padding[1]},
                dilation, groups);
    }

    /** 1-D convolution as {@code F.conv1d}: {@code x} [N, C, L], {@code weight} [O, C/groups, k]. */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation,
                                int groups) {
        return conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, new int[] {1, stride}, new int[] {0, padding},
                new int[] {1, dilation}, groups).squeeze(2);
    }

    /**
     * im2col as {@code torch.nn.functional.unfold}: {@code x} [N, C, H, W] to [N, C*kh*kw, L], every argument
     * {@code [h, w]}; see {@link Tensor#im2col}.
     */
    public static Tensor unfold(Tensor x, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        return x.im2col(kernelSize, dilation, padding, stride);
    }

    /**
     * col2im as {@code torch.nn.functional.fold}: {@code x} [N, C*kh*kw, L] summed into [N, C, outputSize];
     * see {@link Tensor#col2im}.
     */
    public static Tensor fold(Tensor x, int[] outputSize, int[] kernelSize, int[] dilation, int[] padding,
                              int[] stride) {
        return x.col2im(outputSize, kernelSize, dilation, padding, stride);
    }

    /** Max pooling as {@code F.max_pool2d}; the gradient goes to the first maximum of each window. */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        return Functional2d.maxPool2d(x, kernel, stride, padding, dilation, ceilMode);
    }

    /** Average pooling as {@code F.avg_pool2d} (zero padding counted in the mean). */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return Functional2d.avgPool2d(x, kernel, stride, padding);
    }

    /** Adaptive average pooling to {@code [outH, outW]}, as {@code F.adaptive_avg_pool2d}. */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return Functional2d.adaptiveAvgPool2d(x, outH, outW);
    }

    /**
     * Layer normalisation over the last {@code normalizedDims} dimensions, as {@code F.layer_norm}:
     * {@code (x - mean) / sqrt(var + eps) * weight + bias} with the biased variance; weight and bias may be null.
     */
    public static Tensor layerNorm(Tensor x, int normalizedDims, Tensor weight, Tensor bias, float eps) {
        int[] s = x.shape();
        if (normalizedDims < 1 || normalizedDims > s.length) {
            throw new dev.cairn.tensor.ShapeException("layerNorm: cannot normalise over the last " + normalizedDims
                    + " dimensions of an input of shape " + dev.cairn.tensor.Shapes.format(s));
        }
        return x.layerNorm(java.util.Arrays.copyOfRange(s, s.length - normalizedDims, s.length), weight, bias, eps);
    }

    /**
     * The rows of {@code weight} at the int64 {@code ids}, as {@code F.embedding}: shape {@code ids.shape + [dim]}.
     * With {@code paddingIdx >= 0}, positions holding that id get no gradient (their value is still the row).
     */
    public static Tensor embedding(Tensor ids, Tensor weight, int paddingIdx) {
        int[] s = ids.shape();
        int dim = weight.size(1);
        int[] outShape = java.util.Arrays.copyOf(s, s.length + 1);
        outShape[s.length] = dim;
        Tensor rows = weight.indexSelect(0, ids.reshape(-1)).reshape(outShape);
        if (paddingIdx < 0) {
            return rows;
        }
        return Tensor.where(ids.eq((float) paddingIdx).unsqueeze(-1), rows.detach(), rows);
    }
}
