package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * A 2-D convolution over {@code [N, C, H, W]} images, like {@code torch.nn.Conv2d}: weight
 * {@code [out, in/groups, kh, kw]} and bias {@code [out]} initialised uniformly in +/- 1/sqrt(fan_in) as
 * PyTorch does; zero padding given per dimension or as {@code "same"} (stride 1; odd extra on the right and
 * bottom, as PyTorch) or {@code "valid"}. Runs as im2col plus one GEMM per group.
 */
public class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final String paddingMode;
    private final int[] dilation;
    private final int groups;
    public final Parameter weight;
    /** Null for a layer without bias. */
    public final Parameter bias;

    /** Stride 1, no padding, with bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, new int[] {kernelSize, kernelSize}, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, 1, true);
    }

    /** Square kernel, stride and padding. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, new int[] {kernelSize, kernelSize}, new int[] {stride, stride},
                new int[] {padding, padding}, new int[] {1, 1}, 1, true);
    }

    /** Every option, each as {@code [h, w]}. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                  int groups, boolean bias) {
        this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, Generator.global());
    }

    /** {@code padding} as {@code "same"} or {@code "valid"}, as PyTorch's string forms. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, String padding, int[] dilation, int groups,
                  boolean bias) {
        this(inChannels, outChannels, kernelSize, new int[] {1, 1}, new int[] {0, 0}, padding, dilation, groups, bias,
                Generator.global());
    }

    private Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, String paddingMode,
                   int[] dilation, int groups, boolean bias, Generator generator) {
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new CairnException("Conv2d: in_channels (" + inChannels + ") and out_channels (" + outChannels
                    + ") must both be divisible by groups (" + groups + ")");
        }
        if (paddingMode != null && !paddingMode.equals("same") && !paddingMode.equals("valid")) {
            throw new CairnException("Conv2d: padding must be \"same\", \"valid\" or sizes, got \"" + paddingMode + "\"");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernelSize.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.paddingMode = paddingMode;
        this.dilation = dilation.clone();
        this.groups = groups;
        int fanIn = inChannels / groups * kernel[0] * kernel[1];
        float bound = fanIn > 0 ? (float) (1.0 / Math.sqrt(fanIn)) : 0f;
        this.weight = registerParameter("weight",
                uniform(generator, bound, outChannels, inChannels / groups, kernel[0], kernel[1]));
        this.bias = bias ? registerParameter("bias", uniform(generator, bound, outChannels)) : null;
    }

    private static Tensor uniform(Generator g, float bound, int... shape) {
        float[] data = new float[Shapes.numel(shape)];
        g.fillUniform(data, -bound, bound);
        return Tensor.of(data, shape);
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] s = input.shape();
        if (s.length != 4 || s[1] != inChannels) {
            throw new ShapeException("Conv2d(" + inChannels + ", " + outChannels + ") expects input of shape [N, "
                    + inChannels + ", H, W], got " + Shapes.format(s));
        }
        int[] pads;
        if ("same".equals(paddingMode)) {
            int th = dilation[0] * (kernel[0] - 1);
            int tw = dilation[1] * (kernel[1] - 1);
            pads = new int[] {th / 2, th - th / 2, tw / 2, tw - tw / 2};
        } else {
            pads = new int[] {padding[0], padding[0], padding[1], padding[1]};
        }
        return Functional2d.conv2d(input, weight, bias, stride, pads, dilation, groups);
    }

    @Override
    public String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(PyRepr.tuple(kernel)).append(", stride=").append(PyRepr.tuple(stride));
        if (paddingMode != null) {
            sb.append(", padding=").append(paddingMode);
        } else if (padding[0] != 0 || padding[1] != 0) {
            sb.append(", padding=").append(PyRepr.tuple(padding));
        }
        if (dilation[0] != 1 || dilation[1] != 1) {
            sb.append(", dilation=").append(PyRepr.tuple(dilation));
        }
        if (groups != 1) {
            sb.append(", groups=").append(groups);
        }
        if (bias == null) {
            sb.append(", bias=False");
        }
        return sb.toString();
    }
}
