package dev.cairn.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.LayerRefs;
import dev.cairn.nn.Parameter;
import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** StepLR, CosineAnnealingLR, LinearLR and SequentialLR: the rates of PyTorch 1.13, step by step. */
class SchedulersTest {
    private static SGD sgd() {
        return new SGD(List.of(new Parameter(Tensor.zeros(1))), 0.1);
    }

    private static void check(String name, int steps, Function<SGD, LRScheduler> make) {
        List<Double> expected = LayerRefs.numbers("sched." + name);
        SGD opt = sgd();
        LRScheduler s = make.apply(opt);
        for (int i = 0; i <= steps; i++) {
            if (i > 0) {
                opt.step();
                s.step();
            }
            double e = expected.get(i);
            assertEquals(e, s.lastLr(), 1e-15 * Math.abs(e), name + " at step " + i);
            assertEquals(s.lastLr(), opt.lr(), name + ": the optimizer's rate at step " + i);
        }
    }

    @Test
    void stepLR() {
        check("step", 25, o -> new StepLR(o, 3, 0.5));
    }

    @Test
    void cosineAnnealingLRBeyondTMax() {
        check("cosine", 25, o -> new CosineAnnealingLR(o, 10, 0.001));
    }

    @Test
    void linearLRWarmUp() {
        check("linear", 25, o -> new LinearLR(o, 0.1, 1.0, 4));
    }

    @Test
    void sequentialLRWarmUpThenCosine() {
        check("sequential", 25, o -> new SequentialLR(o, List.of(new LinearLR(o, 0.25, 1.0, 3), new CosineAnnealingLR(o, 8)), 3));
    }

    @Test
    void sequentialLRWithThreeSchedulers() {
        check("sequential3", 30, o -> new SequentialLR(o, List.of(new LinearLR(o, 0.5, 1.0, 2), new StepLR(o, 2, 0.3),
                new CosineAnnealingLR(o, 5, 0.01)), 4, 10));
    }

    @Test
    void schedulerStateResumes() {
        SGD a = sgd();
        LRScheduler sa = new SequentialLR(a, List.of(new LinearLR(a, 0.25, 1.0, 3), new CosineAnnealingLR(a, 8)), 3);
        for (int i = 0; i < 5; i++) {
            sa.step();
        }
        SGD b = sgd();
        LRScheduler sb = new SequentialLR(b, List.of(new LinearLR(b, 0.25, 1.0, 3), new CosineAnnealingLR(b, 8)), 3);
        sb.loadStateDict(sa.stateDict());
        b.setLr(a.lr());
        for (int i = 0; i < 7; i++) {
            sa.step();
            sb.step();
            assertEquals(sa.lastLr(), sb.lastLr());
        }
    }

    @Test
    void invalidSettingsAreErrors() {
        CairnException e = assertThrows(CairnException.class, () -> new LinearLR(sgd(), 0, 1, 4));
        assertTrue(e.getMessage().contains("starting multiplicative factor"), e.getMessage());
        SGD o = sgd();
        e = assertThrows(CairnException.class, () -> new SequentialLR(o, List.of(new StepLR(o, 2), new StepLR(sgd(), 2)), 3));
        assertTrue(e.getMessage().contains("index 1"), e.getMessage());
        e = assertThrows(CairnException.class, () -> new SequentialLR(o, List.of(new StepLR(o, 2)), 3));
        assertTrue(e.getMessage().contains("one milestone fewer"), e.getMessage());
    }
}
