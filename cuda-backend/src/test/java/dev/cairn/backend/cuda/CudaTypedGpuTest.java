package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.backend.cpu.CpuBackend;
import dev.cairn.DType;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The integer / bool storages and kernels on a real GPU through {@link CudaBackend}, against the CPU
 * backend: transfers of every dtype (direct and through the pinned staging buffer), fills, comparisons,
 * where, conversions, gather / indexSelect, scatterAdd with repeated indices, integer reductions and
 * int64 argmax. Skipped, with the reason, where no usable CUDA GPU exists.
 */
class CudaTypedGpuTest {
    static final CudaBackend B = Gpu.BACKEND;
    static final CpuBackend CPU = HostTypedKernelsTest.CPU;

    @BeforeEach
    void needGpu() {
        Gpu.assume();
    }

    static Object down(Storage s) {
        Object r = switch (s.dtype()) {
            case FLOAT32 -> new float[s.size()];
            case INT64 -> new long[s.size()];
            case INT32 -> new int[s.size()];
            case BOOL -> new boolean[s.size()];
        };
        B.download(s, 0, r, 0, s.size());
        return r;
    }

    static void assertSameArrays(Object expected, Object actual, String what) {
        switch (expected) {
            case float[] e -> HostKernelsTest.assertSame(e, (float[]) actual, 0, null, what);
            case long[] e -> assertArrayEquals(e, (long[]) actual, what);
            case int[] e -> assertArrayEquals(e, (int[]) actual, what);
            case boolean[] e -> assertArrayEquals(e, (boolean[]) actual, what);
            default -> throw new AssertionError(expected.getClass());
        }
    }

    @Test
    void everyDtypeRoundTripsSmallAndThroughTheStagingBuffer() {
        Random rnd = new Random(31);
        for (DType t : DType.values()) {
            for (int n : new int[] {0, 1, 1000, 3_000_001}) {
                Object x = HostTypedKernelsTest.values(rnd, t, n);
                try (Storage s = B.upload(0, t, x, 0, n)) {
                    assertEquals(t, s.dtype());
                    assertSameArrays(x, down(s), t + " x " + n);
                }
            }
        }
    }

    @Test
    void typedKernelsMatchTheCpuBackend() {
        Random rnd = new Random(32);
        int n = HostTypedKernelsTest.N;
        for (DType t : DType.values()) {
            Object xa = HostTypedKernelsTest.values(rnd, t, n);
            Object xb = HostTypedKernelsTest.values(rnd, t, n);
            Object cond = HostTypedKernelsTest.values(rnd, DType.BOOL, n);
            Storage ca = CPU.upload(0, t, xa, 0, n);
            Storage cb = CPU.upload(0, t, xb, 0, n);
            Storage cc = CPU.upload(0, DType.BOOL, cond, 0, n);
            Storage ga = B.upload(0, t, xa, 0, n);
            Storage gb = B.upload(0, t, xb, 0, n);
            Storage gc = B.upload(0, DType.BOOL, cond, 0, n);
            for (HostTypedKernelsTest.Case c : HostTypedKernelsTest.cases()) {
                for (CompareOp op : CompareOp.values()) {
                    Storage co = CPU.allocate(0, DType.BOOL, c.numel());
                    Storage go = B.allocate(0, DType.BOOL, c.numel());
                    CPU.compare(op, c.view(ca, 0), c.view(cb, 1), co);
                    B.compare(op, c.view(ga, 0), c.view(gb, 1), go);
                    assertSameArrays(HostTypedKernelsTest.cpuDown(co), down(go), op + " on " + t + ", " + c.name());
                }
                Storage co = CPU.allocate(0, t, c.numel());
                Storage go = B.allocate(0, t, c.numel());
                CPU.where(c.view(cc, 0), c.view(ca, 1), c.view(cb, 2), co);
                B.where(c.view(gc, 0), c.view(ga, 1), c.view(gb, 2), go);
                assertSameArrays(HostTypedKernelsTest.cpuDown(co), down(go), "where on " + t + ", " + c.name());
                for (DType to : DType.values()) {
                    Storage cv = CPU.allocate(0, to, c.numel());
                    Storage gv = B.allocate(0, to, c.numel());
                    CPU.copy(c.view(ca, 0), StridedView.contiguous(cv, 0, c.shape()));
                    B.copy(c.view(ga, 0), StridedView.contiguous(gv, 0, c.shape()));
                    assertSameArrays(HostTypedKernelsTest.cpuDown(cv), down(gv), "copy " + t + " -> " + to + ", " + c.name());
                }
                if (t != DType.FLOAT32) {
                    for (UnaryOp op : KernelNames.INTEGRAL_UNARY) {
                        Storage cu = CPU.allocate(0, t, c.numel());
                        Storage gu = B.allocate(0, t, c.numel());
                        CPU.unary(op, 3f, c.view(ca, 0), cu);
                        B.unary(op, 3f, c.view(ga, 0), gu);
                        assertSameArrays(HostTypedKernelsTest.cpuDown(cu), down(gu), op + " on " + t + ", " + c.name());
                    }
                    for (BinaryOp op : KernelNames.INTEGRAL_BINARY) {
                        Storage cu = CPU.allocate(0, t, c.numel());
                        Storage gu = B.allocate(0, t, c.numel());
                        CPU.binary(op, c.view(ca, 0), c.view(cb, 1), cu);
                        B.binary(op, c.view(ga, 0), c.view(gb, 1), gu);
                        assertSameArrays(HostTypedKernelsTest.cpuDown(cu), down(gu), op + " on " + t + ", " + c.name());
                    }
                }
            }
            Storage cf = CPU.allocate(0, t, 100);
            Storage gf = B.allocate(0, t, 100);
            CPU.fill(cf, 0, 100, -2.7f);
            B.fill(gf, 0, 100, -2.7f);
            assertSameArrays(HostTypedKernelsTest.cpuDown(cf), down(gf), "fill " + t);
        }
    }

    @Test
    void indexingAndReductionsMatchTheCpuBackend() {
        Random rnd = new Random(33);
        for (DType t : DType.values()) {
            Object x = HostTypedKernelsTest.values(rnd, t, 300);
            Storage cs = CPU.upload(0, t, x, 0, 300);
            Storage gs = B.upload(0, t, x, 0, 300);
            long[] ix = HostTypedKernelsTest.indices(rnd, 6 * 7 * 4, 5);
            Storage ci = CPU.upload(0, DType.INT64, ix, 0, ix.length);
            Storage gi = B.upload(0, DType.INT64, ix, 0, ix.length);
            StridedView src = new StridedView(null, 1, new int[] {6, 5, 4}, new int[] {1, 24, 6});
            StridedView idx = StridedView.contiguous(null, 0, new int[] {6, 7, 4});
            Storage co = CPU.allocate(0, t, 6 * 7 * 4);
            Storage go = B.allocate(0, t, 6 * 7 * 4);
            CPU.gather(HostKernelsTest.on(cs, src), 1, HostKernelsTest.on(ci, idx), co);
            B.gather(HostKernelsTest.on(gs, src), 1, HostKernelsTest.on(gi, idx), go);
            assertSameArrays(HostTypedKernelsTest.cpuDown(co), down(go), "gather " + t);
            StridedView sel = new StridedView(null, 3, new int[] {7}, new int[] {2});
            Storage cso = CPU.allocate(0, t, 6 * 7 * 4);
            Storage gso = B.allocate(0, t, 6 * 7 * 4);
            CPU.indexSelect(HostKernelsTest.on(cs, src), 1, HostKernelsTest.on(ci, sel), cso);
            B.indexSelect(HostKernelsTest.on(gs, src), 1, HostKernelsTest.on(gi, sel), gso);
            assertSameArrays(HostTypedKernelsTest.cpuDown(cso), down(gso), "indexSelect " + t);
            // scatterAdd: 7 index rows into 5, repeated; float values are quarters so any order sums exactly
            Object add = t == DType.FLOAT32 ? HostTypedKernelsTest.quarters(rnd, 300) : x;
            Storage cadd = CPU.upload(0, t, add, 0, 300);
            Storage gadd = B.upload(0, t, add, 0, 300);
            Object init = t == DType.FLOAT32 ? HostTypedKernelsTest.quarters(rnd, 120)
                    : HostTypedKernelsTest.values(rnd, t, 120);
            Storage cd = CPU.upload(0, t, init, 0, 120);
            Storage gd = B.upload(0, t, init, 0, 120);
            StridedView dst = StridedView.contiguous(null, 0, new int[] {6, 5, 4});
            StridedView addView = StridedView.contiguous(null, 2, new int[] {6, 7, 4});
            CPU.scatterAdd(HostKernelsTest.on(cadd, addView), 1, HostKernelsTest.on(ci, idx), HostKernelsTest.on(cd, dst));
            B.scatterAdd(HostKernelsTest.on(gadd, addView), 1, HostKernelsTest.on(gi, idx), HostKernelsTest.on(gd, dst));
            assertSameArrays(HostTypedKernelsTest.cpuDown(cd), down(gd), "scatterAdd " + t);
            if (t != DType.FLOAT32) {
                for (ReduceOp op : ReduceOp.values()) {
                    DType out = KernelNames.reduceOutputs(op, t).get(0);
                    for (int dim = 0; dim < 3; dim++) {
                        int m = 120 / src.shape()[dim];
                        Storage cr = CPU.allocate(0, out, m);
                        Storage gr = B.allocate(0, out, m);
                        CPU.reduce(op, HostKernelsTest.on(cs, src), dim, cr);
                        B.reduce(op, HostKernelsTest.on(gs, src), dim, gr);
                        assertSameArrays(HostTypedKernelsTest.cpuDown(cr), down(gr), op + " of " + t + " along " + dim);
                    }
                }
            }
        }
        // float argmax with ties and NaN, written as int64
        float[] f = new float[4000];
        for (int i = 0; i < f.length; i++) {
            f[i] = rnd.nextInt(40) == 0 ? Float.NaN : rnd.nextInt(3);
        }
        Storage cf = CPU.upload(0, f, 0, f.length);
        Storage gf = B.upload(0, f, 0, f.length);
        for (int dim = 0; dim < 2; dim++) {
            StridedView v = StridedView.contiguous(null, 0, new int[] {4, 1000});
            int m = dim == 0 ? 1000 : 4;
            Storage cr = CPU.allocate(0, m);
            Storage gr = B.allocate(0, DType.INT64, m);
            CPU.reduce(ReduceOp.ARGMAX, HostKernelsTest.on(cf, v), dim, cr);
            B.reduce(ReduceOp.ARGMAX, HostKernelsTest.on(gf, v), dim, gr);
            float[] e = (float[]) HostTypedKernelsTest.cpuDown(cr);
            long[] a = (long[]) down(gr);
            for (int i = 0; i < m; i++) {
                assertTrue(a[i] == (long) e[i], "argmax along " + dim + " element " + i + ": " + e[i] + " vs " + a[i]);
            }
        }
    }
}
