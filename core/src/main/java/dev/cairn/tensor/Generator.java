package dev.cairn.tensor;

import java.util.SplittableRandom;

/**
 * A seedable source of random numbers, like {@code torch.Generator}. It holds two streams from one seed:
 *
 * <ul>
 *   <li>the <b>host stream</b> ({@link java.util.SplittableRandom}), which the CPU-only creation functions
 *       ({@link Tensor#rand(Generator, int...)}, {@link Tensor#randn(Generator, int...)}), the layers' initial
 *       weights and {@code nn.Init} draw from, on the host (a tensor on a device receives a copy);</li>
 *   <li>the <b>counter-based stream</b> (Philox4x32-10, as PyTorch's CUDA generator: a seed and an offset),
 *       which the functions that take a device ({@link Tensor#rand(Generator, dev.cairn.Device, int...)},
 *       {@link Tensor#randn(Generator, dev.cairn.Device, int...)}) and dropout ({@link Tensor#dropout}) draw from where the
 *       tensor lives, with no host transfer. Each such draw takes the next {@code ceil(n / 4)} blocks
 *       ({@link #philoxDraw}).</li>
 * </ul>
 *
 * <p>Reproducibility: the same seed gives the same numbers from both streams, in every run, on every JVM and
 * platform, when the draws happen in the same order. The counter-based stream is also the same on every
 * device: uniform numbers and dropout masks bit for bit, normal numbers within a float ulp (device math
 * libraries). The two streams are independent: a draw from one does not move the other.
 *
 * <p>Thread-safe: every method is synchronized. Threads that share one generator draw in an order that
 * depends on scheduling, so for reproducible results give each thread its own.
 */
public final class Generator {
    private static final Generator GLOBAL = new Generator(System.nanoTime());

    private SplittableRandom random;
    private double spareGaussian = Double.NaN;
    private long seed;
    private long philoxOffset;

    public Generator(long seed) {
        seed(seed);
    }

    /** The process-wide default generator (what PyTorch calls the default generator). */
    public static Generator global() {
        return GLOBAL;
    }

    /** Seeds the default generator, like {@code torch.manual_seed}. */
    public static void manualSeed(long seed) {
        GLOBAL.seed(seed);
    }

    /** Restarts both of this generator's streams from {@code seed} (the counter-based one at offset 0). */
    public synchronized void seed(long seed) {
        this.random = new SplittableRandom(seed);
        this.spareGaussian = Double.NaN;
        this.seed = seed;
        this.philoxOffset = 0;
    }

    /** The seed this generator started from, like {@code torch.Generator.initial_seed()}. */
    public synchronized long initialSeed() {
        return seed;
    }

    /** The counter-based stream's next block: where the next device draw starts. */
    public synchronized long philoxOffset() {
        return philoxOffset;
    }

    /**
     * Reserves the counter-based stream's blocks for a draw of {@code numbers} numbers (four per block) and
     * returns where the draw starts; the next draw starts after it. The backend computes the numbers from the
     * returned (seed, offset) alone ({@link dev.cairn.backend.Backend#random}).
     */
    public synchronized PhiloxDraw philoxDraw(long numbers) {
        if (numbers < 0) {
            throw new IllegalArgumentException("philoxDraw: a draw of " + numbers + " numbers; the count must be >= 0");
        }
        PhiloxDraw d = new PhiloxDraw(seed, philoxOffset);
        philoxOffset += dev.cairn.backend.Philox.blocks(numbers);
        return d;
    }

    /** Where a counter-based draw starts: the key ({@code seed}) and the first block ({@code offset}). */
    public record PhiloxDraw(long seed, long offset) {
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
