package dev.cairn.nn;

import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * A 1-D convolution over {@code [N, C, L]} sequences, like {@code torch.nn.Conv1d}: weight
 * {@code [out, in/groups, k]}, bias {@code [out]}, PyTorch's initialisation; computed as a 2-D convolution of
 * height 1.
 */
public class Conv1d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernelSize;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;
    public final Parameter weight;
    public final Parameter bias;

    public Conv1d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true);
    }

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups,
                  boolean bias) {
        Conv2d shape = new Conv2d(inChannels, outChannels, new int[] {1, kernelSize}, new int[] {1, stride},
                new int[] {0, padding}, new int[] {1, dilation}, groups, bias);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.weight = registerParameter("weight", shape.weight.data().squeeze(2));
        this.bias = bias ? registerParameter("bias", shape.bias.data()) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] s = input.shape();
        if (s.length != 3 || s[1] != inChannels) {
            throw new ShapeException("Conv1d(" + inChannels + ", " + outChannels + ") expects input of shape [N, "
                    + inChannels + ", L], got " + Shapes.format(s));
        }
        return F.conv1d(input, weight, bias, stride, padding, dilation, groups);
    }

    @Override
    public String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + PyRepr.tuple(kernelSize) + ", stride="
                + PyRepr.tuple(stride) + (padding != 0 ? ", padding=" + PyRepr.tuple(padding) : "")
                + (dilation != 1 ? ", dilation=" + PyRepr.tuple(dilation) : "") + (groups != 1 ? ", groups=" + groups : "")
                + (bias == null ? ", bias=False" : "");
    }
}
