package dev.cairn.backend.cpu;

/**
 * The B operand of {@link VectorGemm} packed whole into its micro-kernel panels and kept on its storage, for a
 * matrix that is multiplied again unchanged: a Linear layer's weight at inference, which every call otherwise
 * packs afresh (at 128 rows, packing a transposed weight cost a quarter of the product's time). Panel
 * {@code q} of depth block {@code kb} starts at {@code (kb * panels + q) * panelStride}, laid out as
 * {@code VectorGemm.packB} lays out one block; the caller picks the stride ({@code VectorGemm} gives a matrix
 * shallower than one depth block panels of its own depth, so that a weight of 48 rows is not kept in panels of
 * 256 or 512). A storage's first product with a key (region, layout, version)
 * only notes it; the second with the same key, unwritten since, packs, so operands used once (activations,
 * weights during training, which change every step) are never packed whole. Entries are immutable and
 * published through a volatile field: safe from any number of threads (two may pack the same matrix at
 * once; either copy serves).
 */
final class PackedBCache {
    /** A packed matrix (null data: seen once, not packed yet) for one key. */
    record Entry(float[] data, long version, int offset, int ld, boolean transposed, int k, int n) {
        boolean matches(long version, int offset, int ld, boolean transposed, int k, int n) {
            return this.version == version && this.offset == offset && this.ld == ld
                    && this.transposed == transposed && this.k == k && this.n == n;
        }
    }

    private PackedBCache() {
    }

    /**
     * The packed panels of the {@code [k, n]} B operand at {@code offset} (row stride {@code ld}, stored
     * transposed when {@code transposed}), or null the first time this matrix is seen unchanged.
     */
    static float[] get(CpuStorage storage, int offset, int ld, boolean transposed, int k, int n, int kc, int nc,
                       int nr, int panelStride, float[] scratch) {
        long version = storage.version(); // read before the data: a write after it makes the entry stale
        Entry e = storage.packed;
        if (e != null && e.matches(version, offset, ld, transposed, k, n)) {
            if (e.data() != null) {
                return e.data();
            }
            float[] data = pack(storage.data, offset, ld, transposed, k, n, kc, nc, nr, panelStride, scratch);
            storage.packed = new Entry(data, version, offset, ld, transposed, k, n);
            return data;
        }
        storage.packed = new Entry(null, version, offset, ld, transposed, k, n);
        return null;
    }

    private static float[] pack(float[] bd, int offset, int ld, boolean transposed, int k, int n, int kc, int nc,
                                int nr, int panelStride, float[] scratch) {
        int panels = (n + nr - 1) / nr;
        int blocks = (k + kc - 1) / kc;
        float[] out = new float[blocks * panels * panelStride];
        for (int kb = 0; kb < blocks; kb++) {
            int pc = kb * kc;
            int depth = Math.min(kc, k - pc);
            for (int jc = 0; jc < n; jc += nc) {
                int width = Math.min(nc, n - jc);
                VectorGemm.packB(bd, offset, ld, transposed, pc, depth, jc, width, scratch);
                int count = (width + nr - 1) / nr;
                for (int q = 0; q < count; q++) { // scratch's panels lie VectorGemm.B_PANEL apart
                    System.arraycopy(scratch, q * VectorGemm.B_PANEL, out, (kb * panels + jc / nr + q) * panelStride,
                            depth * nr);
                }
            }
        }
        return out;
    }
}
