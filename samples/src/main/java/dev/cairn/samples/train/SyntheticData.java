package dev.cairn.samples.train;

import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;

/** Two-dimensional toy classification data sets, generated from a seed (the same points every run). */
public final class SyntheticData {
    private SyntheticData() {
    }

    /**
     * Interleaved spirals (CS231n's toy data): {@code arms} classes of {@code pointsPerArm} points each;
     * arm {@code k} winds from the centre outwards through angles {@code [4k, 4k + 4]} radians, with
     * Gaussian angular noise of standard deviation {@code noise}.
     */
    public static Dataset spiral(int pointsPerArm, int arms, float noise, long seed) {
        if (arms < 2) {
            throw new CairnException("spiral: need at least 2 arms, got " + arms);
        }
        if (pointsPerArm < 1) {
            throw new CairnException("spiral: need at least 1 point per arm, got " + pointsPerArm);
        }
        Generator g = new Generator(seed);
        int n = pointsPerArm * arms;
        float[] x = new float[n * 2];
        float[] y = new float[n];
        for (int k = 0; k < arms; k++) {
            for (int i = 0; i < pointsPerArm; i++) {
                double frac = pointsPerArm == 1 ? 0.0 : (double) i / (pointsPerArm - 1);
                double r = frac;
                double t = 4.0 * k + 4.0 * frac + noise * g.nextGaussian();
                int row = k * pointsPerArm + i;
                x[2 * row] = (float) (r * Math.sin(t));
                x[2 * row + 1] = (float) (r * Math.cos(t));
                y[row] = k;
            }
        }
        return new Dataset("spiral", x, y, n, 2, arms);
    }

    /**
     * Two interleaving half circles (scikit-learn's {@code make_moons}): {@code points} in all, half per
     * class, with Gaussian noise of standard deviation {@code noise} on each coordinate.
     */
    public static Dataset moons(int points, float noise, long seed) {
        if (points < 2) {
            throw new CairnException("moons: need at least 2 points, got " + points);
        }
        Generator g = new Generator(seed);
        int outer = points / 2;
        int inner = points - outer;
        float[] x = new float[points * 2];
        float[] y = new float[points];
        for (int i = 0; i < points; i++) {
            boolean isOuter = i < outer;
            int count = isOuter ? outer : inner;
            int j = isOuter ? i : i - outer;
            double a = count == 1 ? 0.0 : Math.PI * j / (count - 1);
            double px = isOuter ? Math.cos(a) : 1 - Math.cos(a);
            double py = isOuter ? Math.sin(a) : 0.5 - Math.sin(a);
            x[2 * i] = (float) (px + noise * g.nextGaussian());
            x[2 * i + 1] = (float) (py + noise * g.nextGaussian());
            y[i] = isOuter ? 0 : 1;
        }
        return new Dataset("moons", x, y, points, 2, 2);
    }
}
