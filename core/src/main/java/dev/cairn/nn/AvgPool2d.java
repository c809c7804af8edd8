package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/** Average pooling over windows of {@code [N, C, H, W]} images, like {@code torch.nn.AvgPool2d} (square windows). */
public class AvgPool2d extends Module {
    private final int kernelSize;
    private final int stride;
    private final int padding;

    public AvgPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.avgPool2d(input, new int[] {kernelSize, kernelSize}, new int[] {stride, stride},
                new int[] {padding, padding});
    }

    @Override
    public String extraRepr() {
        return "kernel_size=" + kernelSize + ", stride=" + stride + ", padding=" + padding;
    }
}
