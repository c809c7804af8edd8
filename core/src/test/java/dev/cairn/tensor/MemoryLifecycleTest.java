package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.DeviceException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Devices;
import dev.cairn.nn.F;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.testing.FakeBackend;
import org.junit.jupiter.api.Test;

/**
 * Device memory life cycle against a fake device whose memory must be freed (like CUDA's): scopes,
 * views, the cleaner safety net, long inference loops, and the rules for mixing devices.
 */
class MemoryLifecycleTest {
    private static final Device GPU = Device.cuda(0);

    private static FakeBackend fake() {
        return (FakeBackend) Devices.backend(GPU);
    }

    /** The seed MLP, written with call() as users write it. */
    static final class Mlp extends Module {
        final Linear hidden = register("hidden", new Linear(20, 256, true, new Generator(1)));
        final Linear out = register("out", new Linear(256, 10, true, new Generator(2)));

        @Override
        public Tensor forward(Tensor x) {
            return out.call(F.relu(hidden.call(x)));
        }
    }

    @Test
    void scopeClosesEverythingMadeInsideExceptWhatIsKept() {
        long mark = fake().mark();
        Tensor kept;
        try (TensorScope scope = TensorScope.open()) {
            Tensor a = Tensor.ones(GPU, 4, 4);
            Tensor b = a.add(a).mul(3f).relu();
            kept = scope.keep(b.sum());
            assertTrue(fake().liveSince(mark) >= 4);
        }
        assertEquals(1, fake().liveSince(mark), "only the kept result stays");
        assertEquals(96f, kept.item());
        kept.close();
        assertEquals(0, fake().liveSince(mark));
    }

    @Test
    void nestedScopeHandsKeptTensorsToTheOuterScope() {
        long mark = fake().mark();
        try (TensorScope outer = TensorScope.open()) {
            Tensor inner;
            try (TensorScope scope = TensorScope.open()) {
                inner = scope.keep(Tensor.ones(GPU, 3).add(1f));
            }
            assertEquals(2f, inner.toFloatArray()[0]);
        }
        assertEquals(0, fake().liveSince(mark), "the outer scope closed what the inner one kept");
    }

    @Test
    void closingAnOuterScopeFirstAlsoClosesWhatItsInnerScopeKept() {
        long mark = fake().mark();
        TensorScope outer = TensorScope.open();
        TensorScope inner = TensorScope.open();
        inner.keep(Tensor.ones(GPU, 3));
        outer.close(); // out of order: the inner scope is closed first, handing its kept tensor to the outer
        inner.close();
        assertEquals(0, fake().liveSince(mark));
    }

    @Test
    void viewsKeepTheirStorageAliveUntilTheLastIsClosed() {
        long mark = fake().mark();
        Tensor base = Tensor.of(GPU, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor view = base.t();
        base.close();
        assertEquals(1, fake().liveSince(mark), "the view still holds the memory");
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, view.toFloatArray());
        view.close();
        assertEquals(0, fake().liveSince(mark));
        assertThrows(CairnException.class, view::toFloatArray);
    }

    @Test
    void catAndASliceGradientFreeTheirMemoryWhenClosed() {
        // both copy into views of a new tensor; a view left open kept the whole tensor's memory claimed
        long mark = fake().mark();
        try (TensorScope scope = TensorScope.open()) {
            Tensor joined = Tensor.cat(0, Tensor.ones(GPU, 2, 3), Tensor.zeros(GPU, 1, 3));
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 0, 0, 0}, joined.toFloatArray());
        }
        assertEquals(0, fake().liveSince(mark), "cat's output went with its scope");
        Tensor x = Tensor.ones(GPU, 4, 3).requiresGrad(true);
        long afterX = fake().mark();
        try (TensorScope scope = TensorScope.open()) {
            x.narrow(0, 1, 2).sum().backward();
            assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0}, x.grad().toFloatArray());
            x.grad().close();
        }
        assertEquals(0, fake().liveSince(afterX), "the slice's gradient went when closed");
        x.close();
    }

    @Test
    void theCleanerFreesTensorsNobodyClosed() throws InterruptedException {
        long mark = fake().mark();
        for (int i = 0; i < 10_000; i++) {
            Tensor.ones(GPU, 8).add(1f);
        }
        assertTrue(awaitLiveAtMost(mark, 50), "live storages after GC: " + fake().liveSince(mark));
    }

    @Test
    void inferenceLoopWithScopesKeepsDeviceMemoryFlat() {
        Module mlp = new Mlp().to(GPU);
        Tensor x = Tensor.rand(new Generator(3), 2, 20).to(GPU);
        long mark = fake().mark();
        long peak = 0;
        try (var g = GradMode.noGrad()) {
            for (int i = 0; i < 20_000; i++) {
                try (TensorScope scope = TensorScope.open()) {
                    mlp.call(x);
                }
                peak = Math.max(peak, fake().liveSince(mark));
            }
        }
        assertEquals(0, fake().liveSince(mark), "nothing left after the loop");
        assertTrue(peak <= 4, "at most one forward pass worth of intermediates at a time, saw " + peak);
    }

    @Test
    void inferenceLoopWithoutAnyCloseIsBoundedByTheCleaner() throws InterruptedException {
        Module mlp = new Mlp().to(GPU);
        Tensor x = Tensor.rand(new Generator(3), 2, 20).to(GPU);
        long mark = fake().mark();
        try (var g = GradMode.noGrad()) {
            for (int i = 0; i < 20_000; i++) {
                mlp.call(x);
                if (i % 5_000 == 4_999) {
                    System.gc();
                }
            }
        }
        assertTrue(awaitLiveAtMost(mark, 50), "live storages after GC: " + fake().liveSince(mark));
    }

    @Test
    void moduleToMovesParametersAndBuffersKeepingIdentityAndResults() {
        Mlp cpu = new Mlp();
        Tensor x = Tensor.rand(new Generator(4), 3, 20);
        float[] expected = cpu.call(x).toFloatArray();
        var weight = cpu.hidden.weight;
        cpu.to(GPU);
        assertSame(weight, cpu.hidden.weight);
        assertEquals(GPU, cpu.hidden.weight.device());
        Tensor y = cpu.call(x.to(GPU));
        assertEquals(GPU, y.device());
        assertArrayEquals(expected, y.toFloatArray(), 1e-5f);
        assertTrue(y.toString().contains("device='cuda:0'"), y.toString());
    }

    @Test
    void mixingDevicesNamesBothDevices() {
        Tensor a = Tensor.ones(2, 2);
        Tensor b = Tensor.ones(GPU, 2, 2);
        DeviceException e = assertThrows(DeviceException.class, () -> a.add(b));
        assertTrue(e.getMessage().contains("cpu") && e.getMessage().contains("cuda:0"), e.getMessage());
        Mlp gpuModel = (Mlp) new Mlp().to(GPU);
        DeviceException inModel = assertThrows(DeviceException.class, () -> gpuModel.call(Tensor.ones(1, 20)));
        assertTrue(inModel.getMessage().startsWith("in module hidden (Linear): "), inModel.getMessage());
    }

    @Test
    void unknownAndMissingDevicesAreClearErrors() {
        DeviceException unknown = assertThrows(DeviceException.class, () -> Device.parse("tpu:0"));
        assertTrue(unknown.getMessage().contains("unknown device 'tpu:0'"), unknown.getMessage());
        DeviceException missing = assertThrows(DeviceException.class, () -> Tensor.ones(Device.cuda(3), 2));
        assertTrue(missing.getMessage().contains("cuda:3"), missing.getMessage());
    }

    @Test
    void trainingOnTheDeviceWithScopedStepsKeepsOptimizerStateAlive() {
        Mlp model = new Mlp();
        var adam = new dev.cairn.nn.optim.Adam(model.parameters(), 0.01);
        var sgd = new dev.cairn.nn.optim.SGD(model.parameters(), 0.01, 0.9, 0, 0, false);
        model.to(GPU);
        Tensor x = Tensor.rand(new Generator(5), 4, 20).to(GPU);
        for (int step = 0; step < 3; step++) {
            try (TensorScope scope = TensorScope.open()) {
                adam.zeroGrad();
                model.call(x).sum().backward();
                adam.step();
                sgd.step();
            }
        }
        assertEquals(GPU, model.hidden.weight.device());
    }

    @Test
    void anOptimizerMadeBetweenForwardAndBackwardDoesNotBreakBackward() {
        Mlp model = new Mlp();
        Tensor loss = model.call(Tensor.ones(2, 20)).sum();
        var opt = new dev.cairn.nn.optim.SGD(model.parameters(), 0.1);
        loss.backward();
        opt.step();
        assertTrue(model.hidden.weight.grad() != null);
    }

    @Test
    void loadingAStateDictOntoTheDeviceLeavesNoExtraCopies() {
        Mlp model = (Mlp) new Mlp().to(GPU);
        var state = new Mlp().stateDict();
        long mark = fake().mark();
        model.loadStateDict(state, true);
        assertEquals(0, fake().liveSince(mark), "each moved source is closed after its copy");
        assertArrayEquals(state.get("out.bias").toFloatArray(), model.out.bias.toFloatArray());
    }

    /**
     * Waits for the Cleaner until at most {@code limit} of the storages allocated after {@code mark} are live.
     * The wait is bounded (two minutes of GC requests) only so that a real leak fails instead of hanging; a
     * slow machine just takes more rounds.
     */
    private static boolean awaitLiveAtMost(long mark, long limit) throws InterruptedException {
        for (int i = 0; i < 6_000 && fake().liveSince(mark) > limit; i++) {
            System.gc();
            Thread.sleep(20);
        }
        return fake().liveSince(mark) <= limit;
    }
}
