import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * How much a batch-1 row update (VectorGemm's four-vector axpy loop, 1 x 20 times 20 x 256, the seed MLP's first
 * layer) depends on where B's rows start: the same loop over one heap array at element offsets 0..15 (so that one
 * or two of them fall on 32 bytes, wherever the collector put the array) and over a 64-byte aligned native
 * segment at offsets 0 and 4. Each figure is the best of 300 timings of 200 calls, all variants interleaved so
 * that the host's load hits them alike; ns per call. Standalone (no Cairn classes); JDK 22 or later (the native
 * segment). Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector scripts/AlignProbe.java
 */
public class AlignProbe {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    static void axpyRow(float[] a, float[] bd, int bOff, int n, int k, float[] cd) {
        for (int j = 0; j + 4 * L <= n; j += 4 * L) {
            FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                FloatVector va = FloatVector.broadcast(S, a[p]);
                int bRow = bOff + p * n + j;
                c0 = va.fma(FloatVector.fromArray(S, bd, bRow), c0);
                c1 = va.fma(FloatVector.fromArray(S, bd, bRow + L), c1);
                c2 = va.fma(FloatVector.fromArray(S, bd, bRow + 2 * L), c2);
                c3 = va.fma(FloatVector.fromArray(S, bd, bRow + 3 * L), c3);
            }
            c0.intoArray(cd, j);
            c1.intoArray(cd, j + L);
            c2.intoArray(cd, j + 2 * L);
            c3.intoArray(cd, j + 3 * L);
        }
    }

    static void axpyRowSegment(float[] a, MemorySegment bd, long bOff, int n, int k, float[] cd) {
        ByteOrder o = ByteOrder.nativeOrder();
        for (int j = 0; j + 4 * L <= n; j += 4 * L) {
            FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                FloatVector va = FloatVector.broadcast(S, a[p]);
                long bRow = (bOff + (long) p * n + j) * 4;
                c0 = va.fma(FloatVector.fromMemorySegment(S, bd, bRow, o), c0);
                c1 = va.fma(FloatVector.fromMemorySegment(S, bd, bRow + 4 * L, o), c1);
                c2 = va.fma(FloatVector.fromMemorySegment(S, bd, bRow + 8 * L, o), c2);
                c3 = va.fma(FloatVector.fromMemorySegment(S, bd, bRow + 12 * L, o), c3);
            }
            c0.intoArray(cd, j);
            c1.intoArray(cd, j + L);
            c2.intoArray(cd, j + 2 * L);
            c3.intoArray(cd, j + 3 * L);
        }
    }

    public static void main(String[] args) {
        int n = 256, k = 20, calls = 200;
        float[] a = new float[k];
        float[] b = new float[k * n + 64];
        float[] c = new float[n];
        Arrays.fill(a, 0.5f);
        Arrays.fill(b, 0.25f);
        System.gc(); // the arrays settle in the old generation, where this collector leaves them
        MemorySegment seg = Arena.ofAuto().allocate((k * n + 64) * 4L, 64);
        for (int i = 0; i < k * n + 64; i++) {
            seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, 0.25f);
        }
        for (int round = 0; round < 4; round++) {
            long[] heap = new long[16];
            long[] native64 = new long[2];
            Arrays.fill(heap, Long.MAX_VALUE);
            Arrays.fill(native64, Long.MAX_VALUE);
            for (int rep = 0; rep < 300; rep++) {
                for (int off = 0; off < 16; off++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        axpyRow(a, b, off, n, k, c);
                    }
                    heap[off] = Math.min(heap[off], System.nanoTime() - t0);
                }
                for (int v = 0; v < 2; v++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        axpyRowSegment(a, seg, v * 4, n, k, c);
                    }
                    native64[v] = Math.min(native64[v], System.nanoTime() - t0);
                }
            }
            StringBuilder sb = new StringBuilder("heap array at offset ");
            for (int off = 0; off < 16; off++) {
                sb.append(String.format("%d:%.0f ", off, heap[off] / (double) calls));
            }
            sb.append(String.format(" | native, 64-byte aligned: %.0f, 16 bytes off: %.0f ns", native64[0] / (double) calls,
                    native64[1] / (double) calls));
            System.out.println(sb);
        }
    }
}
