package dev.cairn.backend.cuda;

import static dev.cairn.backend.cuda.HostKernelsTest.CPU;
import static dev.cairn.backend.cuda.HostKernelsTest.assertSame;
import static dev.cairn.backend.cuda.HostKernelsTest.cpuDown;
import static dev.cairn.backend.cuda.HostKernelsTest.large;
import static dev.cairn.backend.cuda.HostKernelsTest.on;
import static dev.cairn.backend.cuda.HostKernelsTest.relative;
import static dev.cairn.backend.cuda.HostKernelsTest.small;
import static dev.cairn.backend.cuda.HostKernelsTest.values;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.DType;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The line kernels of {@code rows.cu} (softmax and its gradient, layer norm and its gradients, cumsum) and
 * the float32 PROD reduction (integer PROD: {@link HostTypedKernelsTest}), run on the host under the CUDA emulation (see {@link HostKernels}) through the
 * backend's launch code ({@link CudaKernels}) and compared with the CPU backend on lines that are dense,
 * strided, transposed, a block of 1024 threads long, one element long, empty, and spread over two launches
 * (rank 10 after merging), with NaN and infinities mixed in.
 */
class HostRowKernelsTest {
    /** (shape, strides, offset, dim) of the source lines. */
    record Lines(int[] shape, int[] strides, int offset, int dim) {
        StridedView view() {
            return new StridedView(null, offset, shape, strides);
        }

        @Override
        public String toString() {
            return "dim " + dim + " of " + Arrays.toString(shape) + " strides " + Arrays.toString(strides);
        }
    }

    static final int BUFFER = 60_011;

    static List<Lines> lines() {
        return List.of(
                new Lines(new int[] {7, 1000}, new int[] {1000, 1}, 0, 1),        // 1024-thread blocks
                new Lines(new int[] {5, 37}, new int[] {37, 1}, 3, 1),            // a partial warp's tail
                new Lines(new int[] {1000, 7}, new int[] {7, 1}, 1, 0),           // along dim 0: strided lines
                new Lines(new int[] {17, 4}, new int[] {1, 17}, 0, 1),            // a transposed view
                new Lines(new int[] {3, 33, 4}, new int[] {132, 4, 1}, 2, 1),     // the middle dimension
                new Lines(new int[] {9, 1}, new int[] {1, 1}, 0, 1),              // lines of one element
                new Lines(new int[] {4, 0, 3}, new int[] {0, 3, 1}, 0, 2),        // no lines
                new Lines(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 40},
                        new int[] {40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 1}, 0, 9)); // two launches
    }

    @Test
    void softmaxAndItsGradientMatchTheCpuBackend() {
        Random rnd = new Random(21);
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            float[] x = values(rnd, BUFFER, 300);
            float[] g = values(rnd, BUFFER, 0);
            Storage cx = CPU.upload(0, x, 0, x.length);
            Storage ex = dev.upload(x);
            Storage cg = CPU.upload(0, g, 0, g.length);
            Storage eg = dev.upload(g);
            List<Runnable> checks = new ArrayList<>();
            for (boolean log : new boolean[] {false, true}) {
                for (Lines c : lines()) {
                    StridedView v = c.view();
                    int n = v.numel();
                    Storage cy = CPU.allocate(0, n);
                    EmulatedDevice.HostStorage ey = dev.allocate(n);
                    CPU.softmax(on(cx, v), c.dim(), log, cy);
                    CudaKernels.softmax(dev, on(ex, v), c.dim(), log, ey);
                    // the gradient from the CPU's output (so both read the same y), g over a second layout
                    StridedView dense = StridedView.contiguous(null, 0, c.shape());
                    Storage cdx = CPU.allocate(0, n);
                    EmulatedDevice.HostStorage edx = dev.allocate(n);
                    float[] yHost = cpuDown(cy);
                    Storage eyCopy = dev.upload(yHost.length == 0 ? new float[1] : yHost);
                    CPU.softmaxBackward(on(cy, dense), on(cg, v), c.dim(), log, cdx);
                    CudaKernels.softmaxBackward(dev, on(eyCopy, dense), on(eg, v), c.dim(), log, edx);
                    String what = (log ? "logSoftmax" : "softmax") + " along " + c;
                    checks.add(() -> {
                        float[] e = cpuDown(cy);
                        // float sums in another order: the log of the sum differs by a few ulps in absolute terms
                        assertSame(e, ey.data, 0, plus(relative(e, 2e-5f), 1e-6f), what);
                        float[] de = cpuDown(cdx);
                        float[] tol = relative(de, 1e-4f);
                        for (int i = 0; i < tol.length; i++) {
                            tol[i] += 1e-6f; // y * (g - s) where g - s nearly cancels
                        }
                        assertSame(de, edx.data, 0, tol, what + ", gradient");
                    });
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    @Test
    void layerNormAndItsGradientsMatchTheCpuBackend() {
        Random rnd = new Random(22);
        // rows, cols, row stride (>= cols), weight/bias present, a NaN row
        int[][] cases = {{7, 1000, 1000, 1, 0}, {300, 5, 8, 1, 1}, {33, 64, 64, 0, 0}, {1, 1, 1, 1, 0}, {40, 37, 40, 1, 1}};
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            List<Runnable> checks = new ArrayList<>();
            for (int[] k : cases) {
                int rows = k[0];
                int cols = k[1];
                int stride = k[2];
                boolean affine = k[3] == 1;
                float[] x = values(rnd, rows * stride + 3, 0);
                for (int i = 0; i < x.length; i++) {
                    x[i] += 50f; // an offset that a one-pass variance would lose
                }
                if (k[4] == 1) {
                    x[3 + stride] = Float.NaN;
                }
                float[] g = values(rnd, rows * stride + 3, 0);
                float[] w = values(rnd, cols, 0);
                float[] b = values(rnd, cols, 0);
                StridedView xv = new StridedView(null, 3, new int[] {rows, cols}, new int[] {stride, 1});
                StridedView gv = new StridedView(null, 0, new int[] {rows, cols}, new int[] {stride, 1});
                StridedView wv = StridedView.contiguous(null, 0, new int[] {cols});
                Storage cx = CPU.upload(0, x, 0, x.length);
                Storage cg = CPU.upload(0, g, 0, g.length);
                Storage cw = CPU.upload(0, w, 0, cols);
                Storage cb = CPU.upload(0, b, 0, cols);
                Storage ex = dev.upload(x);
                Storage eg = dev.upload(g);
                Storage ew = dev.upload(w);
                Storage eb = dev.upload(b);
                Storage cy = CPU.allocate(0, rows * cols);
                Storage cm = CPU.allocate(0, rows);
                Storage cr = CPU.allocate(0, rows);
                EmulatedDevice.HostStorage ey = dev.allocate(rows * cols);
                EmulatedDevice.HostStorage em = dev.allocate(rows);
                EmulatedDevice.HostStorage er = dev.allocate(rows);
                CPU.layerNorm(on(cx, xv), affine ? on(cw, wv) : null, affine ? on(cb, wv) : null, 1e-5f, cy, cm, cr);
                CudaKernels.layerNorm(dev, on(ex, xv), affine ? on(ew, wv) : null, affine ? on(eb, wv) : null, 1e-5f,
                        ey, em, er);
                Storage cdx = CPU.allocate(0, rows * cols);
                Storage cdw = CPU.allocate(0, cols);
                Storage cdb = CPU.allocate(0, cols);
                EmulatedDevice.HostStorage edx = dev.allocate(rows * cols);
                EmulatedDevice.HostStorage edw = dev.allocate(cols);
                EmulatedDevice.HostStorage edb = dev.allocate(cols);
                // both backward passes read the CPU's statistics, so each gradient is checked on its own
                float[] mean = cpuDown(cm);
                float[] rstd = cpuDown(cr);
                CPU.layerNormBackward(on(cx, xv), on(cg, gv), cm, cr, affine ? on(cw, wv) : null, cdx, cdw, cdb);
                CudaKernels.layerNormBackward(dev, on(ex, xv), on(eg, gv), dev.upload(mean), dev.upload(rstd),
                        affine ? on(ew, wv) : null, edx, edw, edb);
                String what = "layerNorm of [" + rows + ", " + cols + "] row stride " + stride + (affine ? " with" : " without")
                        + " weight and bias" + (k[4] == 1 ? ", a NaN row" : "");
                checks.add(() -> {
                    float[] e = cpuDown(cy);
                    // the mean of values near 50 summed in float (tree order on the GPU) is off by ~1e-5
                    assertSame(e, ey.data, 0, plus(relative(e, 1e-4f), 2e-4f), what);
                    assertSame(mean, em.data, 0, plus(relative(mean, 1e-5f), 1e-6f), what + ", mean");
                    assertSame(rstd, er.data, 0, plus(relative(rstd, 1e-4f), 1e-6f), what + ", rstd");
                    float[] dx = cpuDown(cdx);
                    assertSame(dx, edx.data, 0, plus(relative(dx, 1e-3f), 1e-4f), what + ", input gradient");
                    float[] dw = cpuDown(cdw);
                    assertSame(dw, edw.data, 0, plus(relative(dw, 1e-4f), 1e-4f * rows), what + ", weight gradient");
                    float[] db = cpuDown(cdb);
                    assertSame(db, edb.data, 0, plus(relative(db, 1e-4f), 1e-4f * rows), what + ", bias gradient");
                });
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    @Test
    void cumsumMatchesTheCpuBackendExactlyBothWays() {
        Random rnd = new Random(23);
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            float[] x = values(rnd, BUFFER, 50);
            Storage cx = CPU.upload(0, x, 0, x.length);
            Storage ex = dev.upload(x);
            List<Runnable> checks = new ArrayList<>();
            for (boolean reverse : new boolean[] {false, true}) {
                for (Lines c : lines()) {
                    StridedView v = c.view();
                    int n = v.numel();
                    Storage cy = CPU.allocate(0, n);
                    EmulatedDevice.HostStorage ey = dev.allocate(n);
                    CPU.cumsum(on(cx, v), c.dim(), reverse, cy);
                    CudaKernels.cumsum(dev, on(ex, v), c.dim(), reverse, ey);
                    String what = (reverse ? "reverse " : "") + "cumsum along " + c;
                    // both accumulate each line in double, in the same order
                    checks.add(() -> assertSame(cpuDown(cy), ey.data, 0, null, what));
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    /** int64 running sums (what core gives integer and bool inputs) wrap as the CPU backend's. */
    @Test
    void int64CumsumMatchesTheCpuBackendExactly() {
        Random rnd = new Random(25);
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            Object x = HostTypedKernelsTest.values(rnd, DType.INT64, BUFFER);  // Long.MAX_VALUE etc.: sums wrap
            Storage cx = CPU.upload(0, DType.INT64, x, 0, BUFFER);
            Storage ex = dev.upload(DType.INT64, x);
            List<Runnable> checks = new ArrayList<>();
            for (boolean reverse : new boolean[] {false, true}) {
                for (Lines c : lines()) {
                    StridedView v = c.view();
                    int n = v.numel();
                    Storage cy = CPU.allocate(0, DType.INT64, n);
                    EmulatedDevice.HostStorage ey = dev.allocate(DType.INT64, n);
                    CPU.cumsum(on(cx, v), c.dim(), reverse, cy);
                    CudaKernels.cumsum(dev, on(ex, v), c.dim(), reverse, ey);
                    String what = (reverse ? "reverse " : "") + "int64 cumsum along " + c;
                    checks.add(() -> HostTypedKernelsTest.assertSameValues(HostTypedKernelsTest.cpuDown(cy), ey, what));
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    /** A line op on a dtype without a kernel names the missing kernel; mixed dtypes are refused; nothing launches. */
    @Test
    void aDtypeWithoutALineKernelIsAnErrorNamingIt() {
        EmulatedDevice dev = large();
        StridedView ints = StridedView.contiguous(dev.upload(DType.INT32, new int[] {1, 2, 3, 4, 5, 6}), 0, new int[] {2, 3});
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () ->
                CudaKernels.softmax(dev, ints, 1, false, dev.allocate(DType.INT32, 6)));
        assertTrue(e.getMessage().contains("softmax_i32") && e.getMessage().contains("softmax on int32"), e.getMessage());
        e = assertThrows(UnsupportedOperationException.class, () ->
                CudaKernels.cumsum(dev, ints, 1, false, dev.allocate(DType.INT32, 6)));
        assertTrue(e.getMessage().contains("cumsum_i32") && e.getMessage().contains("as int64"), e.getMessage());
        StridedView floats = StridedView.contiguous(dev.upload(new float[6]), 0, new int[] {2, 3});
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () ->
                CudaKernels.layerNorm(dev, floats, null, null, 1e-5f, dev.allocate(6), dev.allocate(DType.INT64, 2),
                        dev.allocate(2)));
        assertTrue(m.getMessage().contains("layerNorm: mean of dtype int64"), m.getMessage());
        dev.sync();  // runs whatever was queued: nothing may have been
        assertTrue(dev.history.isEmpty(), "launched: " + dev.history);
    }

    @Test
    void prodMatchesTheCpuBackendOnEveryReductionPath() {
        Random rnd = new Random(24);
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            float[] x = new float[BUFFER];
            for (int i = 0; i < x.length; i++) {
                // near 1, so that products of 1000 stay in range; some zeros, NaN and infinities
                x[i] = rnd.nextInt(500) == 0 ? HostKernelsTest.SPECIALS[rnd.nextInt(HostKernelsTest.SPECIALS.length)]
                        : 1f + 0.05f * (float) rnd.nextGaussian();
            }
            Storage cx = CPU.upload(0, x, 0, x.length);
            Storage ex = dev.upload(x);
            List<Runnable> checks = new ArrayList<>();
            for (Lines c : lines()) {
                StridedView v = c.view();
                int n = v.numel() / Math.max(1, c.shape()[c.dim()]);
                if (c.shape()[c.dim()] == 0) {
                    n = 0;
                }
                if (n == 0) {
                    continue;
                }
                Storage cy = CPU.allocate(0, n);
                EmulatedDevice.HostStorage ey = dev.allocate(n);
                CPU.reduce(ReduceOp.PROD, on(cx, v), c.dim(), cy);
                CudaKernels.reduce(dev, ReduceOp.PROD, on(ex, v), c.dim(), ey);
                int len = c.shape()[c.dim()];
                String what = "prod along " + c;
                checks.add(() -> {
                    float[] e = cpuDown(cy);
                    assertSame(e, ey.data, 0, relative(e, 2e-7f * len + 1e-6f), what);
                });
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    private static float[] plus(float[] tol, float abs) {
        for (int i = 0; i < tol.length; i++) {
            tol[i] += abs;
        }
        return tol;
    }
}
