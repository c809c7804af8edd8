package dev.cairn.tensor;

import java.util.SplittableRandom;

/**
 * A seedable source of random numbers for {@code rand}, {@code randn} and initialisation, like
 * {@code torch.Generator}. Numbers are drawn on the host, so a seed gives the same tensor on every
 * device. Not thread-safe: give each thread its own, or use the synchronized {@link #global()}.
 */
public final class Generator {
    private static final Generator GLOBAL = new Generator(System.nanoTime());

    private SplittableRandom random;
    private double spareGaussian = Double.NaN;

    public Generator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The process-wide default generator (what PyTorch calls the default generator). */
    public static Generator global() {
        return GLOBAL;
    }

    /** Seeds the default generator, like {@code torch.manual_seed}. */
    public static void manualSeed(long seed) {
        GLOBAL.seed(seed);
    }

    /** Restarts this generator's sequence from {@code seed}. */
    public synchronized void seed(long seed) {
        random = new SplittableRandom(seed);
        spareGaussian = Double.NaN;
    }

    /** Uniform in [0, 1): 24 random bits, so the result is never rounded up to 1. */
    public synchronized float nextFloat() {
        return random.nextInt(1 << 24) * 0x1.0p-24f;
    }

    /** Uniform in [low, high); a draw that rounds up to {@code high} is drawn again. */
    public synchronized float uniform(float low, float high) {
        if (!(high > low)) {
            return low;
        }
        while (true) {
            float v = (float) (low + (high - (double) low) * random.nextDouble());
            if (v < high) {
                return v;
            }
        }
    }

    /** Standard normal (Marsaglia's polar method). */
    public synchronized float nextGaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return (float) g;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * random.nextDouble() - 1;
            v = 2 * random.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spareGaussian = v * m;
        return (float) (u * m);
    }

    /** Fills {@code out} with uniform numbers in [low, high). */
    public synchronized void fillUniform(float[] out, float low, float high) {
        for (int i = 0; i < out.length; i++) {
            out[i] = uniform(low, high);
        }
    }

    /** Fills {@code out} with normal numbers of the given mean and standard deviation. */
    public synchronized void fillNormal(float[] out, float mean, float std) {
        for (int i = 0; i < out.length; i++) {
            out[i] = mean + std * nextGaussian();
        }
    }
}
