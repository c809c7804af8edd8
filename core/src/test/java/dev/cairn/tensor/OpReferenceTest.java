package dev.cairn.tensor;

import dev.cairn.DType;
import dev.cairn.Device;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.io.SafeTensors;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op case made by PyTorch ({@code scripts/make_op_cases.py}): the same op on the same inputs gives
 * PyTorch's output and, for a random upstream gradient, PyTorch's gradient of every input, within the
 * golden tolerance {@code 1e-4 (1 + max|expected|)}, with NaN exactly where PyTorch has NaN and
 * infinities of the same sign.
 */
class OpReferenceTest {
    /** Each case's op, mirroring the lambda of the same name in the script. */
    private static final Map<String, Function<Tensor[], Tensor>> OPS = new LinkedHashMap<>();
    /** The device the current case runs on: ops that make constants or modules put them here. */
    private static Device device = Device.cpu();

    static {
        OPS.put("tanh", x -> x[0].tanh());
        OPS.put("tanh_special", x -> x[0].tanh());
        OPS.put("tanh_transposed", x -> x[0].t().tanh());
        OPS.put("sigmoid", x -> x[0].sigmoid());
        OPS.put("sigmoid_special", x -> x[0].sigmoid());
        OPS.put("erf", x -> x[0].erf());
        OPS.put("sin", x -> x[0].sin());
        OPS.put("cos", x -> x[0].cos());
        OPS.put("reciprocal", x -> x[0].reciprocal());
        OPS.put("rsqrt", x -> x[0].rsqrt());
        OPS.put("square", x -> x[0].square());
        OPS.put("clamp", x -> x[0].clamp(-0.5f, 0.75f));
        OPS.put("clamp_special", x -> x[0].clamp(-1f, 1f));
        OPS.put("clamp_min", x -> x[0].clampMin(0.25f));
        OPS.put("gelu", x -> x[0].gelu());
        OPS.put("gelu_tanh", x -> x[0].gelu("tanh"));
        OPS.put("silu", x -> x[0].silu());
        OPS.put("leaky_relu", x -> x[0].leakyRelu(0.1f));
        OPS.put("softplus", x -> x[0].softplus(1f));
        OPS.put("softplus_beta", x -> x[0].softplus(2f));
        OPS.put("softmax_last", x -> x[0].softmax(-1));
        OPS.put("softmax_dim0", x -> x[0].softmax(0));
        OPS.put("softmax_transposed", x -> x[0].t().softmax(-1));
        OPS.put("softmax_masked", x -> {
            // PyTorch's masked_fill with -inf, written with today's float ops: -inf where masked
            Tensor mask = Tensor.of(new float[] {0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0}, 2, 6).to(device);
            Tensor filled = x[0].mul(mask.eq(0f)).add(mask.eq(1f).mul(-1e30f).mul(1e30f));
            assertEquals(Float.NEGATIVE_INFINITY, filled.toFloatArray()[1]);
            return filled.softmax(-1);
        });
        OPS.put("log_softmax", x -> x[0].logSoftmax(1));
        OPS.put("log_softmax_big", x -> x[0].logSoftmax(-1));
        OPS.put("logsumexp", x -> x[0].logsumexp(1, false));
        OPS.put("logsumexp_keepdim", x -> x[0].logsumexp(0, true));
        OPS.put("var_unbiased", x -> x[0].var(1, 1, false));
        OPS.put("var_population_keepdim", x -> x[0].var(0, 0, true));
        OPS.put("var_all", x -> x[0].var(1));
        OPS.put("std", x -> x[0].std(-1, 1, false));
        OPS.put("amax_ties", x -> x[0].amax(1, false));
        OPS.put("amin_ties_keepdim", x -> x[0].amin(0, true));
        OPS.put("norm_all", x -> x[0].norm());
        OPS.put("norm_dim_zero_row", x -> x[0].norm(2f, 1, false));
        OPS.put("norm_p3_keepdim", x -> x[0].norm(3f, 0, true));
        OPS.put("norm_inf", x -> x[0].norm(Float.POSITIVE_INFINITY, 1, false));
        OPS.put("cat0", x -> Tensor.cat(0, x[0], x[1], x[2]));
        OPS.put("cat_last", x -> Tensor.cat(-1, x[0], x[1]));
        OPS.put("cat_empty_piece", x -> Tensor.cat(0, x[0], x[1]));
        OPS.put("cat_transposed", x -> Tensor.cat(0, x[0].t(), x[1].t()));
        OPS.put("stack1", x -> Tensor.stack(1, x[0], x[1], x[2]));
        OPS.put("narrow", x -> x[0].narrow(1, 2, 3));
        OPS.put("slice_step", x -> x[0].slice(0, 1, 6, 2));
        OPS.put("slice_negative", x -> x[0].slice(1, -5, -1));
        OPS.put("select_negative", x -> x[0].select(1, -1));
        OPS.put("chunk_recombined", x -> {
            List<Tensor> parts = new ArrayList<>(x[0].chunk(3, 1));
            java.util.Collections.reverse(parts);
            return Tensor.cat(1, parts);
        });
        OPS.put("split_sizes", x -> {
            List<Tensor> parts = x[0].split(new int[] {1, 3, 2}, 0);
            return Tensor.cat(0, parts.get(0), parts.get(1).mul(2f), parts.get(2).mul(3f));
        });
        OPS.put("unbind_weighted", x -> {
            List<Tensor> rows = x[0].unbind(0);
            return rows.get(0).add(rows.get(1).mul(2f)).add(rows.get(2).mul(3f));
        });
        OPS.put("unflatten", x -> x[0].unflatten(1, 3, -1).mul(Tensor.arange(4).to(device)));
        OPS.put("movedim", x -> x[0].movedim(0, -1).mul(Tensor.arange(2).to(device)));
        OPS.put("repeat", x -> x[0].repeat(2, 1, 3));
        OPS.put("tile", x -> x[0].tile(2));
        OPS.put("flip", x -> x[0].flip(0, 2));
        OPS.put("roll", x -> x[0].roll(-2, 1));
        OPS.put("roll_flat", x -> x[0].roll(4));
        OPS.put("triu", x -> x[0].triu(1));
        OPS.put("tril_batched", x -> x[0].tril(-1));
        OPS.put("cumsum", x -> x[0].cumsum(1));
        OPS.put("cumsum_dim0", x -> x[0].cumsum(0));
        OPS.put("index_select_rows", x -> x[0].indexSelect(0, x[1]));
        OPS.put("index_select_dim1", x -> x[0].indexSelect(1, x[1]));
        OPS.put("embedding_lookup", x -> x[0].indexSelect(0, x[1].flatten()).reshape(2, 3, 3));
        OPS.put("gather_dim1", x -> x[0].gather(1, x[1]));
        OPS.put("gather_dim0", x -> x[0].gather(0, x[1]));
        OPS.put("scatter_add", x -> x[0].scatterAdd(1, x[1], x[2]));
        OPS.put("where_broadcast", x -> Tensor.where(x[0], x[1], x[2]));
        OPS.put("masked_fill", x -> x[0].maskedFill(x[1], -1.5f));
        OPS.put("mul_by_bool_mask", x -> x[0].mul(x[1]));
        OPS.put("float_plus_int", x -> x[0].add(x[1]));
        OPS.put("cross_entropy_int64", x -> dev.cairn.nn.Losses.crossEntropy(x[0], x[1], -100, 0f));
        OPS.put("cross_entropy_ignore_index", x -> dev.cairn.nn.Losses.crossEntropy(x[0], x[1], -100, 0f));
        OPS.put("cross_entropy_label_smoothing", x -> dev.cairn.nn.Losses.crossEntropy(x[0], x[1], 2, 0.1f));
        OPS.put("cross_entropy_probs", x -> dev.cairn.nn.Losses.crossEntropy(x[0], x[1], -100, 0.2f));
        OPS.put("conv2d_dilation_groups", x -> dev.cairn.nn.F.conv2d(x[0], x[1], x[2], new int[] {2, 1},
                new int[] {2, 1}, new int[] {2, 1}, 2));
        OPS.put("conv2d_same", x -> {
            var conv = new dev.cairn.nn.Conv2d(3, 4, new int[] {4, 3}, "same", new int[] {1, 1}, 1, false);
            conv.to(device);
            conv.weight.copyFrom(extra("conv_same_weight"));
            return conv.call(x[0]);
        });
        OPS.put("conv1d", x -> dev.cairn.nn.F.conv1d(x[0], x[1], x[2], 2, 1, 1, 1));
        OPS.put("max_pool_ceil_padding", x -> new dev.cairn.nn.MaxPool2d(3, 2, 1, 1, true).call(x[0]));
        OPS.put("avg_pool_padding", x -> new dev.cairn.nn.AvgPool2d(3, 2, 1).call(x[0]));
        OPS.put("unfold_stride_pad_dilation", x -> dev.cairn.nn.F.unfold(x[0], new int[] {3, 2}, new int[] {2, 1},
                new int[] {1, 2}, new int[] {2, 3}));
        OPS.put("unfold_odd", x -> dev.cairn.nn.F.unfold(x[0], new int[] {2, 3}, new int[] {1, 1}, new int[] {0, 1},
                new int[] {1, 2}));
        OPS.put("fold_stride_pad_dilation", x -> dev.cairn.nn.F.fold(x[0], new int[] {7, 6}, new int[] {3, 2},
                new int[] {2, 1}, new int[] {1, 2}, new int[] {2, 3}));
        OPS.put("fold_overlap", x -> dev.cairn.nn.F.fold(x[0], new int[] {5, 4}, new int[] {3, 3}, new int[] {1, 1},
                new int[] {1, 1}, new int[] {1, 1}));
        OPS.put("max_pool_dilation", x -> dev.cairn.nn.F.maxPool2d(x[0], new int[] {3, 2}, new int[] {2, 1},
                new int[] {1, 0}, new int[] {2, 1}, false));
        OPS.put("max_pool_ties_overlap", x -> new dev.cairn.nn.MaxPool2d(2, 1, 0, 1, false).call(x[0]));
        OPS.put("conv2d_depthwise_stride", x -> dev.cairn.nn.F.conv2d(x[0], x[1], x[2], new int[] {2, 3},
                new int[] {1, 2}, new int[] {1, 1}, 3));
        OPS.put("conv2d_1x1_no_bias", x -> dev.cairn.nn.F.conv2d(x[0], x[1], null, new int[] {1, 1},
                new int[] {0, 0}, new int[] {1, 1}, 1));
        OPS.put("adaptive_avg_pool", x -> new dev.cairn.nn.AdaptiveAvgPool2d(3, 2).call(x[0]));
        OPS.put("layer_norm_2d_shape", x -> dev.cairn.nn.F.layerNorm(x[0], 2, x[1], x[2], 1e-5f));
        OPS.put("embedding_padding_idx", x -> dev.cairn.nn.F.embedding(x[1], x[0], 0));
        OPS.put("batch_norm1d_train_step", x -> batchNormStep(new dev.cairn.nn.BatchNorm1d(3), x[0]));
        OPS.put("batch_norm2d_train_step", x -> batchNormStep(
                new dev.cairn.nn.BatchNorm2d(2, 1e-5f, 0.3f, true, true), x[0]));
        OPS.put("mha_masks_and_weights", x -> {
            var out = referenceAttention().call(x[0], x[0], x[0], x[1], causalMask(5), true);
            return Tensor.cat(0, out.output().flatten(), out.weights().flatten());
        });
        OPS.put("gt_bool", x -> x[0].gt(x[1]));
        OPS.put("eq_scalar", x -> x[0].eq(1f));
        OPS.put("argmax_dim", x -> x[0].argmax(1, false));
        OPS.put("argmin_all", x -> x[0].argmin());
        OPS.put("int_add_mul", x -> x[0].mul(x[1]).add(x[0]));
        OPS.put("int_neg_abs", x -> x[0].abs().neg());
        OPS.put("bool_sum", x -> x[0].sum(1, false));
        OPS.put("int_sum_all", x -> x[0].sum());
        OPS.put("int_max_dim", x -> x[0].max(1, false));
        OPS.put("logical_ops", x -> Tensor.stack(0, x[0].logicalAnd(x[1]), x[0].logicalOr(x[1]),
                x[0].logicalXor(x[1]), x[0].logicalNot()));
        OPS.put("isnan_isinf", x -> Tensor.stack(0, x[0].isNan(), x[0].isInf()));
        OPS.put("all_any", x -> Tensor.stack(0, x[0].all(1, false), x[0].any(0, false)));
        OPS.put("to_int64_truncates", x -> x[0].to(DType.INT64));
        OPS.put("int_true_divide", x -> x[0].div(x[1]));
        // the fused primitives (issue 18)
        OPS.put("softmax_special", x -> x[0].softmax(-1));
        OPS.put("softmax_all_masked_row", x -> x[0].maskedFill(mask(new boolean[] {false, true, false, true,
            true, true, true, true, false, false, false, false}, 3, 4), Float.NEGATIVE_INFINITY).softmax(-1));
        OPS.put("log_softmax_masked", x -> x[0].maskedFill(mask(new boolean[] {false, true, false, false, true,
            true, false, false, false, false}, 2, 5), Float.NEGATIVE_INFINITY).logSoftmax(-1));
        OPS.put("log_softmax_special", x -> x[0].logSoftmax(1));
        OPS.put("softmax_neg_dim_middle", x -> x[0].softmax(-2));
        OPS.put("softmax_long_rows", x -> x[0].softmax(-1));
        OPS.put("log_softmax_long_rows_dim0", x -> x[0].logSoftmax(0));
        OPS.put("softmax_attention_scores", x -> x[0].matmul(x[1].transpose(1, 2)).div((float) Math.sqrt(8)).softmax(-1));
        OPS.put("softmax_empty", x -> x[0].softmax(-1));
        OPS.put("gelu_special", x -> x[0].gelu());
        OPS.put("gelu_tanh_special", x -> x[0].gelu("tanh"));
        OPS.put("gelu_tails", x -> x[0].gelu());
        OPS.put("gelu_tanh_tails", x -> x[0].gelu("tanh"));
        OPS.put("gelu_wide_transposed", x -> x[0].t().gelu());
        OPS.put("layer_norm_wide_offset", x -> x[0].layerNorm(new int[] {40}, x[1], x[2], 1e-5f));
        OPS.put("layer_norm_no_affine", x -> x[0].layerNorm(new int[] {7}, null, null, 1e-5f));
        OPS.put("layer_norm_transposed", x -> x[0].transpose(1, 2).layerNorm(new int[] {3, 2}, x[1], x[2], 1e-3f));
        OPS.put("layer_norm_special", x -> x[0].layerNorm(new int[] {6}, x[1], x[2], 1e-5f));
        OPS.put("layer_norm_empty", x -> x[0].layerNorm(new int[] {5}, x[1], x[2], 1e-5f));
        OPS.put("prod_all", x -> x[0].prod());
        OPS.put("prod_dim", x -> x[0].prod(1, false));
        OPS.put("prod_neg_dim_keepdim", x -> x[0].prod(-2, true));
        OPS.put("prod_transposed", x -> x[0].t().prod(0, false));
        OPS.put("prod_dim_zeros", x -> x[0].prod(1, false));
        OPS.put("prod_all_one_zero", x -> x[0].prod());
        OPS.put("prod_all_two_zeros", x -> x[0].prod());
        OPS.put("prod_empty", x -> x[0].prod(0, false));
        OPS.put("prod_int", x -> x[0].prod(1, false));
        OPS.put("prod_bool_all", x -> x[0].prod());
        OPS.put("cumsum_neg_dim", x -> x[0].cumsum(-1));
        OPS.put("cumsum_transposed", x -> x[0].t().cumsum(1));
        OPS.put("cumsum_special", x -> x[0].cumsum(1));
        OPS.put("cumsum_long", x -> x[0].cumsum(1));
        OPS.put("cumsum_empty", x -> x[0].cumsum(0));
        OPS.put("cumsum_int64", x -> x[0].cumsum(1));
        OPS.put("cumsum_int32", x -> x[0].cumsum(0));
        OPS.put("cumsum_bool", x -> x[0].cumsum(0));
        // fused scaled dot-product attention
        OPS.put("sdpa_float_mask", x -> x[0].scaledDotProductAttention(x[1], x[2], x[3], (float) (1 / Math.sqrt(8))));
        OPS.put("sdpa_all_masked_row_3d", x -> x[0].scaledDotProductAttention(x[1], x[2], x[3], 0.5f));
        OPS.put("sdpa_long_transposed", x -> x[0].transpose(1, 2).scaledDotProductAttention(x[1], x[2], null, 0.3f));
        OPS.put("sdpa_2d_row_mask", x -> x[0].scaledDotProductAttention(x[1], x[2], x[3], 0.25f));
        OPS.put("mha_fused_masks", x -> referenceAttention().call(x[0], x[0], x[0], x[1], causalMask(5), false)
                .output());
        OPS.put("batch_norm_train_rank2", x -> batchNorm(x[0], x[1], x[2], x[3], x[4], true, 0.2, 1e-5));
        OPS.put("batch_norm_train_rank2_wide", x -> batchNorm(x[0], x[1], x[2], x[3], x[4], true, 0.1, 1e-5));
        OPS.put("batch_norm_train_rank3_no_affine", x -> batchNorm(x[0], null, null, x[1], x[2], true, 0.1, 1e-5));
        OPS.put("batch_norm_train_rank4_offset", x -> batchNorm(x[0], x[1], x[2], x[3], x[4], true, 0.3, 1e-3));
        OPS.put("batch_norm_train_rank5", x -> batchNorm(x[0], x[1], x[2], null, null, true, 0.1, 1e-5));
        OPS.put("batch_norm_train_no_running", x -> batchNorm(x[0], x[1], x[2], null, null, true, 0.1, 1e-5));
        OPS.put("batch_norm_train_weight_only", x -> batchNorm(x[0], x[1], null, null, null, true, 0.1, 1e-5));
        OPS.put("batch_norm_train_channels_last", x -> batchNorm(x[0].permute(0, 3, 1, 2), x[1], x[2], x[3], x[4],
                true, 0.1, 1e-5));
        OPS.put("batch_norm_train_transposed", x -> batchNorm(x[0].t(), x[1], x[2], x[3], x[4], true, 0.1, 1e-5));
        OPS.put("batch_norm_train_sliced", x -> batchNorm(x[0].slice(1, 0, 6, 2).slice(2, 1, 5, 1), x[1], x[2],
                null, null, true, 0.1, 1e-5));
        OPS.put("batch_norm_eval_rank4", x -> batchNorm(x[0], x[1], x[2], x[3], x[4], false, 0.1, 1e-5));
        OPS.put("batch_norm_eval_rank2_wide_no_affine", x -> batchNorm(x[0], null, null, x[1], x[2], false, 0.1,
                1e-5));
        OPS.put("batch_norm_eval_rank3_sliced", x -> batchNorm(x[0].slice(2, 1, 19, 1), x[1], x[2], x[3], x[4],
                false, 0.1, 1e-3));
        OPS.put("batch_norm_empty", x -> batchNorm(x[0], x[1], x[2], null, null, true, 0.1, 1e-5));
    }

    /**
     * {@code Tensor.batchNorm} on copies of the running statistics (as the script's {@code bn_fn}): the output,
     * then those statistics after the call.
     */
    private static Tensor batchNorm(Tensor x, Tensor w, Tensor b, Tensor rm, Tensor rv, boolean training,
                                    double momentum, double eps) {
        Tensor rm2 = rm == null ? null : rm.detach().copy();
        Tensor rv2 = rv == null ? null : rv.detach().copy();
        Tensor y = Tensor.batchNorm(x, rm2, rv2, w, b, training, momentum, eps);
        List<Tensor> parts = new ArrayList<>(List.of(y.flatten()));
        if (rm2 != null) {
            parts.add(rm2);
        }
        if (rv2 != null) {
            parts.add(rv2);
        }
        return Tensor.cat(0, parts.toArray(new Tensor[0]));
    }

    /** The script's {@code nn.MultiheadAttention(8, 2, batch_first=True)} with its weights, on the current device. */
    private static dev.cairn.nn.MultiheadAttention referenceAttention() {
        var mha = new dev.cairn.nn.MultiheadAttention(8, 2, 0.0, true, true);
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String k : mha.stateDict().keySet()) {
            state.put(k, extra("mha." + k));
        }
        mha.loadStateDict(state, true);
        mha.to(device);
        return mha;
    }

    /** An additive causal mask: {@code -inf} above the diagonal of an n x n square, on the current device. */
    private static Tensor causalMask(int n) {
        return Tensor.full(Float.NEGATIVE_INFINITY, n, n).triu(1).to(device);
    }

    /** A bool mask on the current device. */
    private static Tensor mask(boolean[] values, int... shape) {
        return Tensor.of(values, shape).to(device);
    }

    /** A train-mode step: the output, then the running statistics and batch count it left behind. */
    private static Tensor batchNormStep(dev.cairn.nn.BatchNorm bn, Tensor x) {
        bn.train().to(device);
        Tensor y = bn.call(x);
        return Tensor.cat(0, y.flatten(), bn.runningMean.detach(), bn.runningVar.detach(),
                bn.numBatchesTracked.reshape(1).to(DType.FLOAT32));
    }

    /** A tensor the script saved besides the cases' inputs ({@code extra.NAME}). */
    private static Tensor extra(String name) {
        return cases().get("extra." + name).to(device);
    }

    private static Map<String, Tensor> cases() {
        try {
            Path file = Path.of(OpReferenceTest.class.getResource("/ops/op_cases.safetensors").toURI());
            return SafeTensors.read(file);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> caseNames() {
        TreeSet<String> names = new TreeSet<>();
        for (String key : cases().keySet()) {
            if (!key.startsWith("extra.")) {
                names.add(key.substring(0, key.indexOf('.')));
            }
        }
        return names.stream().map(Arguments::of);
    }

    /** Every case on every device: the CPU, and CUDA where it can run (skipped with the reason here). */
    static Stream<Arguments> casesOnDevices() {
        List<String> names = caseNames().map(a -> (String) a.get()[0]).toList();
        return Stream.of(Device.cpu(), Device.cuda(0)).flatMap(d -> names.stream().map(n -> Arguments.of(d, n)));
    }

    @Test
    void everyReferenceCaseHasAnOpAndEveryOpACase() {
        TreeSet<String> names = new TreeSet<>();
        caseNames().forEach(a -> names.add((String) a.get()[0]));
        assertEquals(new TreeSet<>(OPS.keySet()), names);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesOnDevices")
    void matchesPyTorch(Device on, String name) {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.cairn.tensor.Devices.isUsable(on),
                () -> on + " cannot run here: " + dev.cairn.tensor.Devices.report().get(on.type()).reason());
        device = on;
        Map<String, Tensor> all = cases();
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; all.containsKey(name + ".in" + i); i++) {
            Tensor in = all.get(name + ".in" + i).to(on);
            inputs.add(in.dtype() == DType.FLOAT32 ? in.requiresGrad(true) : in);
        }
        Tensor out = OPS.get(name).apply(inputs.toArray(new Tensor[0]));
        Tensor expectedOut = all.get(name + ".out");
        assertEquals(expectedOut.dtype(), out.dtype(), name + ": dtype of the result");
        if (expectedOut.dtype() != DType.FLOAT32) {
            assertArrayEquals(expectedOut.shape(), out.shape(), name + ": shape");
            assertArrayEquals(expectedOut.toLongArray(), out.toLongArray(), name + ": values");
            assertTrue(!all.containsKey(name + ".gout"));
            return;
        }
        assertClose(name + " output", expectedOut, out);
        if (!all.containsKey(name + ".gout")) {
            assertTrue(!out.requiresGrad(), name + ": PyTorch's result needs no gradient, so neither may Cairn's");
            return;
        }
        out.backward(all.get(name + ".gout"));
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).dtype() != DType.FLOAT32) {
                assertTrue(inputs.get(i).grad() == null, name + ": no gradient for an integer input");
                continue;
            }
            Tensor grad = inputs.get(i).grad();
            Tensor expected = all.get(name + ".grad" + i);
            assertClose(name + " grad of input " + i, expected,
                    grad == null ? Tensor.zeros(expected.shape()) : grad);
        }
    }

    /** Same shape; NaN where expected is NaN; equal infinities; else within the golden tolerance. */
    static void assertClose(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        float maxAbs = 0f;
        for (float v : e) {
            if (Float.isFinite(v)) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        float tol = 1e-4f * (1f + maxAbs);
        for (int i = 0; i < e.length; i++) {
            if (Float.isNaN(e[i]) || Float.isInfinite(e[i])) {
                if (Float.compare(e[i], a[i]) != 0) {
                    fail(what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
                }
            } else if (!(Math.abs(e[i] - a[i]) <= tol)) {
                fail(what + ": element " + i + " expected " + e[i] + " but was " + a[i] + " (tolerance " + tol + ")");
            }
        }
        assertTrue(e.length == a.length);
    }
}
