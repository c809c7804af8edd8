package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.backend.StridedView;
import org.junit.jupiter.api.Test;

/**
 * Kernels with outputs beside their main one (normalisation statistics, running statistics updated in place,
 * weight and bias gradients) count a write to each of them, so that a transpose or packed copy cached from one of
 * those storages (say the running mean used as a matrix) is rebuilt instead of served stale.
 */
class SideOutputVersionsTest {
    private static final CpuBackend CPU = new CpuBackend();

    private static CpuStorage storage(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i % 7) * 0.25f - 0.5f;
        }
        return new CpuStorage(a);
    }

    private static StridedView view(CpuStorage s, int... shape) {
        return StridedView.contiguous(s, 0, shape);
    }

    @Test
    void batchNormInTrainingCountsItsRunningAndSavedStatistics() {
        int n = 8;
        int c = 3;
        int hw = 4; // the kernel takes [N, C, spatial]
        CpuStorage x = storage(n * c * hw);
        CpuStorage runningMean = storage(c);
        CpuStorage runningVar = storage(c);
        CpuStorage saveMean = storage(c);
        CpuStorage saveInvstd = storage(c);
        long[] before = {runningMean.version(), runningVar.version(), saveMean.version(), saveInvstd.version()};
        CPU.batchNorm(view(x, n, c, hw), null, null, view(runningMean, c), view(runningVar, c), true, 0.1f, 1e-5f,
                storage(n * c * hw), saveMean, saveInvstd);
        CpuStorage[] sides = {runningMean, runningVar, saveMean, saveInvstd};
        String[] names = {"running mean", "running var", "saved mean", "saved invstd"};
        for (int i = 0; i < sides.length; i++) {
            assertTrue(sides[i].version() != before[i], names[i] + " written without a count");
        }
    }

    @Test
    void layerNormCountsItsStatisticsAndItsBackwardTheParameterGradients() {
        int rows = 4;
        int d = 6;
        CpuStorage x = storage(rows * d);
        CpuStorage weight = storage(d);
        CpuStorage mean = storage(rows);
        CpuStorage rstd = storage(rows);
        long meanBefore = mean.version();
        long rstdBefore = rstd.version();
        CPU.layerNorm(view(x, rows, d), view(weight, d), null, 1e-5f, storage(rows * d), mean, rstd);
        assertTrue(mean.version() != meanBefore, "mean written without a count");
        assertTrue(rstd.version() != rstdBefore, "rstd written without a count");

        CpuStorage dweight = storage(d);
        CpuStorage dbias = storage(d);
        long dwBefore = dweight.version();
        long dbBefore = dbias.version();
        // no input gradient wanted: the parameter gradients are the only outputs
        CPU.layerNormBackward(view(x, rows, d), view(storage(rows * d), rows, d), mean, rstd, view(weight, d), null,
                dweight, dbias);
        assertTrue(dweight.version() != dwBefore, "weight gradient written without a count");
        assertTrue(dbias.version() != dbBefore, "bias gradient written without a count");
    }
}
