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

import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The batch-norm kernels of {@code rows.cu} ({@code batch_norm_f32}, {@code batch_norm_backward_f32}) run on the
 * host under the CUDA emulation (see {@link HostKernels}) through the backend's launch code ({@link CudaKernels})
 * and compared with the CPU backend on odd {@code [N, C, S]} shapes: a channel of more than a 1024-thread block,
 * {@code [N, C]} inputs (the CPU's loops across channels, with a tail), channels-last and sliced strides with an
 * offset, channels spread over a one-SM grid, in training (with and without running statistics and affine) and
 * evaluation mode, and an empty input that launches nothing.
 */
class HostBatchNormKernelsTest {
    /** One case: the [N, C, S] view of x (strides, offset) and what the call has. */
    record Case(int[] shape, int[] strides, int offset, boolean affine, boolean running, boolean training) {
        int span() {
            int end = offset;
            for (int i = 0; i < 3; i++) {
                end += (shape[i] - 1) * strides[i];
            }
            return end + 1;
        }

        @Override
        public String toString() {
            return "batchNorm of " + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset "
                    + offset + (affine ? ", affine" : "") + (running ? ", running statistics" : "")
                    + (training ? ", training" : ", evaluation");
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case(new int[] {7, 3, 1000}, new int[] {3000, 1000, 1}, 0, true, true, true),   // > 1024 per channel
                new Case(new int[] {5, 37, 1}, new int[] {37, 1, 1}, 2, true, true, true),          // [N, C], 37 channels
                new Case(new int[] {3, 5, 13}, new int[] {65, 1, 5}, 1, false, true, true),         // channels last
                new Case(new int[] {2, 4, 33}, new int[] {300, 70, 2}, 3, true, false, true),       // sliced, no running
                new Case(new int[] {9, 40, 1}, new int[] {1, 9, 1}, 0, true, true, true),           // transposed [N, C]
                new Case(new int[] {4, 6, 7}, new int[] {42, 7, 1}, 0, true, true, false),          // evaluation
                new Case(new int[] {6, 33, 1}, new int[] {33, 1, 1}, 0, false, true, false),        // evaluation [N, C]
                new Case(new int[] {0, 3, 4}, new int[] {12, 4, 1}, 0, true, true, true));          // empty
    }

    @Test
    void batchNormAndItsGradientsMatchTheCpuBackend() {
        Random rnd = new Random(31);
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            List<Runnable> checks = new ArrayList<>();
            for (Case k : cases()) {
                int n = k.shape()[0];
                int c = k.shape()[1];
                int sp = k.shape()[2];
                int numel = n * c * sp;
                float[] x = values(rnd, Math.max(1, k.span()), 0);
                for (int i = 0; i < x.length; i++) {
                    x[i] += 5f; // an offset that a one-pass variance would lose part of
                }
                float[] g = values(rnd, Math.max(1, k.span()), 0);
                float[] w = values(rnd, c, 0);
                float[] b = values(rnd, c, 0);
                float[] rm = values(rnd, c, 0);
                float[] rv = values(rnd, c, 0);
                for (int i = 0; i < c; i++) {
                    rv[i] = Math.abs(rv[i]) + 0.5f;
                }
                StridedView xv = new StridedView(null, k.offset(), k.shape(), k.strides());
                StridedView cv = StridedView.contiguous(null, 0, new int[] {c});
                Storage cx = CPU.upload(0, x, 0, x.length);
                Storage cg = CPU.upload(0, g, 0, g.length);
                Storage cw = CPU.upload(0, w, 0, c);
                Storage cb = CPU.upload(0, b, 0, c);
                Storage crm = CPU.upload(0, rm, 0, c);
                Storage crv = CPU.upload(0, rv, 0, c);
                Storage ex = dev.upload(x);
                Storage eg = dev.upload(g);
                Storage ew = dev.upload(w);
                Storage eb = dev.upload(b);
                EmulatedDevice.HostStorage erm = dev.upload(rm);
                EmulatedDevice.HostStorage erv = dev.upload(rv);
                Storage cy = CPU.allocate(0, Math.max(1, numel));
                Storage cm = CPU.allocate(0, c);
                Storage ci = CPU.allocate(0, c);
                EmulatedDevice.HostStorage ey = dev.allocate(Math.max(1, numel));
                EmulatedDevice.HostStorage em = dev.allocate(c);
                EmulatedDevice.HostStorage ei = dev.allocate(c);
                boolean r = k.running();
                if (numel > 0) {
                    CPU.batchNorm(on(cx, xv), k.affine() ? on(cw, cv) : null, k.affine() ? on(cb, cv) : null,
                            r ? on(crm, cv) : null, r ? on(crv, cv) : null, k.training(), 0.2f, 1e-5f, cy, cm, ci);
                }
                CudaKernels.batchNorm(dev, on(ex, xv), k.affine() ? on(ew, cv) : null, k.affine() ? on(eb, cv) : null,
                        r ? on(erm, cv) : null, r ? on(erv, cv) : null, k.training(), 0.2f, 1e-5f, ey, em, ei);
                Storage cdx = CPU.allocate(0, Math.max(1, numel));
                Storage cdw = CPU.allocate(0, c);
                Storage cdb = CPU.allocate(0, c);
                EmulatedDevice.HostStorage edx = dev.allocate(Math.max(1, numel));
                EmulatedDevice.HostStorage edw = dev.allocate(c);
                EmulatedDevice.HostStorage edb = dev.allocate(c);
                // the backward passes both read the CPU's statistics, so each gradient is checked on its own
                float[] mean = cpuDown(cm);
                float[] invstd = cpuDown(ci);
                StridedView gv = new StridedView(null, k.offset(), k.shape(), k.strides());
                if (numel > 0) {
                    CPU.batchNormBackward(on(cx, xv), on(cg, gv), cm, ci, k.affine() ? on(cw, cv) : null,
                            k.training(), cdx, cdw, cdb);
                }
                CudaKernels.batchNormBackward(dev, on(ex, xv), on(eg, gv), dev.upload(mean), dev.upload(invstd),
                        k.affine() ? on(ew, cv) : null, k.training(), edx, edw, edb);
                String what = k.toString();
                int m = Math.max(1, n * sp);
                checks.add(() -> {
                    if (numel == 0) {
                        assertSame(rm, erm.data, 0, new float[c], what + ": running_mean untouched");
                        return;
                    }
                    float[] e = cpuDown(cy);
                    assertSame(e, ey.data, 0, plus(relative(e, 1e-4f), 2e-4f), what);
                    assertSame(mean, em.data, 0, plus(relative(mean, 1e-5f), 1e-6f), what + ", mean");
                    assertSame(invstd, ei.data, 0, plus(relative(invstd, 1e-4f), 1e-6f), what + ", invstd");
                    float[] rme = cpuDown(crm);
                    float[] rve = cpuDown(crv);
                    assertSame(rme, erm.data, 0, plus(relative(rme, 1e-5f), 1e-6f), what + ", running_mean");
                    assertSame(rve, erv.data, 0, plus(relative(rve, 1e-4f), 1e-6f), what + ", running_var");
                    float[] dx = cpuDown(cdx);
                    assertSame(dx, edx.data, 0, plus(relative(dx, 1e-3f), 1e-4f), what + ", input gradient");
                    float[] dw = cpuDown(cdw);
                    assertSame(dw, edw.data, 0, plus(relative(dw, 1e-4f), 1e-4f * m), what + ", weight gradient");
                    float[] db = cpuDown(cdb);
                    assertSame(db, edb.data, 0, plus(relative(db, 1e-4f), 1e-4f * m), what + ", bias gradient");
                });
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    @Test
    void evaluationWithoutRunningStatisticsIsRefusedBeforeAnyLaunch() {
        EmulatedDevice dev = small();
        StridedView x = StridedView.contiguous(dev.upload(new float[12]), 0, new int[] {2, 3, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                CudaKernels.batchNorm(dev, x, null, null, null, null, false, 0.1f, 1e-5f, dev.allocate(12),
                        dev.allocate(3), dev.allocate(3)));
        assertTrue(e.getMessage().contains("batchNorm: evaluation mode needs running_mean"), e.getMessage());
        dev.sync();
        assertTrue(dev.history.isEmpty(), "launched: " + dev.history);
    }

    private static float[] plus(float[] tol, float abs) {
        for (int i = 0; i < tol.length; i++) {
            tol[i] += abs;
        }
        return tol;
    }
}
