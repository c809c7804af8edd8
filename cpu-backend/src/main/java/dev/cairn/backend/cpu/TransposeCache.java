package dev.cairn.backend.cpu;

/**
 * A row-major copy of a transposed matrix operand, kept on its storage, for products with very few
 * rows: {@code x @ W^T} for a batch-1 Linear reads W column by column, which costs a horizontal sum
 * per output; with W^T laid out densely the product becomes a few vector row updates. The copy is
 * made on the second product of a single row with the same version of the storage and region: the first
 * only notes them ({@link #NOTED}), and the caller computes that product with one scalar fma chain per
 * output straight from the stored matrix, the same chain each lane of the row update runs, so the bits are
 * the same either way. A weight that changes before it is used again (training at batch 1) is then never
 * copied; one at inference is copied once. Products of two to four rows copy at once: the copy serves every
 * row (at batch 4 the scalar first product made a training step 0.915x as fast).
 */
final class TransposeCache {
    /** Matrices smaller than this are not worth caching. */
    private static final int MIN_ELEMENTS = 64;

    /**
     * The dense [k, n] copy of the [n, k] matrix at {@code offset} with row stride {@code ld}, valid for
     * {@code version}; {@code data} is null while the region has been used once only.
     */
    record Entry(float[] data, long version, int offset, int ld, int k, int n) {
    }

    /** Returned by {@link #get} for a region seen for the first time at this version: no copy yet. */
    static final float[] NOTED = new float[0];

    private TransposeCache() {
    }

    /**
     * The dense {@code [k, n]} transpose of the stored {@code [n, k]} matrix; {@link #NOTED} on the first
     * use of this version and region by a product of one row ({@code rows} 1: the caller multiplies from the
     * stored matrix); null when caching does not pay (small matrices).
     */
    static float[] get(CpuStorage storage, int offset, int ld, int k, int n, int rows) {
        if ((long) k * n < MIN_ELEMENTS) {
            return null;
        }
        long version = storage.version();
        Entry e = storage.transposed;
        boolean seen = e != null && e.version() == version && e.offset() == offset && e.ld() == ld && e.k() == k
                && e.n() == n;
        if (seen && e.data() != null) {
            return e.data();
        }
        if (!seen && rows == 1) {
            storage.transposed = new Entry(null, version, offset, ld, k, n);
            return NOTED;
        }
        float[] src = storage.data;
        float[] t = new float[k * n];
        for (int j = 0; j < n; j++) {
            int row = offset + j * ld;
            for (int p = 0; p < k; p++) {
                t[p * n + j] = src[row + p];
            }
        }
        storage.transposed = new Entry(t, version, offset, ld, k, n);
        return t;
    }
}
