package dev.cairn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.autograd.GradMode;
import dev.cairn.io.SafeTensors;
import dev.cairn.nn.Conv2d;
import dev.cairn.nn.F;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The direct convolution ({@link Tensor#conv2d}, which {@code F.conv2d} uses when no gradient is recorded):
 * its forward against PyTorch's values in the committed op cases, against the im2col path (itself checked
 * against PyTorch by {@link OpReferenceTest}) over strides, dilations, groups, padding, 1x1 kernels, batch
 * sizes and non-contiguous inputs, and its gradient against the im2col path's.
 */
class DirectConvTest {
    private static final int[] ONE = {1, 1};

    private static Map<String, Tensor> cases() {
        try {
            return SafeTensors.read(Path.of(DirectConvTest.class.getResource("/ops/op_cases.safetensors").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void forwardMatchesPyTorchOnTheConvolutionCases() {
        Map<String, Tensor> all = cases();
        Tensor x = all.get("conv2d_dilation_groups.in0");
        OpReferenceTest.assertClose("conv2d_dilation_groups", all.get("conv2d_dilation_groups.out"),
                x.conv2d(all.get("conv2d_dilation_groups.in1"), all.get("conv2d_dilation_groups.in2"),
                        new int[] {2, 1}, new int[] {2, 1}, new int[] {2, 1}, 2));
        x = all.get("conv2d_depthwise_stride.in0");
        OpReferenceTest.assertClose("conv2d_depthwise_stride", all.get("conv2d_depthwise_stride.out"),
                x.conv2d(all.get("conv2d_depthwise_stride.in1"), all.get("conv2d_depthwise_stride.in2"),
                        new int[] {2, 3}, new int[] {1, 2}, ONE, 3));
        x = all.get("conv2d_1x1_no_bias.in0");
        OpReferenceTest.assertClose("conv2d_1x1_no_bias", all.get("conv2d_1x1_no_bias.out"),
                x.conv2d(all.get("conv2d_1x1_no_bias.in1"), null, ONE, new int[] {0, 0}, ONE, 1));
        // padding="same" with an even kernel (the odd extra row/column explicit), through the layer without grad
        var conv = new Conv2d(3, 4, new int[] {4, 3}, "same", ONE, 1, false);
        conv.weight.copyFrom(all.get("extra.conv_same_weight"));
        try (var ng = GradMode.noGrad()) {
            OpReferenceTest.assertClose("conv2d_same", all.get("conv2d_same.out"), conv.call(all.get("conv2d_same.in0")));
        }
    }

    /** n, c, h, w, o, groups, kh, kw, sh, sw, ph, pw, dh, dw. */
    private static final int[][] SHAPES = {
        {2, 1, 8, 8, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1},     // convnet's first conv
        {1, 1, 8, 8, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1},     // batch 1
        {3, 16, 8, 8, 16, 4, 3, 3, 2, 2, 1, 1, 1, 1},    // grouped, strided
        {2, 16, 2, 2, 32, 1, 1, 1, 1, 1, 0, 0, 1, 1},    // 1x1 (few positions: vectors along the output channels)
        {9, 3, 3, 1, 37, 1, 1, 1, 1, 1, 0, 0, 1, 1},     // 1x1, output channels not a whole number of vectors
        {8, 1, 1, 1, 9, 1, 1, 1, 1, 1, 0, 0, 1, 1},      // 1x1 on single pixels, one input channel
        {8, 5, 4, 4, 20, 1, 1, 1, 1, 1, 0, 0, 1, 1},     // 1x1 on 16 positions
        {64, 16, 2, 2, 32, 1, 1, 1, 1, 1, 0, 0, 1, 1},   // convnet's 1x1 at a batch split across threads
        {2, 6, 5, 5, 9, 3, 1, 1, 2, 2, 0, 0, 1, 1},      // 1x1 strided, grouped
        {1, 1, 28, 28, 6, 1, 5, 5, 1, 1, 2, 2, 1, 1},    // LeNet's first (outputs wider than a vector)
        {2, 6, 14, 14, 16, 1, 5, 5, 1, 1, 0, 0, 1, 1},   // LeNet's second
        {2, 4, 9, 7, 6, 2, 3, 2, 2, 3, 1, 0, 2, 1},      // mixed stride and dilation
        {1, 3, 11, 13, 5, 1, 3, 3, 3, 1, 1, 1, 1, 2},    // odd sizes, stride 3
        {2, 6, 6, 6, 6, 6, 3, 3, 1, 1, 2, 2, 2, 2},      // depthwise, padding 2 with dilation 2
        {1, 2, 3, 9, 5, 1, 3, 1, 1, 4, 1, 0, 1, 1},      // a kernel taller than wide, stride 4
        {1, 2, 20, 20, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1},    // 3 channels: a pair and one left, over long spans
        {2, 4, 12, 12, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1},    // depthwise over a span of several vectors
    };

    private static Tensor[] operands(int[] c, Generator gen, boolean transposed) {
        Tensor x = transposed ? Tensor.randn(gen, c[0], c[1], c[3], c[2]).transpose(2, 3)
                : Tensor.randn(gen, c[0], c[1], c[2], c[3]);
        return new Tensor[] {x, Tensor.randn(gen, c[4], c[1] / c[5], c[6], c[7]), Tensor.randn(gen, c[4])};
    }

    @Test
    void forwardMatchesTheIm2colPathOverShapes() {
        Generator gen = new Generator(11);
        for (int[] c : SHAPES) {
            for (boolean transposed : new boolean[] {false, true}) {
                for (boolean withBias : new boolean[] {true, false}) {
                    Tensor[] t = operands(c, gen, transposed);
                    Tensor bias = withBias ? t[2] : null;
                    int[] st = {c[8], c[9]};
                    int[] pd = {c[10], c[11]};
                    int[] dl = {c[12], c[13]};
                    String what = Arrays.toString(c) + (transposed ? " transposed" : "") + (withBias ? "" : " no bias");
                    Tensor direct = t[0].conv2d(t[1], bias, st, pd, dl, c[5]);
                    Tensor noGrad;
                    try (var ng = GradMode.noGrad()) {
                        noGrad = F.conv2d(t[0], t[1], bias, st, pd, dl, c[5]);
                    }
                    // an input that needs a gradient keeps F.conv2d on im2col and GEMM
                    Tensor im2col = F.conv2d(t[0], t[1].detach().requiresGrad(true), bias, st, pd, dl, c[5]).detach();
                    assertTrue(direct.isContiguous(), what);
                    OpReferenceTest.assertClose(what + " direct", im2col, direct);
                    OpReferenceTest.assertClose(what + " F.conv2d without grad", im2col, noGrad);
                }
            }
        }
    }

    @Test
    void gradientMatchesTheIm2colPath() {
        Generator gen = new Generator(12);
        for (int[] c : SHAPES) {
            Tensor[] t = operands(c, gen, true);
            int[] st = {c[8], c[9]};
            int[] pd = {c[10], c[11]};
            int[] dl = {c[12], c[13]};
            Tensor[] a = {t[0].detach().requiresGrad(true), t[1].detach().requiresGrad(true), t[2].detach().requiresGrad(true)};
            Tensor[] b = {t[0].detach().requiresGrad(true), t[1].detach().requiresGrad(true), t[2].detach().requiresGrad(true)};
            Tensor out = a[0].conv2d(a[1], a[2], st, pd, dl, c[5]);
            Tensor g = Tensor.randn(gen, out.shape());
            out.backward(g);
            F.conv2d(b[0], b[1], b[2], st, pd, dl, c[5]).backward(g);
            for (int i = 0; i < 3; i++) {
                OpReferenceTest.assertClose(Arrays.toString(c) + " grad of input " + i, b[i].grad(), a[i].grad());
            }
        }
        // without a bias the gradient has two parts
        Tensor x = Tensor.randn(gen, 2, 4, 5, 5).requiresGrad(true);
        Tensor w = Tensor.randn(gen, 3, 4, 3, 3).requiresGrad(true);
        x.conv2d(w, null, ONE, ONE, ONE, 1).sum().backward();
        assertArrayEquals(new int[] {3, 4, 3, 3}, w.grad().shape());
        assertArrayEquals(new int[] {2, 4, 5, 5}, x.grad().shape());
    }

    @Test
    void noGraphWithoutGradMode() {
        Tensor x = Tensor.randn(new Generator(3), 1, 2, 4, 4).requiresGrad(true);
        Tensor w = Tensor.randn(new Generator(4), 3, 2, 3, 3).requiresGrad(true);
        try (var ng = GradMode.noGrad()) {
            Tensor y = F.conv2d(x, w, null, ONE, ONE, ONE, 1);
            assertTrue(!y.requiresGrad());
            assertNull(y.gradFn());
        }
    }

    @Test
    void rejectsOperandsThatDoNotFit() {
        Tensor x = Tensor.randn(new Generator(5), 1, 4, 6, 6);
        var e = assertThrows(ShapeException.class,
                () -> x.conv2d(Tensor.zeros(3, 3, 3, 3), null, ONE, ONE, ONE, 1));
        assertTrue(e.getMessage().contains("conv2d") && e.getMessage().contains("[1, 4, 6, 6]")
                && e.getMessage().contains("[3, 3, 3, 3]"), e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> x.conv2d(Tensor.zeros(3, 4, 3, 3), Tensor.zeros(4), ONE, ONE, ONE, 1));
        assertTrue(e.getMessage().contains("bias must have shape [3]"), e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> x.conv2d(Tensor.zeros(3, 2, 3, 3), null, ONE, ONE, ONE, 3));
        assertTrue(e.getMessage().contains("groups=3"), e.getMessage());
        var big = assertThrows(CairnException.class,
                () -> x.conv2d(Tensor.zeros(3, 4, 9, 9), null, ONE, ONE, ONE, 1));
        assertTrue(big.getMessage().contains("conv2d"), big.getMessage());
        var dtype = assertThrows(CairnException.class,
                () -> x.to(DType.INT64).conv2d(Tensor.zeros(3, 4, 3, 3), null, ONE, ONE, ONE, 1));
        assertTrue(dtype.getMessage().contains("float32"), dtype.getMessage());
    }
}
