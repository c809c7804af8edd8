package dev.cairn.samples.transfers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.tensor.Devices;
import dev.cairn.nn.BatchNorm1d;
import dev.cairn.nn.Embedding;
import dev.cairn.nn.Losses;
import dev.cairn.nn.Module;
import dev.cairn.nn.optim.ClipGrad;
import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The device paths that replaced host round trips, on {@link CountingBackend}'s device: they compute what
 * the CPU computes (same kernels, so exactly), bad indices are still errors naming the op, the index and
 * the size, reported by the kernel instead of by a check that reads the indices back, and BatchNorm and
 * gradient clipping keep their constants on the device.
 */
class DeviceIndexChecksTest {
    private static final Device DEVICE = Device.cuda(0);
    private static CountingBackend backend;

    @BeforeAll
    static void counting() {
        Assumptions.assumeTrue(Boolean.getBoolean("cairn.test.countingBackend"),
                "runs in this module's transfer-counts test run, where CountingBackend serves cuda:0");
        Devices.check(DEVICE); // makes the backends named by -Dcairn.backends
        backend = CountingBackend.current();
    }

    @Test
    void anOutOfRangeTokenIdIsAnErrorWithoutReadingTheIdsBack() {
        Module emb = new Embedding(50, 4).to(DEVICE);
        Tensor ids = Tensor.of(new long[] {3, 50, 7}, 3).to(DEVICE);
        backend.reset();
        CairnException e = assertThrows(CairnException.class, () -> emb.call(ids));
        assertTrue(e.getMessage().contains("indexSelect: index 50 is out of bounds for dimension 0 with size 50"),
                e.getMessage());
        assertEquals(java.util.List.of(), backend.accesses());
    }

    @Test
    void crossEntropyReportsAnOutOfRangeOrFractionalTargetOnTheDevice() {
        Tensor logits = Tensor.randn(new Generator(3), 3, 10).to(DEVICE);
        CairnException range = assertThrows(CairnException.class, () -> Losses.crossEntropy(logits,
                Tensor.of(new long[] {1, 12, 2}, 3).to(DEVICE)));
        assertTrue(range.getMessage().contains("gather: index 12 is out of bounds for dimension 1 with size 10"),
                range.getMessage());
        CairnException fraction = assertThrows(CairnException.class, () -> Losses.crossEntropy(logits,
                Tensor.of(new float[] {1f, 2.5f, 2f}, 3).to(DEVICE), -100, 0f));
        assertTrue(fraction.getMessage().contains("gather: index 10 is out of bounds for dimension 1 with size 10"),
                fraction.getMessage());
    }

    @Test
    void lossesAndMaxGradientsOnTheDeviceEqualTheCpus() {
        Tensor logits = Tensor.randn(new Generator(4), 5, 7);
        Tensor ids = Tensor.of(new long[] {6, -100, 0, 3, 3}, 5);
        Tensor valid = Tensor.of(new float[] {6, 1, 0, 3, 3}, 5);
        sameOnDevice(logits, x -> Losses.crossEntropy(x, ids.to(x.device()), -100, 0.2f));
        sameOnDevice(logits, x -> Losses.crossEntropy(x, valid.to(x.device())));
        sameOnDevice(logits, x -> Losses.nllLoss(Losses.logSoftmax(x, 1), valid.to(x.device())));
        sameOnDevice(logits, x -> x.max(1, false).mul(Tensor.arange(5).to(x.device())).sum());
    }

    @Test
    void batchNormCountsTrainingBatchesOnTheDevice() {
        Module bn = new BatchNorm1d(3).to(DEVICE).train();
        bn.call(Tensor.randn(new Generator(6), 4, 3).to(DEVICE));
        bn.call(Tensor.randn(new Generator(7), 4, 3).to(DEVICE));
        assertArrayEquals(new long[] {2}, bn.stateDict().get("num_batches_tracked").reshape(1).toLongArray());
    }

    @Test
    void clippingGradientsStaysOnTheDevice() {
        Tensor w = Tensor.randn(new Generator(8), 3, 4).to(DEVICE).requiresGrad(true);
        w.mul(5f).sum().backward();
        backend.reset();
        Tensor norm = ClipGrad.clipGradNorm(java.util.List.of(w), 1.0);
        assertEquals(java.util.List.of(), backend.accesses());
        assertEquals(5f * (float) Math.sqrt(12), norm.item(), 1e-4f);
        assertEquals(1f, w.grad().mul(w.grad()).sum().sqrt().item(), 1e-4f);
    }

    /** {@code f} on the CPU and on the device: the same value and the same gradient. */
    private static void sameOnDevice(Tensor input, Function<Tensor, Tensor> f) {
        Tensor onCpu = input.detach().requiresGrad(true);
        Tensor cpuOut = f.apply(onCpu);
        cpuOut.backward();
        Tensor onDevice = input.detach().to(DEVICE).requiresGrad(true);
        Tensor deviceOut = f.apply(onDevice);
        deviceOut.backward();
        assertEquals(cpuOut.item(), deviceOut.item());
        assertArrayEquals(onCpu.grad().toFloatArray(), onDevice.grad().toFloatArray());
    }
}
