package dev.cairn.samples.train;

import dev.cairn.CairnException;

/**
 * A small labelled data set held on the host: {@code n} points of {@code features} coordinates
 * (row-major in {@code x}) and one class index per point in {@code y} (as floats, which is how Cairn
 * takes class targets).
 */
public record Dataset(String name, float[] x, float[] y, int n, int features, int classes) {
    public Dataset {
        if (x.length != n * features || y.length != n) {
            throw new CairnException("dataset " + name + ": " + n + " points of " + features + " features need "
                    + (n * features) + " coordinates and " + n + " labels, got " + x.length + " and " + y.length);
        }
    }

    /** The points whose indices are {@code idx[from..to)}, in that order (a mini-batch). */
    public Dataset rows(int[] idx, int from, int to) {
        int m = to - from;
        float[] bx = new float[m * features];
        float[] by = new float[m];
        for (int i = 0; i < m; i++) {
            int r = idx[from + i];
            System.arraycopy(x, r * features, bx, i * features, features);
            by[i] = y[r];
        }
        return new Dataset(name, bx, by, m, features, classes);
    }
}
