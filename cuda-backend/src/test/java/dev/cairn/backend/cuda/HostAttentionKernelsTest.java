package dev.cairn.backend.cuda;

import static dev.cairn.backend.cuda.HostKernelsTest.CPU;
import static dev.cairn.backend.cuda.HostKernelsTest.assertSame;
import static dev.cairn.backend.cuda.HostKernelsTest.cpuDown;
import static dev.cairn.backend.cuda.HostKernelsTest.large;
import static dev.cairn.backend.cuda.HostKernelsTest.on;
import static dev.cairn.backend.cuda.HostKernelsTest.relative;
import static dev.cairn.backend.cuda.HostKernelsTest.small;
import static dev.cairn.backend.cuda.HostKernelsTest.values;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused attention kernel of {@code attention.cu} (one thread per query row, online softmax) run on the
 * host under the CUDA emulation (see {@link HostKernels}) through {@link CudaKernels#attention} and compared
 * with the CPU backend's two-pass kernel on dense and transposed operands, broadcast and strided masks with
 * {@code -inf} and a fully masked row (NaN), a NaN query, no keys, one key, and more rows than one launch's
 * threads (the grid-stride loop).
 */
class HostAttentionKernelsTest {
    /** One call: q, k, v and the mask (null for none) as views over their own buffers. */
    record Case(String name, StridedView q, StridedView k, StridedView v, StridedView mask, float scale) {
    }

    /** A view of {@code shape} with {@code strides} from {@code offset}. */
    private static StridedView view(int offset, int[] shape, int[] strides) {
        return new StridedView(null, offset, shape, strides);
    }

    private static StridedView dense(int offset, int... shape) {
        return StridedView.contiguous(null, offset, shape);
    }

    /** The buffer length a view needs. */
    private static int extent(StridedView v) {
        long end = v.offset();
        for (int i = 0; i < v.rank(); i++) {
            if (v.shape()[i] == 0) {
                return v.offset() + 1;
            }
            end += (long) (v.shape()[i] - 1) * v.strides()[i];
        }
        return (int) end + 1;
    }

    static List<Case> cases() {
        return List.of(
                // a mask broadcast over the heads ([B, 1, L, S]) with offsets everywhere
                new Case("dense, mask broadcast over heads", dense(3, 2, 3, 5, 8), dense(1, 2, 3, 7, 8),
                        dense(2, 2, 3, 7, 6), view(5, new int[] {2, 3, 5, 7}, new int[] {35, 0, 7, 1}), 0.35f),
                // the layout of nn.MultiheadAttention: [B, L, H, D] transposed to [B, H, L, D]; vector-long lines
                new Case("transposed heads, no mask", view(0, new int[] {2, 4, 33, 20}, new int[] {33 * 80, 20, 80, 1}),
                        view(0, new int[] {2, 4, 40, 20}, new int[] {40 * 80, 20, 80, 1}),
                        view(0, new int[] {2, 4, 40, 24}, new int[] {40 * 96, 24, 96, 1}), null, 0.2f),
                // a key-padding mask ([B, 1, 1, S]) and strided columns in the key and value
                new Case("padding mask, strided columns", dense(0, 3, 2, 6, 5),
                        view(1, new int[] {3, 2, 9, 5}, new int[] {200, 100, 11, 2}),
                        view(0, new int[] {3, 2, 9, 3}, new int[] {60, 30, 3 * 3, 3}),
                        view(0, new int[] {3, 2, 6, 9}, new int[] {9, 0, 0, 1}), 0.5f),
                new Case("no keys", dense(0, 1, 2, 3, 4), dense(0, 1, 2, 0, 4), dense(0, 1, 2, 0, 5), null, 1f),
                new Case("one key, one row", dense(0, 1, 1, 1, 3), dense(0, 1, 1, 1, 3), dense(0, 1, 1, 1, 2),
                        dense(0, 1, 1, 1, 1), 1f),
                // 4200 rows: more than the 32 blocks of 128 threads that small() launches
                new Case("many rows", dense(0, 1, 2, 2100, 2), dense(0, 1, 2, 3, 2), dense(0, 1, 2, 3, 2), null, 0.7f));
    }

    @Test
    void attentionMatchesTheCpuBackend() {
        Random rnd = new Random(31);
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            List<Runnable> checks = new ArrayList<>();
            for (Case c : cases()) {
                float[] q = values(rnd, extent(c.q()), 0);
                float[] k = values(rnd, extent(c.k()), 0);
                float[] v = values(rnd, extent(c.v()), 0);
                float[] m = c.mask() == null ? null : values(rnd, extent(c.mask()), 0);
                if (m != null && m.length > 8) {
                    // -inf on a few keys, and every key of the first query row of the first matrix: a NaN row
                    for (int i = 0; i < m.length; i += 3) {
                        m[i] = Float.NEGATIVE_INFINITY;
                    }
                    StridedView mv = c.mask();
                    for (int j = 0; j < mv.shape()[3]; j++) {
                        m[mv.offset() + j * mv.strides()[3]] = Float.NEGATIVE_INFINITY;
                    }
                }
                if (c.name().startsWith("transposed")) {
                    q[5] = Float.NaN; // one query row of NaN results
                }
                int[] qs = c.q().shape();
                int n = qs[0] * qs[1] * qs[2] * c.v().shape()[3];
                Storage cy = CPU.allocate(0, Math.max(n, 1));
                EmulatedDevice.HostStorage ey = dev.allocate(Math.max(n, 1));
                CPU.attention(on(CPU.upload(0, q, 0, q.length), c.q()), on(CPU.upload(0, k, 0, k.length), c.k()),
                        on(CPU.upload(0, v, 0, v.length), c.v()),
                        m == null ? null : on(CPU.upload(0, m, 0, m.length), c.mask()), c.scale(), cy);
                CudaKernels.attention(dev, on(dev.upload(q), c.q()), on(dev.upload(k), c.k()), on(dev.upload(v), c.v()),
                        m == null ? null : on(dev.upload(m), c.mask()), c.scale(), ey);
                String what = "attention, " + c.name() + " (q " + Arrays.toString(qs) + ")";
                checks.add(() -> {
                    float[] e = Arrays.copyOf(cpuDown(cy), n);
                    float[] a = Arrays.copyOf(ey.data, n);
                    float[] tol = relative(e, 1e-5f);
                    for (int i = 0; i < tol.length; i++) {
                        tol[i] += 1e-5f; // weighted sums of values near 3 in another order
                    }
                    assertSame(e, a, 0, tol, what);
                    if (c.mask() != null && c.mask().numel() > 8 || c.name().startsWith("transposed")) {
                        assertTrue(Float.isNaN(e[0]), what + ": the NaN row is part of the check");
                    }
                });
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }
}
