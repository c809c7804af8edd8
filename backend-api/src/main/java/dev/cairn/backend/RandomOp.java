package dev.cairn.backend;

/**
 * The distributions of {@link Backend#random}, with their reference semantics: how the four words of one
 * {@link Philox} block become four float32 elements. Every backend must give these values: the integer
 * steps exactly, so that UNIFORM and BERNOULLI are bit-identical on every device; NORMAL goes through
 * double-precision {@code log}, {@code sin} and {@code cos}, which device math libraries compute to within an
 * ulp of the correctly rounded result rather than identically, so an element may (rarely) differ by one float
 * ulp between devices. Stateless.
 */
public enum RandomOp {
    /**
     * {@code fma(u, b - a, a)} with {@code u = (word >>> 8) * 2^-24} in [0, 1) (exact in float); a result that
     * rounds up to {@code b} (only possible when {@code b > a}) becomes the float just below {@code b}, so the
     * range is {@code [a, b)}.
     */
    UNIFORM,
    /**
     * Box-Muller: words {@code (w0, w1)} give elements 0 and 1, {@code (w2, w3)} elements 2 and 3, as
     * {@code z = r cos(t)} (even element) and {@code r sin(t)} (odd), {@code r = sqrt(-2 ln u1)},
     * {@code t = 2 pi u2}, {@code u1 = (w0 + 1) * 2^-32} in (0, 1], {@code u2 = w1 * 2^-32} (unsigned words, all in
     * double); then {@code fma((float) z, b, a)}: mean {@code a}, standard deviation {@code b}.
     */
    NORMAL,
    /** {@code u < a ? b : 0} with {@code u} as UNIFORM's: a kept element ({@code b}) with probability {@code a}. */
    BERNOULLI;

    /** {@code 2^-24}: a 24-bit integer times this is a float in [0, 1), exactly. */
    private static final float TWO_POW_M24 = 0x1.0p-24f;
    /** {@code 2^-32}. */
    private static final double TWO_POW_M32 = 0x1.0p-32;
    private static final double TWO_PI = 2 * Math.PI;

    /** The uniform float in [0, 1) of one word: its top 24 bits times {@code 2^-24}. */
    public static float unit(int word) {
        return (word >>> 8) * TWO_POW_M24;
    }

    /**
     * The four elements of one block: {@code out[i]} from the block's words {@code w[0..3]} with the op's
     * parameters {@code a} and {@code b}. NORMAL uses {@link StrictMath}, so that the CPU's values are the same
     * on every JVM and platform.
     */
    public void apply(int[] w, float a, float b, float[] out) {
        switch (this) {
            case UNIFORM -> {
                float range = b - a;
                for (int i = 0; i < 4; i++) {
                    float v = Math.fma(unit(w[i]), range, a);
                    out[i] = v >= b && b > a ? Math.nextDown(b) : v;
                }
            }
            case NORMAL -> {
                for (int i = 0; i < 4; i += 2) {
                    double u1 = ((w[i] & 0xffffffffL) + 1) * TWO_POW_M32;
                    double t = TWO_PI * ((w[i + 1] & 0xffffffffL) * TWO_POW_M32);
                    double r = Math.sqrt(-2.0 * StrictMath.log(u1));
                    out[i] = Math.fma((float) (r * StrictMath.cos(t)), b, a);
                    out[i + 1] = Math.fma((float) (r * StrictMath.sin(t)), b, a);
                }
            }
            case BERNOULLI -> {
                for (int i = 0; i < 4; i++) {
                    out[i] = unit(w[i]) < a ? b : 0f;
                }
            }
        }
    }
}
