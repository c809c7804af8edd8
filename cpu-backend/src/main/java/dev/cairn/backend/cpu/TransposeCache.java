package dev.cairn.backend.cpu;

/**
 * A row-major copy of a transposed matrix operand, kept on its storage, for products with very few
 * rows: {@code x @ W^T} for a batch-1 Linear reads W column by column, which costs a horizontal sum
 * per output; with W^T laid out densely the product becomes a few vector row updates. The copy is
 * rebuilt when the storage was written since (its version changed) or another region is asked for.
 */
final class TransposeCache {
    /** Matrices smaller than this are not worth caching. */
    private static final int MIN_ELEMENTS = 64;

    /** The dense [k, n] copy of the [n, k] matrix at {@code offset} with row stride {@code ld}, valid for {@code version}. */
    record Entry(float[] data, int version, int offset, int ld, int k, int n) {
    }

    private TransposeCache() {
    }

    /**
     * The dense {@code [k, n]} transpose of the stored {@code [n, k]} matrix, or null when caching does
     * not pay (small matrices).
     */
    static float[] get(CpuStorage storage, int offset, int ld, int k, int n) {
        if ((long) k * n < MIN_ELEMENTS) {
            return null;
        }
        int version = storage.version();
        Entry e = storage.transposed;
        if (e != null && e.version() == version && e.offset() == offset && e.ld() == ld && e.k() == k && e.n() == n) {
            return e.data();
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
