package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** Max pooling over windows of {@code [N, C, H, W]} images, like {@code torch.nn.MaxPool2d} (square windows). */
public class MaxPool2d extends Module {
    private final int kernelSize;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final boolean ceilMode;

    /** Stride equal to the window, as PyTorch's default. */
    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0, 1, false);
    }

    public MaxPool2d(int kernelSize, int stride, int padding, int dilation, boolean ceilMode) {
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.maxPool2d(input, new int[] {kernelSize, kernelSize}, new int[] {stride, stride},
                new int[] {padding, padding}, new int[] {dilation, dilation}, ceilMode);
    }

    @Override
    public String extraRepr() {
        return "kernel_size=" + kernelSize + ", stride=" + stride + ", padding=" + padding + ", dilation=" + dilation
                + ", ceil_mode=" + PyRepr.bool(ceilMode);
    }
}
