package dev.cairn.autograd;

import static dev.cairn.autograd.GradCheck.awayFromZero;
import static dev.cairn.autograd.GradCheck.distinct;
import static dev.cairn.autograd.GradCheck.in;
import static dev.cairn.autograd.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.autograd.GradCheck.In;
import dev.cairn.Device;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every differentiable op's gradient against central finite differences (see {@link GradCheck}). */
class GradCheckOpsTest {
    private final List<DynamicTest> cases = new ArrayList<>();

    private void add(String name, Function<Tensor[], Tensor> f, In... inputs) {
        cases.add(DynamicTest.dynamicTest(name, () -> GradCheck.check(name, f, inputs)));
    }

    private static In pos(long seed, int... shape) {
        return uniform(seed, 0.5, 2.0, shape);
    }

    private static In any(long seed, int... shape) {
        return uniform(seed, -1.5, 1.5, shape);
    }

    @TestFactory
    Stream<DynamicTest> unary() {
        add("neg", t -> t[0].neg(), any(1, 2, 3));
        add("abs", t -> t[0].abs(), awayFromZero(2, 2, 3));
        add("relu", t -> t[0].relu(), awayFromZero(3, 2, 3));
        add("exp", t -> t[0].exp(), uniform(4, -2, 2, 2, 3));
        add("log", t -> t[0].log(), uniform(5, 0.3, 3, 2, 3));
        add("sqrt", t -> t[0].sqrt(), uniform(6, 0.3, 3, 2, 3));
        add("pow(2)", t -> t[0].pow(2f), any(7, 2, 3));
        add("pow(3)", t -> t[0].pow(3f), any(8, 2, 3));
        add("pow(1)", t -> t[0].pow(1f), any(9, 5));
        add("pow(0.5)", t -> t[0].pow(0.5f), pos(10, 2, 3));
        add("pow(-1.5)", t -> t[0].pow(-1.5f), pos(11, 2, 3));
        add("pow(0)", t -> t[0].pow(0f), any(12, 4));
        add("exp of 0-dim", t -> t[0].exp(), in(new float[] {0.7f}));
        add("chain log(exp(x)*x)", t -> t[0].exp().mul(t[0]).log(), pos(13, 3, 2));
        return cases.stream();
    }

    @TestFactory
    Stream<DynamicTest> binary() {
        String[] names = {"add", "sub", "mul", "div"};
        List<Function<Tensor[], Tensor>> ops = List.of(t -> t[0].add(t[1]), t -> t[0].sub(t[1]),
                t -> t[0].mul(t[1]), t -> t[0].div(t[1]));
        int[][][] shapes = {
            {{2, 3}, {2, 3}}, {{3, 1}, {1, 4}}, {{2, 3}, {3}}, {{3}, {2, 3}}, {{}, {2, 3}}, {{2, 3}, {}},
            {{2, 1, 3}, {4, 1}}, {{}, {}}};
        for (int k = 0; k < names.length; k++) {
            for (int[][] s : shapes) {
                In a = any(100 + k, s[0]);
                In b = k == 3 ? awayFromZero(200 + k, s[1]) : any(200 + k, s[1]);
                add(names[k] + " " + java.util.Arrays.toString(s[0]) + " x " + java.util.Arrays.toString(s[1]),
                        ops.get(k), a, b);
            }
        }
        add("x op x (same tensor twice)", t -> t[0].mul(t[0]).add(t[0]).div(t[0].add(3f)), any(20, 2, 2));
        add("add(float)", t -> t[0].add(1.5f), any(21, 2, 3));
        add("sub(float)", t -> t[0].sub(0.7f), any(22, 2, 3));
        add("mul(float)", t -> t[0].mul(-2.5f), any(23, 2, 3));
        add("div(float)", t -> t[0].div(4f), any(24, 2, 3));
        add("div(negative float)", t -> t[0].div(-0.5f), any(25, 2, 3));
        add("pow(tensor)", t -> t[0].pow(t[1]), pos(26, 2, 3), uniform(27, -1.5, 2, 2, 3));
        add("pow(tensor) [3,1] x [1,4]", t -> t[0].pow(t[1]), pos(28, 3, 1), uniform(29, -1.5, 2, 1, 4));
        add("pow(tensor) by 0-dim exponent", t -> t[0].pow(t[1]), pos(30, 2, 3), in(new float[] {1.7f}));
        add("pow(tensor) of 0-dim base", t -> t[0].pow(t[1]), in(new float[] {1.3f}), uniform(31, -1, 2, 4));
        // maximum/minimum: inputs differ by at least 0.2 everywhere (no ties, no kinks within the step)
        In ma = in(new float[] {-1.0f, 0.4f, 1.2f}, 3, 1);
        In mb = in(new float[] {-0.4f, 0.9f, 1.6f, -1.5f}, 1, 4);
        add("maximum [3,1] x [1,4]", t -> t[0].maximum(t[1]), ma, mb);
        add("minimum [3,1] x [1,4]", t -> t[0].minimum(t[1]), ma, mb);
        In sa = in(new float[] {0.5f, -1f, 2f, 0.1f, -0.3f, 1.1f}, 2, 3);
        In sb = in(new float[] {1.0f, -1.5f, 0.2f, 0.6f, 0.4f, -2f}, 2, 3);
        add("maximum same shape", t -> t[0].maximum(t[1]), sa, sb);
        add("minimum same shape", t -> t[0].minimum(t[1]), sa, sb);
        add("maximum [2,3] x 0-dim", t -> t[0].maximum(t[1]), sa, in(new float[] {0.3f}));
        return cases.stream();
    }

    @TestFactory
    Stream<DynamicTest> reductions() {
        In x = any(40, 2, 3, 4);
        add("sum()", t -> t[0].sum(), x);
        for (int d : new int[] {0, 1, 2, -1}) {
            for (boolean keep : new boolean[] {false, true}) {
                add("sum(" + d + ", " + keep + ")", t -> t[0].sum(d, keep), x);
                add("mean(" + d + ", " + keep + ")", t -> t[0].mean(d, keep), x);
            }
        }
        add("sum({0, 2}, false)", t -> t[0].sum(new int[] {0, 2}, false), x);
        add("sum({0, -1}, true)", t -> t[0].sum(new int[] {0, -1}, true), x);
        add("mean()", t -> t[0].mean(), x);
        add("sum() of 0-dim", t -> t[0].sum(), in(new float[] {2f}));
        add("sum(0) of 0-dim", t -> t[0].sum(0, false), in(new float[] {2f}));
        add("mean of 1-D", t -> t[0].mean(), any(41, 5));
        In dx = distinct(42, 2, 3, 4);
        add("max()", t -> t[0].max(), dx);
        add("min()", t -> t[0].min(), dx);
        for (int d : new int[] {0, 1, 2, -1}) {
            for (boolean keep : new boolean[] {false, true}) {
                add("max(" + d + ", " + keep + ")", t -> t[0].max(d, keep), dx);
                add("min(" + d + ", " + keep + ")", t -> t[0].min(d, keep), dx);
            }
        }
        add("max(1) of a transposed view", t -> t[0].transpose(0, 2).max(1, false), dx);
        add("softmax-like composite", t -> t[0].sub(t[0].max(1, true)).exp().div(t[0].sub(t[0].max(1, true)).exp()
                .sum(1, true)), distinct(43, 3, 4));
        return cases.stream();
    }

    @TestFactory
    Stream<DynamicTest> shapes() {
        In x = any(50, 2, 3, 4);
        add("reshape(6, 4)", t -> t[0].reshape(6, 4), x);
        add("reshape(-1)", t -> t[0].reshape(-1), x);
        add("reshape of a transposed view (copies)", t -> t[0].transpose(0, 2).reshape(4, 6), x);
        add("view(4, 6)", t -> t[0].view(4, 6), x);
        add("view to 0-dim", t -> t[0].view(), in(new float[] {1.5f}, 1, 1));
        add("transpose(0, 2)", t -> t[0].transpose(0, 2), x);
        add("transpose(-1, -2)", t -> t[0].transpose(-1, -2), x);
        add("t()", t -> t[0].t(), any(51, 3, 5));
        add("permute(2, 0, 1)", t -> t[0].permute(2, 0, 1), x);
        add("expand [3,1] -> [2,3,4]", t -> t[0].expand(2, 3, 4), any(52, 3, 1));
        add("expand [3,1] -> [-1,5]", t -> t[0].expand(-1, 5), any(53, 3, 1));
        add("expand 0-dim -> [2,2]", t -> t[0].expand(2, 2), in(new float[] {0.8f}));
        In ones = any(54, 2, 1, 3, 1);
        add("squeeze()", t -> t[0].squeeze(), ones);
        add("squeeze(1)", t -> t[0].squeeze(1), ones);
        add("squeeze(-1)", t -> t[0].squeeze(-1), ones);
        add("squeeze(0) of a size-2 dim (no-op)", t -> t[0].squeeze(0).mul(2f), ones);
        add("unsqueeze(0)", t -> t[0].unsqueeze(0), x);
        add("unsqueeze(-1)", t -> t[0].unsqueeze(-1), x);
        add("unsqueeze(1) of a transposed view", t -> t[0].transpose(0, 1).unsqueeze(1), x);
        add("flatten", t -> t[0].flatten(), x);
        add("contiguous of a permuted view", t -> t[0].permute(1, 2, 0).contiguous(), x);
        add("copy", t -> t[0].copy(), x);
        add("copy of a transposed view", t -> t[0].transpose(1, 2).copy(), x);
        add("to(Device.cpu())", t -> t[0].to(Device.cpu()), x);
        add("to(cpu) then mul", t -> t[0].mul(2f).to(Device.cpu()).mul(t[0]), x);
        add("expand then sum over the broadcast dims", t -> t[0].expand(4, 3, 2).mul(t[1]).sum(0, false),
                any(55, 3, 1), any(56, 4, 3, 2));
        return cases.stream();
    }

    @TestFactory
    Stream<DynamicTest> secondGenerationOps() {
        add("tanh", t -> t[0].tanh(), any(200, 2, 3));
        add("sigmoid", t -> t[0].sigmoid(), any(201, 2, 3));
        add("erf", t -> t[0].erf(), any(202, 2, 3));
        add("sin", t -> t[0].sin(), any(203, 2, 3));
        add("cos", t -> t[0].cos(), any(204, 2, 3));
        add("reciprocal", t -> t[0].reciprocal(), pos(205, 2, 3));
        add("clamp (inputs away from the bounds)", t -> t[0].clamp(-0.05f, 0.05f), awayFromZero(206, 2, 3));
        add("gelu", t -> t[0].gelu(), any(207, 2, 3));
        add("gelu tanh", t -> t[0].gelu("tanh"), any(208, 2, 3));
        add("silu", t -> t[0].silu(), any(209, 2, 3));
        add("softplus", t -> t[0].softplus(2f), any(210, 2, 3));
        add("leakyRelu", t -> t[0].leakyRelu(0.2f), any(230, 2, 3));
        add("softmax", t -> t[0].softmax(-1), any(211, 2, 4));
        add("logSoftmax dim 0", t -> t[0].logSoftmax(0), any(212, 3, 2));
        add("logsumexp", t -> t[0].logsumexp(1, false), any(213, 2, 4));
        add("var", t -> t[0].var(1, 1, true), any(214, 2, 4));
        add("std of all", t -> t[0].std(0), any(215, 3, 3));
        add("amax", t -> t[0].amax(0, false), any(216, 3, 4));
        add("cat", t -> Tensor.cat(1, t[0], t[1].t()), any(217, 2, 3), any(218, 2, 2));
        add("stack", t -> Tensor.stack(0, t[0], t[1]), any(219, 2, 3), any(220, 2, 3));
        add("narrow", t -> t[0].narrow(0, 1, 2), any(221, 3, 2));
        add("slice with step", t -> t[0].slice(1, 0, 5, 2), any(222, 2, 5));
        add("select", t -> t[0].select(-1, 1), any(223, 2, 3));
        add("repeat", t -> t[0].repeat(2, 2), any(224, 2, 3));
        add("movedim", t -> t[0].movedim(2, 0), any(225, 2, 3, 2));
        return cases.stream();
    }

    /** The fused primitives (one kernel forward, one backward) on long, strided and odd-sized lines. */
    @TestFactory
    Stream<DynamicTest> fusedPrimitives() {
        add("softmax, 37-long rows (vector body and tail)", t -> t[0].softmax(1), any(300, 3, 37));
        add("softmax of a transposed view (strided rows)", t -> t[0].t().softmax(-1), any(301, 5, 3));
        add("softmax along the middle dim", t -> t[0].softmax(1), any(302, 2, 3, 4));
        add("logSoftmax, 33-long rows", t -> t[0].logSoftmax(-1), any(303, 2, 33));
        add("logSoftmax of a transposed view", t -> t[0].transpose(0, 1).logSoftmax(1), any(304, 4, 3));
        add("softmax of 0-dim", t -> t[0].softmax(0), in(new float[] {0.3f}));
        add("softmax of batched matmul scores", t -> t[0].matmul(t[1].transpose(1, 2)).softmax(-1),
                any(305, 2, 3, 4), any(306, 2, 5, 4));
        add("gelu, 40 values (vector body and tail)", t -> t[0].gelu(), uniform(307, -4, 4, 40));
        add("gelu tanh, 40 values", t -> t[0].gelu("tanh"), uniform(308, -4, 4, 40));
        add("gelu of a transposed view", t -> t[0].t().gelu(), any(309, 3, 4));
        add("layerNorm with weight and bias", t -> t[0].layerNorm(new int[] {5}, t[1], t[2], 1e-5f),
                any(310, 3, 5), any(311, 5), any(312, 5));
        add("layerNorm over two dims, 40 columns", t -> t[0].layerNorm(new int[] {4, 10}, t[1], t[2], 1e-5f),
                any(313, 2, 4, 10), any(314, 4, 10), any(315, 4, 10));
        add("layerNorm without affine", t -> t[0].layerNorm(new int[] {6}, null, null, 1e-5f), any(316, 2, 6));
        add("layerNorm of a transposed view, weight only", t -> t[0].t().layerNorm(new int[] {3}, t[1], null, 1e-3f),
                any(317, 3, 4), any(318, 3));
        add("cumsum dim 1", t -> t[0].cumsum(1), any(319, 3, 5));
        add("cumsum dim 0 of a transposed view", t -> t[0].t().cumsum(0), any(320, 3, 4));
        add("cumsum negative dim", t -> t[0].cumsum(-2), any(321, 2, 3, 2));
        add("prod of all", t -> t[0].prod(), uniform(322, 0.5, 1.5, 2, 3));
        add("prod dim 1 keepdim", t -> t[0].prod(1, true), uniform(323, -1.5, 1.5, 3, 4));
        add("prod dim 0", t -> t[0].prod(0, false), uniform(324, 0.5, 1.5, 3, 2));
        add("prod dim of a row with one zero", t -> t[0].prod(1, false),
                in(new float[] {0f, 1.5f, -2f, 0.5f, 1.2f, 0.8f}, 2, 3));
        add("batchNorm training, [4, 3, 5] with weight and bias", t -> Tensor.batchNorm(t[0], Tensor.zeros(3),
                Tensor.ones(3), t[1], t[2], true, 0.1, 1e-5), any(325, 4, 3, 5), any(326, 3), any(327, 3));
        add("batchNorm training, [6, 20] (blocks of channels) without affine", t -> Tensor.batchNorm(t[0], null,
                null, null, null, true, 0.1, 1e-5), any(328, 6, 20));
        add("batchNorm training, [2, 2, 3, 9] spatial runs, weight only", t -> Tensor.batchNorm(t[0], null, null,
                t[1], null, true, 0.1, 1e-3), any(329, 2, 2, 3, 9), any(330, 2));
        add("batchNorm training of a channels-last view", t -> Tensor.batchNorm(t[0].permute(0, 3, 1, 2), null, null,
                t[1], t[2], true, 0.1, 1e-5), any(331, 2, 3, 2, 4), any(332, 4), any(333, 4));
        add("batchNorm evaluation, [3, 4, 17]", t -> Tensor.batchNorm(t[0],
                Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0f}, 4), Tensor.of(new float[] {0.5f, 1f, 2f, 0.8f}, 4),
                t[1], t[2], false, 0.1, 1e-5), any(334, 3, 4, 17), any(335, 4), any(336, 4));
        return cases.stream();
    }

    @TestFactory
    Stream<DynamicTest> slidingWindows() {
        int[] one = {1, 1};
        add("im2col stride, padding, dilation", t -> t[0].im2col(new int[] {3, 2}, new int[] {2, 1},
                new int[] {1, 2}, new int[] {2, 3}), any(301, 2, 2, 7, 6));
        add("im2col of a transposed view", t -> t[0].transpose(2, 3).im2col(new int[] {2, 2}, one, one,
                new int[] {1, 2}), any(302, 1, 2, 4, 5));
        add("col2im overlapping windows", t -> t[0].col2im(new int[] {5, 4}, new int[] {3, 3}, one, one, one),
                any(303, 1, 18, 20));
        add("col2im stride, padding, dilation", t -> t[0].col2im(new int[] {7, 6}, new int[] {3, 2},
                new int[] {2, 1}, new int[] {1, 2}, new int[] {2, 3}), any(304, 2, 6, 9));
        add("maxPool2d overlapping, padded, ceil", t -> t[0].maxPool2d(new int[] {3, 3}, new int[] {2, 2}, one, one,
                true), distinct(305, 2, 2, 6, 7));
        add("maxPool2d dilation", t -> t[0].maxPool2d(new int[] {2, 3}, new int[] {1, 2}, new int[] {0, 1},
                new int[] {2, 1}, false), distinct(306, 1, 3, 6, 7));
        add("maxPool2d of a strided view", t -> t[0].transpose(2, 3).maxPool2d(new int[] {2, 2}, new int[] {2, 2},
                new int[] {0, 0}, one, false), distinct(307, 2, 1, 4, 6));
        add("avgPool2d padded", t -> dev.cairn.nn.F.avgPool2d(t[0], new int[] {3, 2}, new int[] {2, 1},
                new int[] {1, 1}), any(308, 2, 2, 5, 6));
        add("conv2d groups, stride, dilation, padding", t -> dev.cairn.nn.F.conv2d(t[0], t[1], t[2],
                new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 2}, 2), any(309, 2, 4, 6, 7), any(310, 6, 2, 3, 2),
                any(311, 6));
        add("conv2d 1x1 without bias", t -> dev.cairn.nn.F.conv2d(t[0], t[1], null, one, new int[] {0, 0}, one, 1),
                any(312, 2, 3, 3, 4), any(313, 5, 3, 1, 1));
        // an image that records no gradient (a network's first layer) goes through the direct kernel even when
        // training: only the weight's and bias's gradients flow, from the backward's own im2col
        In image = any(317, 2, 2, 6, 5);
        add("conv2d of an image without gradient, padded", t -> dev.cairn.nn.F.conv2d(
                Tensor.of(image.data(), image.shape()), t[0], t[1], one, new int[] {2, 2}, one, 1),
                any(318, 3, 2, 5, 5), any(319, 3));
        add("conv2d of an image without gradient, groups, stride, dilation", t -> dev.cairn.nn.F.conv2d(
                Tensor.of(image.data(), image.shape()), t[0], t[1], new int[] {2, 1}, new int[] {1, 0},
                new int[] {1, 2}, 2), any(320, 4, 1, 3, 2), any(321, 4));
        // unit strides: the image's gradient by the direct kernel too (the flipped kernel over the padded output
        // gradient), with padding from none to one less than the kernel, on either axis
        add("conv2d unit strides, padded 2 of 5x5", t -> dev.cairn.nn.F.conv2d(t[0], t[1], t[2], one,
                new int[] {2, 2}, one, 1), any(322, 2, 3, 6, 5), any(323, 4, 3, 5, 5), any(324, 4));
        add("conv2d unit strides, 3x2 padded 2 and 0", t -> dev.cairn.nn.F.conv2d(t[0], t[1], null, one,
                new int[] {2, 0}, one, 1), any(325, 1, 2, 4, 5), any(326, 3, 2, 3, 2));
        add("conv1d stride, padding, dilation", t -> dev.cairn.nn.F.conv1d(t[0], t[1], t[2], 2, 2, 2, 1),
                any(314, 2, 3, 11), any(315, 4, 3, 3), any(316, 4));
        return cases.stream();
    }

    @TestFactory
    Stream<DynamicTest> linearAlgebra() {
        int[][][] combos = {
            {{4}, {4}}, {{3, 4}, {4}}, {{4}, {4, 2}}, {{3, 4}, {4, 2}},
            {{2, 3, 4}, {4, 2}}, {{2, 3, 4}, {4}}, {{4}, {2, 4, 3}}, {{3, 4}, {2, 4, 5}},
            {{2, 3, 4}, {2, 4, 5}}, {{2, 1, 3, 4}, {3, 4, 2}}, {{1, 3, 4}, {2, 4, 2}}, {{2, 2, 3, 4}, {4, 3}},
            {{4}, {2, 2, 4, 3}}, {{2, 1, 2, 3}, {1, 3, 3, 2}}};
        long seed = 60;
        for (int[][] s : combos) {
            add("matmul " + java.util.Arrays.toString(s[0]) + " x " + java.util.Arrays.toString(s[1]),
                    t -> t[0].matmul(t[1]), any(seed++, s[0]), any(seed++, s[1]));
        }
        add("matmul of transposed views", t -> t[0].t().matmul(t[1].t()), any(80, 4, 3), any(81, 2, 4));
        add("matmul batched, transposed last dims", t -> t[0].transpose(1, 2).matmul(t[1]), any(82, 2, 4, 3),
                any(83, 4, 2));
        add("matmul of a permuted (no unit stride) operand", t -> t[0].permute(1, 0, 2).matmul(t[1]),
                any(84, 3, 2, 4), any(85, 4, 2));
        add("matmul x @ x^T", t -> t[0].matmul(t[0].t()), any(86, 3, 4));
        add("mm", t -> t[0].mm(t[1]), any(87, 3, 4), any(88, 4, 2));
        add("mm of transposed views", t -> t[0].t().mm(t[1].t()), any(89, 4, 3), any(90, 2, 4));
        add("mm [1,k] x [k,1]", t -> t[0].mm(t[1]), any(91, 1, 4), any(92, 4, 1));
        add("bmm", t -> t[0].bmm(t[1]), any(93, 2, 3, 4), any(94, 2, 4, 5));
        add("bmm of transposed views", t -> t[0].transpose(1, 2).bmm(t[1].transpose(1, 2)), any(95, 2, 4, 3),
                any(96, 2, 5, 4));
        return cases.stream();
    }

    /** Inputs for linear whose pre-activations are all at least {@code margin} away from 0 (ReLU's kink). */
    private static In[] linearInputs(long seed, int[] xShape, int out, boolean withBias, double margin) {
        for (long s = seed; ; s += 7) {
            In x = any(s, xShape);
            In w = any(s + 1, out, xShape[xShape.length - 1]);
            In b = any(s + 2, out);
            float[] pre;
            try (var g = GradMode.noGrad()) {
                pre = fusedLinear(Tensor.of(x.data(), x.shape()), Tensor.of(w.data(), w.shape()),
                        withBias ? Tensor.of(b.data(), b.shape()) : null, false).toFloatArray();
            }
            double min = Double.MAX_VALUE;
            for (float v : pre) {
                min = Math.min(min, Math.abs(v));
            }
            if (min >= margin) {
                return withBias ? new In[] {x, w, b} : new In[] {x, w};
            }
            assertTrue(s < seed + 7 * 2000, "no inputs away from ReLU's kink found");
        }
    }

    @TestFactory
    Stream<DynamicTest> linear() {
        for (boolean relu : new boolean[] {false, true}) {
            String r = relu ? " relu" : "";
            add("linear" + r + " [3,4] -> 5", t -> fusedLinear(t[0], t[1], t[2], relu),
                    linearInputs(300, new int[] {3, 4}, 5, true, 0.05));
            add("linear" + r + " without bias", t -> fusedLinear(t[0], t[1], null, relu),
                    linearInputs(310, new int[] {3, 4}, 2, false, 0.05));
            add("linear" + r + " 3-D input [2,3,4] -> 2", t -> fusedLinear(t[0], t[1], t[2], relu),
                    linearInputs(320, new int[] {2, 3, 4}, 2, true, 0.05));
            add("linear" + r + " 1-D input [4] -> 3", t -> fusedLinear(t[0], t[1], t[2], relu),
                    linearInputs(330, new int[] {4}, 3, true, 0.05));
        }
        add("linear of a transposed input and weight", t -> fusedLinear(t[0].t(), t[1].t(), t[2], false),
                any(340, 4, 3), any(341, 4, 5), any(342, 5));
        add("linear of a permuted 3-D input", t -> fusedLinear(t[0].permute(1, 0, 2), t[1], t[2], false),
                any(343, 3, 2, 4), any(344, 2, 4), any(345, 2));
        add("linear then sum (bias broadcast over rows)", t -> fusedLinear(t[0], t[1], t[2], false).sum(),
                any(346, 5, 3), any(347, 2, 3), any(348, 2));
        return cases.stream();
    }

    private static Tensor fusedLinear(Tensor x, Tensor w, Tensor b, boolean relu) {
        return relu ? Tensor.linearRelu(x, w, b) : Tensor.linear(x, w, b);
    }
}
