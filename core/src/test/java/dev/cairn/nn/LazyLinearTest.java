package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.io.ModuleFiles;
import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LazyLinear}: D2L's deferred initialisation. */
class LazyLinearTest {
    private static final String NOT_YET = "LazyLinear(out_features=256) has not been initialised yet: run a forward"
            + " pass first (D2L's deferred initialisation)";

    @TempDir
    Path dir;

    @Test
    void beforeTheFirstForwardParametersAreUninitialised() {
        LazyLinear lazy = new LazyLinear(256);
        assertFalse(lazy.isInitialized());
        assertEquals(0, lazy.inFeatures());
        assertEquals("LazyLinear(in_features=0, out_features=256, bias=True)", lazy.toString());
        // net[0].weight prints <UninitializedParameter>
        assertEquals("<UninitializedParameter>", lazy.weight.toString());
        assertFalse(lazy.weight.isInitialized());
        // any use as a tensor is the clear error
        assertEquals(NOT_YET, assertThrows(CairnException.class, lazy.weight::shape).getMessage());
        assertEquals(NOT_YET, assertThrows(CairnException.class, () -> lazy.bias.add(1)).getMessage());
        assertEquals(NOT_YET, assertThrows(CairnException.class, lazy.weight::data).getMessage());
        assertEquals(NOT_YET, assertThrows(CairnException.class, lazy.weight::grad).getMessage());
        assertEquals(NOT_YET, assertThrows(CairnException.class, () -> lazy.weight.setData(Tensor.zeros(256, 3)))
                .getMessage());
        // listed by parameters() and the state dict, but their values are not usable
        assertEquals(2, lazy.parameters().size());
        Map<String, Tensor> sd = lazy.stateDict();
        assertEquals(List.of("weight", "bias"), List.copyOf(sd.keySet()));
        assertEquals(NOT_YET, assertThrows(CairnException.class, () -> sd.get("weight").toFloatArray()).getMessage());
        assertThrows(CairnException.class, () -> lazy.parameters().get(0).numel());
        // moving and clearing gradients are fine before initialisation
        lazy.to(Device.cpu());
        lazy.zeroGrad();
        assertFalse(lazy.isInitialized());
    }

    @Test
    void firstForwardInfersInFeaturesAndPrintsAsLinear() {
        Sequential net = new Sequential(new LazyLinear(256), new ReLU(), new LazyLinear(10));
        assertEquals("Sequential(\n  (0): LazyLinear(in_features=0, out_features=256, bias=True)\n  (1): ReLU()\n"
                + "  (2): LazyLinear(in_features=0, out_features=10, bias=True)\n)", net.toString());
        Tensor out = net.call(Tensor.rand(2, 20));
        assertArrayEquals(new int[] {2, 10}, out.shape());
        assertEquals("Sequential(\n  (0): Linear(in_features=20, out_features=256, bias=True)\n  (1): ReLU()\n"
                + "  (2): Linear(in_features=256, out_features=10, bias=True)\n)", net.toString());
        LazyLinear first = net.get(0, LazyLinear.class);
        assertTrue(first.isInitialized());
        assertEquals(20, first.inFeatures());
        assertEquals("Linear", first.getName());
        assertArrayEquals(new int[] {256, 20}, first.weight.shape());
        assertArrayEquals(new int[] {256}, first.bias.shape());
        assertTrue(first.weight.requiresGrad());
        assertTrue(first.weight.isLeaf());
        // values uniform in +/- 1/sqrt(20)
        double bound = 1 / Math.sqrt(20);
        for (float v : first.weight.toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        // the same Parameter objects as before, now usable; training works
        assertSame(first.weight, net.namedParameters().get("0.weight"));
        net.call(Tensor.rand(3, 20)).sum().backward();
        assertNotNull(first.weight.grad());
        assertArrayEquals(new int[] {256, 20}, first.weight.grad().shape());
    }

    @Test
    void seededLazyLinearMatchesASeededLinear() {
        LazyLinear lazy = new LazyLinear(5, true, new Generator(7));
        Tensor in = Tensor.rand(new Generator(1), 3, 4);
        Tensor got = lazy.call(in);
        Linear eager = new Linear(4, 5, true, new Generator(7));
        assertArrayEquals(eager.weight.toFloatArray(), lazy.weight.toFloatArray());
        assertArrayEquals(eager.bias.toFloatArray(), lazy.bias.toFloatArray());
        assertArrayEquals(eager.call(in).toFloatArray(), got.toFloatArray());
    }

    @Test
    void withoutBias() {
        LazyLinear lazy = new LazyLinear(3, false);
        assertNull(lazy.bias);
        assertEquals(List.of("weight"), List.copyOf(lazy.stateDict().keySet()));
        assertArrayEquals(new int[] {2, 7, 3}, lazy.call(Tensor.rand(2, 7, 6)).shape());
        assertEquals("Linear(in_features=6, out_features=3, bias=False)", lazy.toString());
    }

    @Test
    void anotherWidthLaterIsAShapeErrorNamingBothWidths() {
        Sequential net = new Sequential(new LazyLinear(256), new ReLU());
        net.call(Tensor.rand(2, 20));
        ShapeException e = assertThrows(ShapeException.class, () -> net.call(Tensor.rand(2, 30)));
        assertEquals("0", e.modulePath());
        assertEquals("Linear", e.moduleName());
        assertTrue(e.detail().contains("in_features=20") && e.detail().contains("30 features")
                && e.detail().contains("[2, 30]"), e.detail());
        // a 0-dim first input cannot give in_features
        ShapeException z = assertThrows(ShapeException.class, () -> new LazyLinear(4).call(Tensor.scalar(1f)));
        assertTrue(z.getMessage().contains("0-dim"), z.getMessage());
        assertThrows(ShapeException.class, () -> new LazyLinear(-1));
    }

    @Test
    void loadStateDictInitialisesFromTheStateDictShapes() {
        Linear source = new Linear(3, 4);
        LazyLinear lazy = new LazyLinear(4);
        assertTrue(lazy.loadStateDict(source.stateDict(), true).isClean());
        assertTrue(lazy.isInitialized());
        assertEquals(3, lazy.inFeatures());
        assertEquals("Linear(in_features=3, out_features=4, bias=True)", lazy.toString());
        assertArrayEquals(source.weight.toFloatArray(), lazy.weight.toFloatArray());
        assertArrayEquals(source.bias.toFloatArray(), lazy.bias.toFloatArray());
        Tensor in = Tensor.rand(2, 3);
        assertArrayEquals(source.call(in).toFloatArray(), lazy.call(in).toFloatArray());
        assertTrue(lazy.weight.requiresGrad());
    }

    @Test
    void loadStateDictIntoALazyLayerChecksKnownSizesAndChangesNothingOnError() {
        LazyLinear lazy = new LazyLinear(4);
        Map<String, Tensor> wrong = new Linear(3, 5).stateDict();
        ShapeException e = assertThrows(ShapeException.class, () -> lazy.loadStateDict(wrong, true));
        assertTrue(e.getMessage().contains("size mismatch for weight: copying a tensor of shape [5, 3] from the state"
                + " dict, the uninitialised parameter in the current model has shape [4, ?]"), e.getMessage());
        assertTrue(e.getMessage().contains("size mismatch for bias"), e.getMessage());
        assertFalse(lazy.weight.isInitialized());
        // wrong rank
        Map<String, Tensor> rank = Map.of("weight", Tensor.zeros(4), "bias", Tensor.zeros(4));
        assertThrows(ShapeException.class, () -> lazy.loadStateDict(rank, true));
        // strict: a missing bias is an error and nothing is initialised
        Map<String, Tensor> weightOnly = new LinkedHashMap<>();
        weightOnly.put("weight", Tensor.ones(4, 3));
        CairnException m = assertThrows(CairnException.class, () -> lazy.loadStateDict(weightOnly, true));
        assertTrue(m.getMessage().contains("missing key(s) in state_dict: \"bias\""), m.getMessage());
        assertFalse(lazy.weight.isInitialized());
        // non-strict: the weight is created and loaded, the bias follows at the first forward pass
        LoadResult r = lazy.loadStateDict(weightOnly, false);
        assertEquals(List.of("bias"), r.missingKeys());
        assertTrue(lazy.weight.isInitialized());
        assertFalse(lazy.bias.isInitialized());
        assertFalse(lazy.isInitialized());
        assertEquals(3, lazy.inFeatures());
        assertArrayEquals(new int[] {2, 4}, lazy.call(Tensor.rand(2, 3)).shape());
        assertTrue(lazy.isInitialized());
        for (float v : lazy.bias.toFloatArray()) {
            assertTrue(Math.abs(v) <= 1 / Math.sqrt(3));
        }
    }

    @Test
    void aSharedLazyLayerLoadedUnderTwoKeysMustGetOneShape() {
        LazyLinear shared = new LazyLinear(2);
        Sequential net = new Sequential(shared, new ReLU(), shared);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("0.weight", Tensor.zeros(2, 3));
        sd.put("0.bias", Tensor.zeros(2));
        sd.put("2.weight", Tensor.zeros(2, 5));
        sd.put("2.bias", Tensor.zeros(2));
        ShapeException e = assertThrows(ShapeException.class, () -> net.loadStateDict(sd, true));
        assertTrue(e.getMessage().contains("2.weight") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertFalse(shared.weight.isInitialized());
        sd.put("2.weight", Tensor.ones(2, 2));
        sd.put("0.weight", Tensor.ones(2, 2));
        assertTrue(net.loadStateDict(sd, true).isClean());
        assertEquals(2, shared.inFeatures());
    }

    @Test
    void savingNeedsInitialisationAndLoadingFromAFileInitialises() {
        Sequential lazyNet = new Sequential(new LazyLinear(8), new ReLU(), new LazyLinear(1));
        Path f = dir.resolve("lazy.safetensors");
        CairnException e = assertThrows(CairnException.class, () -> ModuleFiles.save(lazyNet, f));
        assertTrue(e.getMessage().contains("'0.weight' is uninitialised"), e.getMessage());

        Sequential eager = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
        ModuleFiles.save(eager, f);
        assertTrue(ModuleFiles.load(lazyNet, f).isClean());
        Tensor in = Tensor.rand(3, 4);
        assertArrayEquals(eager.call(in).toFloatArray(), lazyNet.call(in).toFloatArray());
        ModuleFiles.save(lazyNet, f);
    }

    @Test
    void initAfterTheFirstForward() {
        // D2L: net[0].weight is initialised by the first forward pass, then init functions work on it
        Sequential net = new Sequential(new LazyLinear(8), new ReLU(), new LazyLinear(1));
        net.call(Tensor.rand(2, 4));
        net.apply(m -> {
            if (m instanceof LazyLinear l) {
                Init.constant(l.weight, 1);
                Init.zeros(l.bias);
            }
        });
        for (float v : net.get(0, LazyLinear.class).weight.toFloatArray()) {
            assertEquals(1f, v);
        }
    }
}
