package dev.cairn.backend.cpu;

/**
 * A row-major copy of a transposed matrix operand, kept on its storage, for products with very few
 * rows: {@code x @ W^T} for a batch-1 Linear reads W column by column, which costs a horizontal sum
 * per output; with W^T laid out densely the product becomes a few vector row updates. As in {@link
 * PackedBCache}, a matrix's first product (for a region, layout and version) only notes it and the second,
 * unwritten since, makes the copy: a weight that changes every step (training at batch 1 to 4) is never
 * copied, where it was copied whole (k x n floats allocated) at every step. Entries are immutable and
 * published through a volatile field: safe from any number of threads.
 */
final class TransposeCache {
    /** Matrices smaller than this are not worth caching. */
    private static final int MIN_ELEMENTS = 64;

    /**
     * The dense [k, n] copy (null: seen once, not copied yet) of the [n, k] matrix at {@code offset} with row stride
     * {@code ld}, valid for {@code version}.
     */
    record Entry(float[] data, int version, int offset, int ld, int k, int n) {
        boolean matches(int version, int offset, int ld, int k, int n) {
            return this.version == version && this.offset == offset && this.ld == ld && this.k == k && this.n == n;
        }
    }

    private TransposeCache() {
    }

    /**
     * The dense {@code [k, n]} transpose of the stored {@code [n, k]} matrix, or null when caching does
     * not pay (small matrices) or this matrix is seen for the first time unchanged.
     */
    static float[] get(CpuStorage storage, int offset, int ld, int k, int n) {
        if ((long) k * n < MIN_ELEMENTS) {
            return null;
        }
        int version = storage.version(); // read before the data: a write after it makes the entry stale
        Entry e = storage.transposed;
        if (e == null || !e.matches(version, offset, ld, k, n)) {
            storage.transposed = new Entry(null, version, offset, ld, k, n);
            return null;
        }
        if (e.data() != null) {
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
