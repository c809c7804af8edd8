package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.autograd.GradMode;
import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Summary} and the {@link CallListener} mechanism behind it. */
class SummaryTest {
    /** D2L's NestMLP. */
    static final class NestMLP extends Module {
        final Sequential net = register("net",
                new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 32), new ReLU()));
        final Linear linear = register("linear", new Linear(32, 16));

        @Override
        public Tensor forward(Tensor x) {
            return linear.call(net.call(x));
        }
    }

    /** D2L's FixedHiddenMLP: a buffer and one Linear called twice. */
    static final class FixedHiddenMLP extends Module {
        final Buffer randWeight = registerBuffer("rand_weight", Tensor.rand(20, 20));
        final Linear linear = register("linear", new Linear(20, 20));

        @Override
        public Tensor forward(Tensor x) {
            x = linear.call(x);
            x = F.relu(x.matmul(randWeight).add(1));
            x = linear.call(x);
            while (x.abs().sum().item() > 1) {
                x = x.div(2);
            }
            return x.sum();
        }
    }

    private static List<String> paths(Summary s) {
        return s.rows().stream().map(Summary.Row::path).toList();
    }

    @Test
    void nestedModelRowsInCallOrderWithShapesAndOwnParameterCounts() {
        Sequential model = new Sequential(new NestMLP(), new Linear(16, 4));
        Summary s = Summary.of(model, 2, 20);
        assertEquals(List.of("", "0", "0.net", "0.net.0", "0.net.1", "0.net.2", "0.net.3", "0.linear", "1"), paths(s));
        assertEquals(List.of("Sequential", "NestMLP", "Sequential", "Linear", "ReLU", "Linear", "ReLU", "Linear", "Linear"),
                s.rows().stream().map(Summary.Row::type).toList());
        assertEquals(List.of(0, 1, 2, 3, 3, 3, 3, 2, 1), s.rows().stream().map(Summary.Row::depth).toList());
        int[][] shapes = {{2, 4}, {2, 16}, {2, 32}, {2, 64}, {2, 64}, {2, 32}, {2, 32}, {2, 16}, {2, 4}};
        for (int i = 0; i < shapes.length; i++) {
            assertArrayEquals(shapes[i], s.rows().get(i).outputShape(), "row " + i);
        }
        assertEquals(List.of(0L, 0L, 0L, 20 * 64 + 64L, 0L, 64 * 32 + 32L, 0L, 32 * 16 + 16L, 16 * 4 + 4L),
                s.rows().stream().map(Summary.Row::ownParams).toList());
        assertEquals(1344 + 2080 + 528 + 68, s.totalParams());
        assertEquals(4020, s.trainableParams());
        assertEquals(0, s.nonTrainableParams());
        assertArrayEquals(new int[] {2, 20}, s.inputShape());

        String table = s.toString();
        assertTrue(table.startsWith("Sequential summary for input of shape [2, 20]\n"), table);
        assertTrue(table.contains("\nModule "), table);
        assertTrue(table.contains("\n(root) "), table);
        assertTrue(table.contains("\n      0.net.2  "), table);
        assertTrue(table.contains("[2, 32]"), table);
        assertTrue(table.contains("2,080\n"), table);
        assertTrue(table.endsWith("Total params: 4,020\nTrainable params: 4,020\nNon-trainable params: 0\n"), table);
    }

    @Test
    void aModuleCalledTwiceAppearsTwiceAndIsCountedOnce() {
        FixedHiddenMLP m = new FixedHiddenMLP();
        Summary s = Summary.of(m, 2, 20);
        assertEquals(List.of("", "linear", "linear"), paths(s));
        assertFalse(s.rows().get(1).repeated());
        assertTrue(s.rows().get(2).repeated());
        assertArrayEquals(new int[0], s.rows().get(0).outputShape()); // a 0-dim scalar
        assertArrayEquals(new int[] {2, 20}, s.rows().get(2).outputShape());
        assertEquals(420, s.totalParams()); // the buffer is not a parameter
        assertTrue(s.toString().contains("(shared)"), s.toString());
    }

    @Test
    void tiedLayersAreCountedOnce() {
        Linear shared = new Linear(8, 8);
        Sequential tied = new Sequential(new Linear(4, 8), new ReLU(), shared, new ReLU(), shared, new ReLU(),
                new Linear(8, 1));
        Summary s = Summary.of(tied, 3, 4);
        assertEquals(8, s.rows().size());
        assertEquals(40 + 72 + 9, s.totalParams());
        assertEquals(List.of(false, false, false, false, false, true, false, false),
                s.rows().stream().map(Summary.Row::repeated).toList());
    }

    @Test
    void frozenParametersAreNonTrainableAndLazyLayersAreInitialisedByThePass() {
        Sequential net = new Sequential(new LazyLinear(8), new ReLU(), new LazyLinear(1));
        Summary s = Summary.of(net, 2, 4);
        assertEquals(List.of("Sequential", "Linear", "ReLU", "Linear"), s.rows().stream().map(Summary.Row::type).toList());
        assertEquals(49, s.totalParams());
        net.get(0, LazyLinear.class).weight.requiresGrad(false);
        Summary frozen = Summary.of(net, 2, 4);
        assertEquals(49, frozen.totalParams());
        assertEquals(17, frozen.trainableParams());
        assertEquals(32, frozen.nonTrainableParams());
    }

    @Test
    void summaryRunsWithoutGradAndLeavesNoListenerBehind() {
        Sequential net = new Sequential(new Linear(3, 5), new ReLU(), new Linear(5, 2));
        Summary.of(net, 1, 3);
        assertTrue(GradMode.isEnabled());
        assertFalse(Module.callsListened());
        net.call(Tensor.rand(1, 3)).sum().backward();
        // an error in the pass propagates and still removes the listener
        CairnException e = assertThrows(ShapeException.class, () -> Summary.of(net, 1, 4));
        assertEquals("0", e.modulePath());
        assertFalse(Module.callsListened());
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void listenersSeeEveryCallAndTurnOffLinearReluFusionWithoutChangingResults() {
        Sequential net = new Sequential(new Linear(3, 5, true, new Generator(1)), new ReLU(),
                new Linear(5, 2, true, new Generator(2)));
        Tensor in = Tensor.randn(new Generator(3), 4, 3);
        float[] plain = net.call(in).toFloatArray();
        List<String> events = new ArrayList<>();
        CallListener outer = (m, i, o) -> events.add("outer " + m.getName());
        float[] listened;
        try (var a = Module.listenCalls(outer)) {
            try (var b = Module.listenCalls(new CallListener() {
                @Override
                public void enter(Module m, Tensor i) {
                    events.add("enter " + m.getName() + " " + ModuleCallStack.path());
                }

                @Override
                public void exit(Module m, Tensor i, Tensor o) {
                    events.add("exit " + m.getName());
                }
            })) {
                listened = net.call(in).toFloatArray();
            }
            new ReLU().call(in);
        }
        new ReLU().call(in);
        assertArrayEquals(plain, listened, 1e-6f);
        assertEquals(List.of("enter Sequential ", "enter Linear 0", "exit Linear", "enter ReLU 1", "exit ReLU",
                "enter Linear 2", "exit Linear", "exit Sequential", "outer ReLU"), events);
        assertFalse(Module.callsListened());
    }
}
