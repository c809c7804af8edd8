package dev.cairn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;

/**
 * Checks autograd's gradients against central finite differences. The function is evaluated in
 * float32 (by the ops under test); the differences and the weighted sum that turns a tensor output
 * into a scalar are taken in double precision. The upstream gradient is a fixed non-uniform tensor,
 * so that every output element's contribution is checked, not just their sum.
 */
public final class GradCheck {
    /** Default step, relative tolerance and absolute tolerance. */
    public static final double STEP = 1e-2;
    public static final double RTOL = 1e-2;
    public static final double ATOL = 1e-3;

    private GradCheck() {
    }

    /** One input: row-major values and a shape. */
    public record In(float[] data, int[] shape) {
        public In {
            int n = 1;
            for (int s : shape) {
                n *= s;
            }
            if (n != data.length) {
                throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape));
            }
        }

        @Override
        public String toString() {
            return Arrays.toString(shape);
        }
    }

    public static In in(float[] data, int... shape) {
        return new In(data, shape);
    }

    /** Uniform values in [lo, hi). */
    public static In uniform(long seed, double lo, double hi, int... shape) {
        Random r = new Random(seed);
        float[] d = new float[numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return new In(d, shape);
    }

    /** Values with magnitude in [0.2, 1.5] and a random sign: away from the kinks of abs and relu at 0. */
    public static In awayFromZero(long seed, int... shape) {
        Random r = new Random(seed);
        float[] d = new float[numel(shape)];
        for (int i = 0; i < d.length; i++) {
            double m = 0.2 + 1.3 * r.nextDouble();
            d[i] = (float) (r.nextBoolean() ? m : -m);
        }
        return new In(d, shape);
    }

    /** Distinct values at least 0.2 apart in random order (no ties for max/min), centred near 0. */
    public static In distinct(long seed, int... shape) {
        Random r = new Random(seed);
        int n = numel(shape);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) (0.3 * (i - n / 2.0) + 0.05 * r.nextDouble());
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = d[i];
            d[i] = d[j];
            d[j] = t;
        }
        return new In(d, shape);
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** Checks with the default step and tolerances. */
    public static void check(String name, Function<Tensor[], Tensor> f, In... inputs) {
        check(name, f, STEP, RTOL, ATOL, inputs);
    }

    /**
     * Checks every input's gradient: {@code |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|)}
     * element by element.
     */
    public static void check(String name, Function<Tensor[], Tensor> f, double h, double rtol, double atol, In... inputs) {
        Tensor[] leaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            leaves[i] = Tensor.of(inputs[i].data(), inputs[i].shape()).requiresGrad(true);
        }
        Tensor out = f.apply(leaves);
        if (!out.requiresGrad()) {
            fail(name + ": the output does not require grad");
        }
        double[] w = upstream(out.numel());
        float[] wf = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            wf[i] = (float) w[i];
        }
        out.backward(Tensor.of(wf, out.shape()));
        for (int i = 0; i < inputs.length; i++) {
            Tensor g = leaves[i].grad();
            float[] analytic = g == null ? new float[inputs[i].data().length] : g.toFloatArray();
            if (g != null) {
                assertArrayEquals(inputs[i].shape(), g.shape(), name + ": shape of the gradient of input " + i);
            }
            float[] data = inputs[i].data();
            for (int j = 0; j < data.length; j++) {
                float plus = (float) (data[j] + h);
                float minus = (float) (data[j] - h);
                double fp = evaluate(f, inputs, i, j, plus, w);
                double fm = evaluate(f, inputs, i, j, minus, w);
                double numeric = (fp - fm) / ((double) plus - (double) minus);
                double a = analytic[j];
                double tol = atol + rtol * Math.max(Math.abs(a), Math.abs(numeric));
                if (!(Math.abs(a - numeric) <= tol)) {
                    fail(String.format("%s: gradient of input %d %s at element %d: autograd %.6g, finite differences %.6g"
                            + " (difference %.3g > tolerance %.3g)", name, i, inputs[i], j, a, numeric,
                            Math.abs(a - numeric), tol));
                }
            }
        }
    }

    /** sum(w * f(inputs with input i's element j set to v)) in double. */
    private static double evaluate(Function<Tensor[], Tensor> f, In[] inputs, int i, int j, float v, double[] w) {
        try (var g = GradMode.noGrad()) {
            Tensor[] ts = new Tensor[inputs.length];
            for (int k = 0; k < inputs.length; k++) {
                float[] d = inputs[k].data().clone();
                if (k == i) {
                    d[j] = v;
                }
                ts[k] = Tensor.of(d, inputs[k].shape());
            }
            float[] out = f.apply(ts).toFloatArray();
            double s = 0;
            for (int k = 0; k < out.length; k++) {
                s += w[k] * out[k];
            }
            return s;
        }
    }

    /** A fixed, non-uniform upstream gradient with both signs. */
    static double[] upstream(int n) {
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
            double m = 0.5 + ((k * 0.618034) % 1.0);
            w[k] = k % 3 == 2 ? -m : m;
        }
        return w;
    }
}
