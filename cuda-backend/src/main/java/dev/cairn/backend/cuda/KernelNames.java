package dev.cairn.backend.cuda;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.RandomOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.UnaryOp;
import dev.cairn.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The names of Cairn's CUDA kernels, built from an op's Java name and the dtypes it runs on, so that a
 * kernel is found by name (never by an enum ordinal mirrored in C): {@code unary_tanh_f32},
 * {@code binary_add_i64_dense}, {@code compare_lt_b8}, {@code reduce_argmax_f32_i64_block}, the line kernels
 * {@code softmax_f32}, {@code layer_norm_backward_f32}, {@code cumsum_i64}, {@code random_normal_f32}, ...
 * Dtypes are spelled {@code f32}, {@code i64}, {@code i32}, {@code b8}, as the typedefs of
 * {@code cairn_common.cuh}. {@link #expected()} lists every kernel the sources must define. Stateless.
 */
final class KernelNames {
    /** The integer and bool dtypes, which have their own unary/binary kernels for the integral ops. */
    static final List<DType> INTEGRAL = List.of(DType.INT64, DType.INT32, DType.BOOL);
    /** Unary ops with integer and bool kernels (as the CPU backend's TypedKernels.unaryIntegral). */
    static final List<UnaryOp> INTEGRAL_UNARY = List.of(UnaryOp.IDENTITY, UnaryOp.NEG, UnaryOp.ABS,
            UnaryOp.ADD_SCALAR, UnaryOp.MUL_SCALAR);
    /** Binary ops with integer and bool kernels (as TypedKernels.binaryIntegral). */
    static final List<BinaryOp> INTEGRAL_BINARY = List.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL,
            BinaryOp.MAXIMUM, BinaryOp.MINIMUM);

    private KernelNames() {
    }

    /** The dtype as kernel names spell it. */
    static String suffix(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "f32";
            case INT64 -> "i64";
            case INT32 -> "i32";
            case BOOL -> "b8";
        };
    }

    private static String lower(Enum<?> op) {
        return op.name().toLowerCase(Locale.ROOT);
    }

    static String unary(UnaryOp op, DType dtype, boolean dense) {
        return "unary_" + lower(op) + "_" + suffix(dtype) + (dense ? "_dense" : "");
    }

    static String binary(BinaryOp op, DType dtype, boolean dense) {
        return "binary_" + lower(op) + "_" + suffix(dtype) + (dense ? "_dense" : "");
    }

    static String compare(CompareOp op, DType dtype) {
        return "compare_" + lower(op) + "_" + suffix(dtype);
    }

    static String where(DType dtype) {
        return "where_" + suffix(dtype);
    }

    static String convert(DType from, DType to) {
        return "convert_" + suffix(from) + "_to_" + suffix(to);
    }

    static String fill(DType dtype) {
        return "fill_" + suffix(dtype);
    }

    static String gather(DType dtype) {
        return "gather_" + suffix(dtype);
    }

    static String scatterAdd(DType dtype) {
        return "scatter_add_" + suffix(dtype);
    }

    /** Softmax (and log-softmax: a flag of the same kernel) along a dimension. */
    static String softmax(DType dtype) {
        return "softmax_" + suffix(dtype);
    }

    static String softmaxBackward(DType dtype) {
        return "softmax_backward_" + suffix(dtype);
    }

    /** Fused scaled dot-product attention (attention.cu). */
    static String attention(DType dtype) {
        return "attention_" + suffix(dtype);
    }

    static String layerNorm(DType dtype) {
        return "layer_norm_" + suffix(dtype);
    }

    /** Layer norm's input gradient. */
    static String layerNormBackward(DType dtype) {
        return "layer_norm_backward_" + suffix(dtype);
    }

    /** Layer norm's weight and bias gradients. */
    static String layerNormParamGrads(DType dtype) {
        return "layer_norm_param_grads_" + suffix(dtype);
    }

    /** Batch norm's statistics, running statistics and write. */
    static String batchNorm(DType dtype) {
        return "batch_norm_" + suffix(dtype);
    }

    /** Batch norm's input, weight and bias gradients. */
    static String batchNormBackward(DType dtype) {
        return "batch_norm_backward_" + suffix(dtype);
    }

    static String cumsum(DType dtype) {
        return "cumsum_" + suffix(dtype);
    }

    /** Counter-based random numbers of one distribution (float32 only). */
    static String random(RandomOp op) {
        return "random_" + lower(op) + "_f32";
    }

    /** The dtypes of cumsum's kernels: float32, and int64 (core gives integer and bool inputs as int64). */
    static final List<DType> CUMSUM = List.of(DType.FLOAT32, DType.INT64);

    /** A reduction kernel: one block per output ({@code block}) or one thread per output. */
    static String reduce(ReduceOp op, DType src, DType dst, boolean block) {
        return "reduce_" + lower(op) + "_" + suffix(src) + "_" + suffix(dst) + (block ? "_block" : "_thread");
    }

    /**
     * The destination dtype of a reduction whose source has {@code src}'s dtype, for the combinations the
     * kernels define: float32 sums, products and extremes stay float32 and its indices are int64; integer
     * and bool sums, products and indices are int64, their extremes keep the source dtype (as the CPU
     * backend and PyTorch).
     */
    static List<DType> reduceOutputs(ReduceOp op, DType src) {
        boolean index = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        if (src == DType.FLOAT32) {
            return List.of(index ? DType.INT64 : DType.FLOAT32);
        }
        boolean widens = op == ReduceOp.SUM || op == ReduceOp.PROD;
        return List.of(widens || index ? DType.INT64 : src);
    }

    /** Every kernel name the Java side may launch for some op and dtype (the GEMM kernels aside). */
    static List<String> expected() {
        List<String> names = new ArrayList<>();
        for (boolean dense : new boolean[] {false, true}) {
            for (UnaryOp op : UnaryOp.values()) {
                names.add(unary(op, DType.FLOAT32, dense));
            }
            for (BinaryOp op : BinaryOp.values()) {
                names.add(binary(op, DType.FLOAT32, dense));
            }
            for (DType t : INTEGRAL) {
                for (UnaryOp op : INTEGRAL_UNARY) {
                    names.add(unary(op, t, dense));
                }
                for (BinaryOp op : INTEGRAL_BINARY) {
                    names.add(binary(op, t, dense));
                }
            }
        }
        for (DType t : DType.values()) {
            for (CompareOp op : CompareOp.values()) {
                names.add(compare(op, t));
            }
            names.add(where(t));
            names.add(fill(t));
            names.add(gather(t));
            names.add(scatterAdd(t));
            for (DType to : DType.values()) {
                if (to != t) {
                    names.add(convert(t, to));
                }
            }
            for (ReduceOp op : ReduceOp.values()) {
                for (DType out : reduceOutputs(op, t)) {
                    names.add(reduce(op, t, out, true));
                    names.add(reduce(op, t, out, false));
                }
            }
        }
        DType f = DType.FLOAT32;
        names.addAll(List.of(softmax(f), softmaxBackward(f), layerNorm(f), layerNormBackward(f),
                layerNormParamGrads(f), attention(f), batchNorm(f), batchNormBackward(f)));
        for (DType t : CUMSUM) {
            names.add(cumsum(t));
        }
        for (RandomOp op : RandomOp.values()) {
            names.add(random(op));
        }
        names.add("cairn_bias_relu");
        names.add("cairn_conv2d");
        return names;
    }
}
