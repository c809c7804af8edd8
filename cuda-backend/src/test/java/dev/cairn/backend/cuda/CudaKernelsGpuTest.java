package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA kernel against the host reference semantics ({@code UnaryOp.apply}, {@code BinaryOp.apply},
 * ReduceOp's documented NaN rules). Skipped, with the reason, where no CUDA GPU is usable.
 */
class CudaKernelsGpuTest {
    static final CudaBackend B = Gpu.BACKEND;

    @BeforeEach
    void needGpu() {
        Gpu.assume();
    }

    static Storage up(float[] x) {
        return B.upload(0, x, 0, x.length);
    }

    static float[] down(Storage s, int n) {
        float[] r = new float[n];
        B.download(s, 0, r, 0, n);
        return r;
    }

    /** Random values with the awkward ones mixed in: NaN, infinities, signed zeros. */
    static float[] values(Random rnd, int n) {
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f, 2f};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextInt(8) == 0 ? specials[rnd.nextInt(specials.length)] : (float) (rnd.nextGaussian() * 3);
        }
        return x;
    }

    /** Equal bit-for-bit up to NaN payloads and signed zero, or within a few ulps for transcendental ops. */
    static void assertClose(float expected, float actual, float relTol, String what) {
        if (Float.isNaN(expected) && Float.isNaN(actual)) {
            return;
        }
        if (expected == actual) {
            return;
        }
        if (Float.isInfinite(expected) || Float.isNaN(expected) || Float.isNaN(actual)) {
            fail(what + ": expected " + expected + " got " + actual);
        }
        float tol = relTol * Math.max(Math.abs(expected), Float.MIN_NORMAL);
        if (Math.abs(expected - actual) > tol) {
            fail(what + ": expected " + expected + " got " + actual);
        }
    }

    @Test
    void uploadDownloadRoundTripsSmallAndLarge() {
        Random rnd = new Random(1);
        for (int n : new int[] {0, 1, 1000, 65_537, 3_000_001}) {
            float[] x = values(rnd, n);
            try (Storage s = up(x)) {
                float[] y = down(s, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToIntBits(x[i]), Float.floatToIntBits(y[i]), "element " + i + " of " + n);
                }
                if (n > 10) {
                    float[] part = new float[n];
                    B.download(s, 7, part, 3, n - 10);
                    assertEquals(Float.floatToIntBits(x[7 + 5]), Float.floatToIntBits(part[3 + 5]));
                    float[] one = new float[1];
                    B.download(s, n - 1, one, 0, 1);  // item()
                    assertEquals(Float.floatToIntBits(x[n - 1]), Float.floatToIntBits(one[0]));
                }
            }
        }
    }

    @Test
    void fillSetsOnlyTheRange() {
        float[] x = new float[1000];
        try (Storage s = up(x)) {
            B.fill(s, 10, 500, -3.5f);
            float[] y = down(s, 1000);
            for (int i = 0; i < 1000; i++) {
                assertEquals(i >= 10 && i < 510 ? -3.5f : 0f, y[i], "element " + i);
            }
            B.fill(s, 0, 1000, Float.NaN);
            assertTrue(Float.isNaN(down(s, 1000)[999]));
        }
    }

    @Test
    void unaryOpsOnDenseAndStridedViews() {
        Random rnd = new Random(2);
        int rows = 37;
        int cols = 29;
        float[] x = values(rnd, 5 + rows * cols);
        try (Storage s = up(x)) {
            for (UnaryOp op : UnaryOp.values()) {
                for (float scalar : new float[] {0.5f, 2f, -1.25f, 0f, 3f}) {
                    // Dense view at offset 5.
                    StridedView dense = StridedView.contiguous(s, 5, new int[] {rows, cols});
                    // Transposed view: logical [cols, rows].
                    StridedView transposed = new StridedView(s, 5, new int[] {cols, rows}, new int[] {1, cols});
                    for (StridedView v : List.of(dense, transposed)) {
                        try (Storage out = B.allocate(0, rows * cols)) {
                            B.unary(op, scalar, v, out);
                            float[] y = down(out, rows * cols);
                            int i = 0;
                            for (int a = 0; a < v.shape()[0]; a++) {
                                for (int b = 0; b < v.shape()[1]; b++, i++) {
                                    float in = x[v.offset() + a * v.strides()[0] + b * v.strides()[1]];
                                    assertClose(op.apply(in, scalar), y[i], 4e-6f,
                                            op + "(" + in + ", " + scalar + ") at " + i + (v == dense ? " dense" : " strided"));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void binaryOpsWithBroadcastingAndHighRank() {
        Random rnd = new Random(3);
        float[] xa = values(rnd, 3 * 4 * 5);
        float[] xb = values(rnd, 4);
        float[] xc = values(rnd, 3 * 4 * 5);
        try (Storage a = up(xa); Storage b = up(xb); Storage c = up(xc)) {
            int[] shape = {3, 4, 5};
            StridedView va = StridedView.contiguous(a, 0, shape);
            StridedView vb = new StridedView(b, 0, shape, new int[] {0, 1, 0});  // [1,4,1] broadcast
            StridedView vc = StridedView.contiguous(c, 0, shape);
            for (BinaryOp op : BinaryOp.values()) {
                try (Storage out = B.allocate(0, 60); Storage out2 = B.allocate(0, 60)) {
                    B.binary(op, va, vb, out);
                    B.binary(op, va, vc, out2);
                    float[] y = down(out, 60);
                    float[] y2 = down(out2, 60);
                    for (int i = 0; i < 60; i++) {
                        int j = (i / 5) % 4;
                        assertClose(op.apply(xa[i], xb[j]), y[i], 4e-6f, op + " broadcast at " + i);
                        assertClose(op.apply(xa[i], xc[i]), y2[i], 4e-6f, op + " dense at " + i);
                    }
                }
            }
        }
        // Rank 10, not coalescible (every other dim transposed): exercises the launch loop over leading dims.
        int rank = 10;
        int[] shape = new int[rank];
        java.util.Arrays.fill(shape, 2);
        int[] dense = new int[rank];
        for (int d = rank - 1, acc = 1; d >= 0; d--, acc *= 2) {
            dense[d] = acc;
        }
        int[] swapped = dense.clone();
        for (int d = 0; d + 1 < rank; d += 2) {
            swapped[d] = dense[d + 1];
            swapped[d + 1] = dense[d];
        }
        float[] x = values(rnd, 1024);
        try (Storage s = up(x); Storage out = B.allocate(0, 1024)) {
            B.binary(BinaryOp.SUB, new StridedView(s, 0, shape, swapped), new StridedView(s, 0, shape, dense), out);
            float[] y = down(out, 1024);
            for (int i = 0; i < 1024; i++) {
                int o0 = 0;
                int rem = i;
                for (int d = rank - 1; d >= 0; d--) {
                    o0 += (rem % 2) * swapped[d];
                    rem /= 2;
                }
                assertClose(x[o0] - x[i], y[i], 0f, "rank-10 SUB at " + i);
            }
        }
    }

    /** Host reference of one reduction slice, as ReduceOp documents it. */
    static float reference(ReduceOp op, float[] slice) {
        switch (op) {
            case SUM: {
                double s = 0;
                for (float v : slice) {
                    s += v;
                }
                return (float) s;
            }
            case MAX:
            case MIN: {
                float best = op == ReduceOp.MAX ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
                for (float v : slice) {
                    if (Float.isNaN(v)) {
                        return Float.NaN;
                    }
                    best = op == ReduceOp.MAX ? Math.max(best, v) : Math.min(best, v);
                }
                return best;
            }
            default: {
                int idx = 0;
                for (int i = 1; i < slice.length; i++) {
                    float b = slice[idx];
                    float v = slice[i];
                    if (Float.isNaN(b)) {
                        break;
                    }
                    if (Float.isNaN(v) || (op == ReduceOp.ARGMAX ? v > b : v < b)) {
                        idx = i;
                    }
                }
                return idx;
            }
        }
    }

    static void checkReduce(float[] x, StridedView v, int dim, float sumTol) {
        int rank = v.rank();
        int outN = 1;
        for (int d = 0; d < rank; d++) {
            if (d != dim) {
                outN *= v.shape()[d];
            }
        }
        for (ReduceOp op : ReduceOp.values()) {
            try (Storage out = B.allocate(0, outN)) {
                B.reduce(op, v, dim, out);
                float[] y = down(out, outN);
                int[] idx = new int[rank];
                for (int o = 0; o < outN; o++) {
                    // Decode o over the kept dims (row-major).
                    int rem = o;
                    for (int d = rank - 1; d >= 0; d--) {
                        if (d == dim) {
                            continue;
                        }
                        idx[d] = rem % v.shape()[d];
                        rem /= v.shape()[d];
                    }
                    float[] slice = new float[v.shape()[dim]];
                    double abs = 0;
                    for (int r = 0; r < slice.length; r++) {
                        idx[dim] = r;
                        int off = v.offset();
                        for (int d = 0; d < rank; d++) {
                            off += idx[d] * v.strides()[d];
                        }
                        slice[r] = x[off];
                        abs += Math.abs(x[off]);
                    }
                    float exp = reference(op, slice);
                    String what = op + " over dim " + dim + " of " + java.util.Arrays.toString(v.shape()) + " at " + o;
                    if (op == ReduceOp.SUM && !Float.isNaN(exp) && !Float.isInfinite(exp)) {
                        assertTrue(Math.abs(exp - y[o]) <= sumTol * abs + 1e-6, what + ": expected " + exp + " got " + y[o]);
                    } else {
                        assertClose(exp, y[o], 0f, what);
                    }
                }
            }
        }
    }

    @Test
    void reductionsAlongEachDimWithNaN() {
        Random rnd = new Random(4);
        int[] shape = {6, 7, 9};
        float[] x = new float[3 + 6 * 7 * 9];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        x[3 + 20] = Float.NaN;
        x[3 + 200] = Float.NaN;
        x[3 + 201] = 1e30f;
        x[3 + 100] = x[3 + 101];  // a tie
        try (Storage s = up(x)) {
            StridedView dense = StridedView.contiguous(s, 3, shape);
            for (int dim = 0; dim < 3; dim++) {
                checkReduce(x, dense, dim, 1e-5f);
            }
            // A permuted view [9, 6, 7] of the same storage.
            StridedView perm = new StridedView(s, 3, new int[] {9, 6, 7}, new int[] {1, 63, 9});
            for (int dim = 0; dim < 3; dim++) {
                checkReduce(x, perm, dim, 1e-5f);
            }
        }
    }

    @Test
    void longAndStridedReductions() {
        Random rnd = new Random(5);
        float[] x = new float[1 << 20];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        x[777_777] = 50f;
        x[900_000] = 50f;  // tie: first index wins
        try (Storage s = up(x)) {
            checkReduce(x, StridedView.contiguous(s, 0, new int[] {1 << 20}), 0, 1e-5f);       // block per output
            checkReduce(x, StridedView.contiguous(s, 0, new int[] {4096, 256}), 0, 1e-5f);     // thread per output
            checkReduce(x, StridedView.contiguous(s, 0, new int[] {256, 4096}), 1, 1e-5f);     // block per output
        }
    }

    @Test
    void steadyStateMakesNoRawAllocations() {
        CachingAllocator<?> alloc = B.allocator(0);
        Runnable pass = () -> {
            List<Storage> tmp = new ArrayList<>();
            for (int n : new int[] {10, 4096, 4096, 1 << 20, 3_000_000}) {
                tmp.add(B.allocate(0, n));
            }
            tmp.forEach(Storage::close);
        };
        pass.run();
        long raw = alloc.rawAllocations();
        for (int i = 0; i < 10; i++) {
            pass.run();
        }
        assertEquals(raw, alloc.rawAllocations(), "steady state reuses cached blocks: " + alloc);
    }

    @Test
    void outOfMemoryIsAnExceptionAndTheBackendStaysUsable() {
        List<Storage> held = new ArrayList<>();
        DeviceOutOfMemoryException e;
        try {
            e = assertThrows(DeviceOutOfMemoryException.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    held.add(B.allocate(0, Integer.MAX_VALUE - 1024));  // ~8 GiB each
                }
            });
        } finally {
            held.forEach(Storage::close);
        }
        assertTrue(e.requestedBytes() > 0 && e.freeBytes() >= 0, e.getMessage());
        assertTrue(e.getMessage().contains(Long.toString(e.requestedBytes())), e.getMessage());
        B.emptyCache(0);
        float[] x = {1, 2, 3};
        try (Storage s = up(x)) {
            assertArrayEquals(x, down(s, 3));
        }
    }

    @Test
    void threadsUseTheirOwnStreams() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final float scalar = t;
                results.add(pool.submit(() -> {
                    float[] x = new float[100_000];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = i;
                    }
                    try (Storage s = up(x); Storage out = B.allocate(0, x.length)) {
                        for (int rep = 0; rep < 20; rep++) {
                            B.unary(UnaryOp.ADD_SCALAR, scalar, StridedView.contiguous(s, 0, new int[] {x.length}), out);
                        }
                        float[] y = down(out, x.length);
                        for (int i = 0; i < x.length; i++) {
                            if (y[i] != i + scalar) {
                                return false;
                            }
                        }
                        return true;
                    }
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdown();
        }
    }
}
