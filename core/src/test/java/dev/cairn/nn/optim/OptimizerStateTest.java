package dev.cairn.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.io.ModuleFiles;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Losses;
import dev.cairn.nn.Module;
import dev.cairn.nn.ReLU;
import dev.cairn.nn.Sequential;
import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading optimizer (and scheduler) state: a resumed run equals an uninterrupted one bit for bit. */
class OptimizerStateTest {
    @TempDir
    Path dir;

    private static Module model() {
        Generator g = new Generator(5);
        return new Sequential(new Linear(4, 8, true, g), new ReLU(), new Linear(8, 3, true, g));
    }

    private static void trainSteps(Module m, Optimizer opt, LRScheduler sched, int from, int to) {
        for (int k = from; k < to; k++) {
            Generator g = new Generator(100 + k); // the same batch for step k in every run
            Tensor x = Tensor.randn(g, 6, 4);
            Tensor y = Tensor.randn(g, 6, 3);
            opt.zeroGrad();
            Losses.mseLoss(m.call(x), y).backward();
            ClipGrad.clipGradNorm(m.parameters(), 0.5);
            opt.step();
            if (sched != null) {
                sched.step();
            }
        }
    }

    private void resumesExactly(Function<Module, Optimizer> makeOpt, boolean withScheduler) {
        Module straight = model();
        Optimizer so = makeOpt.apply(straight);
        LRScheduler ss = withScheduler ? new CosineAnnealingLR(so, 5, 1e-4) : null;
        trainSteps(straight, so, ss, 0, 8);

        Module first = model();
        Optimizer fo = makeOpt.apply(first);
        LRScheduler fs = withScheduler ? new CosineAnnealingLR(fo, 5, 1e-4) : null;
        trainSteps(first, fo, fs, 0, 3);
        Path weights = dir.resolve("model.safetensors");
        Path state = dir.resolve("optimizer.safetensors");
        ModuleFiles.save(first, weights);
        OptimizerFiles.save(fo, fs, state);

        Module resumed = model();
        ModuleFiles.load(resumed, weights);
        Optimizer ro = makeOpt.apply(resumed);
        LRScheduler rs = withScheduler ? new CosineAnnealingLR(ro, 5, 1e-4) : null;
        OptimizerFiles.load(ro, rs, state);
        assertEquals(fo.lr(), ro.lr());
        trainSteps(resumed, ro, rs, 3, 8);

        Map<String, Tensor> expected = straight.stateDict();
        for (Map.Entry<String, Tensor> e : resumed.stateDict().entrySet()) {
            assertArrayEquals(expected.get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), 0f, e.getKey());
        }
        assertEquals(so.lr(), ro.lr());
    }

    @Test
    void adamWWithAmsgradAndACosineScheduleResumesBitForBit() {
        resumesExactly(m -> new AdamW(m.parameters(), 0.01, 0.9, 0.99, 1e-8, 0.05, true), true);
    }

    @Test
    void adamResumesBitForBit() {
        resumesExactly(m -> new Adam(m.parameters(), 0.01), false);
    }

    @Test
    void sgdWithMomentumResumesBitForBit() {
        resumesExactly(m -> new SGD(m.parameters(), 0.05, 0.9, 0, 1e-3, true), true);
    }

    @Test
    void aParameterWithoutStateStaysWithoutState() {
        Module m = model();
        AdamW opt = new AdamW(m.parameters(), 0.01);
        OptimizerState before = opt.stateDict();
        assertTrue(before.params().stream().allMatch(p -> p == null));
        trainSteps(m, opt, null, 0, 2);
        OptimizerState after = opt.stateDict();
        assertEquals(2, after.params().get(0).step());
        assertEquals(List.of("exp_avg", "exp_avg_sq"), List.copyOf(after.params().get(0).tensors().keySet()));
        assertEquals(0.01, after.hyperParameters().get("lr"));
        after.close();
    }

    @Test
    void loadingIntoAnotherOptimizerOrOtherSettingsIsAnError() {
        Module m = model();
        AdamW opt = new AdamW(m.parameters(), 0.01);
        trainSteps(m, opt, null, 0, 1);
        Path file = dir.resolve("opt.safetensors");
        OptimizerFiles.save(opt, file);

        CairnException e = assertThrows(CairnException.class, () -> OptimizerFiles.load(new Adam(model().parameters()), file));
        assertTrue(e.getMessage().contains("cannot load the state of a AdamW into a Adam"), e.getMessage());
        e = assertThrows(CairnException.class, () -> OptimizerFiles.load(new AdamW(model().parameters(), 0.01, 0.2), file));
        assertTrue(e.getMessage().contains("weight_decay (saved 0.01, here 0.2)"), e.getMessage());
        e = assertThrows(CairnException.class, () -> OptimizerFiles.load(new AdamW(List.of(model().parameters().get(0))), file));
        assertTrue(e.getMessage().contains("4 parameters, this optimizer has 1"), e.getMessage());
        e = assertThrows(CairnException.class, () -> OptimizerFiles.load(new AdamW(model().parameters()),
                new StepLR(new AdamW(model().parameters()), 2), file));
        assertTrue(e.getMessage().contains("no learning-rate scheduler state"), e.getMessage());

        Path weights = dir.resolve("model.safetensors");
        ModuleFiles.save(m, weights);
        e = assertThrows(CairnException.class, () -> OptimizerFiles.load(new AdamW(model().parameters()), weights));
        assertTrue(e.getMessage().contains("not an optimizer state"), e.getMessage());
    }

    @Test
    void aStateWithMissingTensorsChangesNothing() {
        Module m = model();
        AdamW opt = new AdamW(m.parameters(), 0.01);
        OptimizerState good = opt.stateDict();
        trainSteps(m, opt, null, 0, 1);
        OptimizerState saved = opt.stateDict();
        List<OptimizerState.ParamState> params = new java.util.ArrayList<>(saved.params());
        params.set(3, new OptimizerState.ParamState(1, Map.of("exp_avg", saved.params().get(3).tensors().get("exp_avg"))));
        OptimizerState broken = new OptimizerState("AdamW", saved.hyperParameters(), params);
        AdamW fresh = new AdamW(model().parameters(), 0.5);
        CairnException e = assertThrows(CairnException.class, () -> fresh.loadStateDict(broken));
        assertTrue(e.getMessage().contains("parameter 3 holds [exp_avg], this optimizer keeps [exp_avg, exp_avg_sq]"),
                e.getMessage());
        assertEquals(0.5, fresh.lr(), "unchanged");
        assertEquals(0, fresh.stepCount(fresh.parameters().get(0)), "unchanged");
        good.close();
        saved.close();
    }

    @Test
    void anOptimizerBeforeItsFirstStepSavesAndLoads() {
        Path file = dir.resolve("fresh.safetensors");
        OptimizerFiles.save(new AdamW(model().parameters(), 0.03), file);
        Module m = model();
        AdamW loaded = new AdamW(m.parameters(), 0.5);
        OptimizerFiles.load(loaded, file);
        assertEquals(0.03, loaded.lr());
        assertTrue(loaded.stateDict().params().stream().allMatch(p -> p == null));
        trainSteps(m, loaded, null, 0, 1);
        assertEquals(1, loaded.stepCount(loaded.parameters().get(0)));
    }
}
