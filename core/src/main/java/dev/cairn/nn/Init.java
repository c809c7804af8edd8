package dev.cairn.nn;

import dev.cairn.autograd.GradMode;
import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;
import java.util.Locale;
import java.util.Objects;

/**
 * Initialisation functions, as {@code torch.nn.init}: each overwrites a tensor (usually a
 * {@link Parameter}) in place, without recording gradients, and returns it. Random ones draw from
 * {@link Generator#global()} (seed it with {@link Generator#manualSeed}) or from a given generator,
 * on the host, so a seed gives the same values on every device.
 *
 * <pre>{@code
 * net.apply(m -> {
 *     if (m instanceof Linear l) {
 *         Init.normal(l.weight, 0, 0.01f);
 *         Init.zeros(l.bias);
 *     }
 * });
 * }</pre>
 *
 * <p>Fans follow PyTorch's {@code _calculate_fan_in_and_fan_out}: for a tensor of shape
 * {@code [out, in, k...]}, fan_in = in * prod(k) and fan_out = out * prod(k).
 */
public final class Init {
    private Init() {
    }

    // ---- constants ------------------------------------------------------------------------

    /** Fills {@code t} with {@code value} (PyTorch's {@code constant_}). */
    public static <T extends Tensor> T constant(T t, float value) {
        Objects.requireNonNull(t, "tensor");
        try (var g = GradMode.noGrad(); Tensor v = Tensor.scalar(t.device(), value)) {
            t.copyFrom(v);
        }
        return t;
    }

    /** Fills {@code t} with 0 (PyTorch's {@code zeros_}). */
    public static <T extends Tensor> T zeros(T t) {
        return constant(t, 0f);
    }

    /** Fills {@code t} with 1 (PyTorch's {@code ones_}). */
    public static <T extends Tensor> T ones(T t) {
        return constant(t, 1f);
    }

    // ---- plain distributions --------------------------------------------------------------

    /** Fills {@code t} from N(mean, std^2) drawn from the default generator (PyTorch's {@code normal_}). */
    public static <T extends Tensor> T normal(T t, float mean, float std) {
        return normal(t, mean, std, Generator.global());
    }

    /** Fills {@code t} from N(mean, std^2) drawn from {@code generator}. */
    public static <T extends Tensor> T normal(T t, float mean, float std, Generator generator) {
        Objects.requireNonNull(t, "tensor");
        if (!(std >= 0) || Float.isInfinite(std)) {
            throw new CairnException("normal: std must be finite and >= 0, got " + std);
        }
        float[] values = new float[t.numel()];
        Objects.requireNonNull(generator, "generator").fillNormal(values, mean, std);
        return fill(t, values);
    }

    /** Fills {@code t} from U(a, b) drawn from the default generator (PyTorch's {@code uniform_}). */
    public static <T extends Tensor> T uniform(T t, float a, float b) {
        return uniform(t, a, b, Generator.global());
    }

    /** Fills {@code t} from U(a, b) drawn from {@code generator}. */
    public static <T extends Tensor> T uniform(T t, float a, float b, Generator generator) {
        Objects.requireNonNull(t, "tensor");
        if (!(a <= b) || Float.isInfinite(a) || Float.isInfinite(b)) {
            throw new CairnException("uniform: expects a finite range [a, b) with a <= b, got a=" + a + ", b=" + b);
        }
        float[] values = new float[t.numel()];
        Objects.requireNonNull(generator, "generator").fillUniform(values, a, b);
        return fill(t, values);
    }

    // ---- Xavier (Glorot) ------------------------------------------------------------------

    /** Xavier/Glorot uniform with gain 1: U(-a, a), a = sqrt(6 / (fan_in + fan_out)). */
    public static <T extends Tensor> T xavierUniform(T t) {
        return xavierUniform(t, 1f, Generator.global());
    }

    /** Xavier/Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)) (PyTorch's {@code xavier_uniform_}). */
    public static <T extends Tensor> T xavierUniform(T t, float gain) {
        return xavierUniform(t, gain, Generator.global());
    }

    public static <T extends Tensor> T xavierUniform(T t, float gain, Generator generator) {
        int[] fans = fans(t);
        double std = gain * Math.sqrt(2.0 / (fans[0] + fans[1]));
        float bound = (float) (Math.sqrt(3.0) * std);
        return uniform(t, -bound, bound, generator);
    }

    /** Xavier/Glorot normal with gain 1: N(0, 2 / (fan_in + fan_out)). */
    public static <T extends Tensor> T xavierNormal(T t) {
        return xavierNormal(t, 1f, Generator.global());
    }

    /** Xavier/Glorot normal: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)) (PyTorch's {@code xavier_normal_}). */
    public static <T extends Tensor> T xavierNormal(T t, float gain) {
        return xavierNormal(t, gain, Generator.global());
    }

    public static <T extends Tensor> T xavierNormal(T t, float gain, Generator generator) {
        int[] fans = fans(t);
        float std = (float) (gain * Math.sqrt(2.0 / (fans[0] + fans[1])));
        return normal(t, 0f, std, generator);
    }

    // ---- Kaiming (He) ---------------------------------------------------------------------

    /** Kaiming/He uniform with PyTorch's defaults: a = 0, mode "fan_in", nonlinearity "leaky_relu" (gain sqrt(2)). */
    public static <T extends Tensor> T kaimingUniform(T t) {
        return kaimingUniform(t, 0f, "fan_in", "leaky_relu", Generator.global());
    }

    /**
     * Kaiming/He uniform (PyTorch's {@code kaiming_uniform_}): U(-bound, bound), bound =
     * gain * sqrt(3 / fan), where fan is fan_in or fan_out as {@code mode} says and gain is
     * {@link #calculateGain(String, float) calculateGain(nonlinearity, a)} ({@code a} is leaky_relu's
     * negative slope).
     */
    public static <T extends Tensor> T kaimingUniform(T t, float a, String mode, String nonlinearity) {
        return kaimingUniform(t, a, mode, nonlinearity, Generator.global());
    }

    public static <T extends Tensor> T kaimingUniform(T t, float a, String mode, String nonlinearity, Generator generator) {
        int fan = fan(t, mode);
        double gain = calculateGain(nonlinearity, a);
        if (fan == 0) {
            return t; // PyTorch warns and leaves a zero-element tensor alone
        }
        float bound = (float) (Math.sqrt(3.0) * gain / Math.sqrt(fan));
        return uniform(t, -bound, bound, generator);
    }

    /** Kaiming/He normal with PyTorch's defaults: a = 0, mode "fan_in", nonlinearity "leaky_relu". */
    public static <T extends Tensor> T kaimingNormal(T t) {
        return kaimingNormal(t, 0f, "fan_in", "leaky_relu", Generator.global());
    }

    /** Kaiming/He normal (PyTorch's {@code kaiming_normal_}): N(0, std^2), std = gain / sqrt(fan). */
    public static <T extends Tensor> T kaimingNormal(T t, float a, String mode, String nonlinearity) {
        return kaimingNormal(t, a, mode, nonlinearity, Generator.global());
    }

    public static <T extends Tensor> T kaimingNormal(T t, float a, String mode, String nonlinearity, Generator generator) {
        int fan = fan(t, mode);
        double gain = calculateGain(nonlinearity, a);
        if (fan == 0) {
            return t;
        }
        return normal(t, 0f, (float) (gain / Math.sqrt(fan)), generator);
    }

    // ---- gains and fans -------------------------------------------------------------------

    /** {@link #calculateGain(String, float)} with PyTorch's default parameter (leaky_relu slope 0.01). */
    public static double calculateGain(String nonlinearity) {
        return calculateGain(nonlinearity, Float.NaN);
    }

    /**
     * The recommended gain for a nonlinearity, as PyTorch's {@code calculate_gain}: 1 for linear,
     * conv and sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu
     * ({@code param} is the slope; NaN means PyTorch's default 0.01), 3/4 for selu.
     */
    public static double calculateGain(String nonlinearity, float param) {
        Objects.requireNonNull(nonlinearity, "nonlinearity");
        switch (nonlinearity) {
            case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                    "conv_transpose3d", "sigmoid":
                return 1.0;
            case "tanh":
                return 5.0 / 3.0;
            case "relu":
                return Math.sqrt(2.0);
            case "leaky_relu": {
                double slope = Float.isNaN(param) ? 0.01 : param;
                return Math.sqrt(2.0 / (1 + slope * slope));
            }
            case "selu":
                return 3.0 / 4.0;
            default:
                throw new CairnException("unsupported nonlinearity '" + nonlinearity + "' (known: linear, conv1d, "
                        + "conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, tanh, "
                        + "relu, leaky_relu, selu)");
        }
    }

    /** fan_in of {@code t}: size(1) times the receptive field (the product of sizes after the second). */
    public static int fanIn(Tensor t) {
        return fans(t)[0];
    }

    /** fan_out of {@code t}: size(0) times the receptive field. */
    public static int fanOut(Tensor t) {
        return fans(t)[1];
    }

    /** {@code {fan_in, fan_out}}, as PyTorch's {@code _calculate_fan_in_and_fan_out}. */
    private static int[] fans(Tensor t) {
        Objects.requireNonNull(t, "tensor");
        int[] s = t.shape();
        if (s.length < 2) {
            throw new ShapeException("fan in and fan out can not be computed for a tensor with fewer than 2 dimensions,"
                    + " got shape " + Shapes.format(s));
        }
        int receptive = 1;
        for (int i = 2; i < s.length; i++) {
            receptive *= s[i];
        }
        return new int[] {s[1] * receptive, s[0] * receptive};
    }

    private static int fan(Tensor t, String mode) {
        Objects.requireNonNull(mode, "mode");
        int[] fans = fans(t);
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "fan_in" -> fans[0];
            case "fan_out" -> fans[1];
            default -> throw new CairnException("mode " + mode + " not supported, please use one of fan_in, fan_out");
        };
    }

    private static <T extends Tensor> T fill(T t, float[] values) {
        try (var g = GradMode.noGrad(); Tensor host = Tensor.of(values, t.shape())) {
            Tensor moved = host.to(t.device());
            try {
                t.copyFrom(moved);
            } finally {
                if (moved != host) {
                    moved.close();
                }
            }
        }
        return t;
    }
}
