package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ModuleList, ModuleDict, getSubmodule and forwards with several inputs. */
class ContainersTest {
    /** Like the zoo's branches and gates: a ModuleList and a ModuleDict used from a forward. */
    static final class Branchy extends Module {
        final ModuleList branches = register("branches", new ModuleList(
                new Sequential(new Linear(4, 3), new ReLU()), new Linear(4, 3)));
        final ModuleDict gates = register("gates", new ModuleDict(Map.of("mix", new Linear(3, 2))));

        @Override
        public Tensor forward(Tensor x) {
            Tensor sum = null;
            for (Module b : branches) {
                Tensor y = b.call(x);
                sum = sum == null ? y : sum.add(y);
            }
            return gates.get("mix").call(sum);
        }
    }

    @Test
    void reprEqualsPyTorch() {
        Map<String, Module> entries = new LinkedHashMap<>();
        entries.put("list", new ModuleList(new Linear(2, 3), new ModuleList(), new Sequential(new Linear(3, 1), new ReLU())));
        entries.put("mix", new Linear(4, 3));
        entries.put("empty", new ModuleDict());
        assertEquals(LayerRefs.text("repr.containers"), new ModuleDict(entries).toString());
    }

    @Test
    void stateDictKeysFollowPyTorch() {
        Branchy m = new Branchy();
        assertEquals(List.of("branches.0.0.weight", "branches.0.0.bias", "branches.1.weight", "branches.1.bias",
                "gates.mix.weight", "gates.mix.bias"), List.copyOf(m.stateDict().keySet()));
        assertEquals(List.of(5, 2), java.util.Arrays.stream(m.call(Tensor.rand(new Generator(1), 5, 4)).shape()).boxed().toList());
    }

    @Test
    void typedAccessWithoutCasts() {
        Branchy m = new Branchy();
        Linear second = m.branches.get(1, Linear.class);
        assertSame(m.branches.get(-1), second);
        assertEquals(2, m.gates.get("mix", Linear.class).outFeatures());
        assertEquals(2, m.branches.size());
        CairnException e = assertThrows(CairnException.class, () -> m.branches.get(0, Linear.class));
        assertTrue(e.getMessage().contains("holds a Sequential, not a Linear"), e.getMessage());
        e = assertThrows(CairnException.class, () -> m.branches.get(2));
        assertTrue(e.getMessage().contains("index 2 is out of range for 2"), e.getMessage());
        e = assertThrows(CairnException.class, () -> m.gates.get("skip"));
        assertTrue(e.getMessage().contains("no key 'skip'") && e.getMessage().contains("[mix]"), e.getMessage());
        e = assertThrows(CairnException.class, () -> m.branches.asList(Linear.class));
        assertTrue(e.getMessage().contains("index 0"), e.getMessage());
        assertThrows(CairnException.class, () -> m.gates.put("mix", new ReLU()));
        assertThrows(CairnException.class, () -> m.gates.put("a.b", new ReLU()));
    }

    @Test
    void containersHaveNoForward() {
        CairnException e = assertThrows(CairnException.class, () -> new ModuleList().call(Tensor.zeros(1)));
        assertTrue(e.getMessage().contains("ModuleList has no forward"), e.getMessage());
        e = assertThrows(CairnException.class, () -> new ModuleDict().call(Tensor.zeros(1)));
        assertTrue(e.getMessage().contains("ModuleDict has no forward"), e.getMessage());
    }

    @Test
    void getSubmoduleByPath() {
        Branchy m = new Branchy();
        assertSame(m, m.getSubmodule(""));
        assertSame(m.branches, m.getSubmodule("branches"));
        Linear inner = m.getSubmodule("branches.0.0", Linear.class);
        assertSame(m.branches.get(0, Sequential.class).get(0), inner);
        assertSame(m.gates.get("mix"), m.getSubmodule("gates.mix"));

        CairnException e = assertThrows(CairnException.class, () -> m.getSubmodule("branches.5.0"));
        assertTrue(e.getMessage().contains("no submodule 'branches.5.0': 'branches' (ModuleList) has no child '5'")
                && e.getMessage().contains("[0, 1]"), e.getMessage());
        e = assertThrows(CairnException.class, () -> m.getSubmodule("encoder"));
        assertTrue(e.getMessage().contains("Branchy has no child 'encoder'"), e.getMessage());
        e = assertThrows(CairnException.class, () -> m.getSubmodule("branches.1.weight"));
        assertTrue(e.getMessage().contains("'weight' is a parameter, not a module"), e.getMessage());
        e = assertThrows(CairnException.class, () -> m.getSubmodule("branches.0", Linear.class));
        assertTrue(e.getMessage().contains("is a Sequential, not a Linear"), e.getMessage());
    }

    /** A module whose forward takes two tensors: {@code a @ w + b}. */
    static final class AddProjected extends Module {
        final Linear proj = register("proj", new Linear(3, 3));

        @Override
        public Tensor forward(Tensor input) {
            return forward(input, input);
        }

        @Override
        public Tensor forward(Tensor... inputs) {
            if (inputs.length != 2) {
                throw new CairnException("AddProjected takes 2 tensors, got " + inputs.length);
            }
            return proj.call(inputs[0]).add(inputs[1]);
        }
    }

    /** A module with options and two outputs, exposing its own typed call through {@code invoke}. */
    static final class Scaled extends Module {
        record Output(Tensor value, Tensor scale) {
        }

        Output call(Tensor x, float factor, boolean check) {
            return invoke(x, () -> compute(x, factor, check));
        }

        private Output compute(Tensor x, float factor, boolean check) {
            if (check && factor < 0) {
                throw new CairnException("negative factor " + factor);
            }
            return new Output(x.mul(factor), Tensor.scalar(factor));
        }

        @Override
        public Tensor forward(Tensor input) {
            return compute(input, 1f, false).value();
        }
    }

    static final class Holder extends Module {
        final AddProjected add = register("add", new AddProjected());
        final Scaled scaled = register("scaled", new Scaled());

        @Override
        public Tensor forward(Tensor input) {
            return add.call(input, Tensor.ones(1, 3));
        }
    }

    @Test
    void multiInputForwardRunsThroughCallAndErrorsNameTheModulePath() {
        Holder h = new Holder();
        Tensor x = Tensor.rand(new Generator(2), 2, 3);
        Tensor y = h.call(x);
        assertEquals(h.add.proj.call(x).add(1f).sum().item(), y.sum().item(), 1e-5f);

        ShapeException e = assertThrows(ShapeException.class, () -> h.call(Tensor.zeros(2, 5)));
        assertEquals("add.proj", e.modulePath());

        Scaled.Output out = h.scaled.call(x, 2f, true);
        assertEquals(2f, out.scale().item());
        Module parent = new Module() {
            final Scaled scaled = register("scaled", new Scaled());

            @Override
            public Tensor forward(Tensor in) {
                return scaled.call(in, in.sum().item() > 0 ? 2f : -1f, true).value();
            }
        };
        java.util.List<String> seen = new java.util.ArrayList<>();
        try (var l = Module.listenCalls((m, in, o) -> seen.add(m.getName() + (o == null ? " null" : " tensor")))) {
            parent.call(x);
        }
        assertEquals(java.util.List.of("Scaled null", "Module tensor"), seen);
        CairnException inside = assertThrows(CairnException.class, () -> parent.call(x.neg()));
        assertTrue(inside.getMessage().contains("negative factor"), inside.getMessage());
        assertEquals("scaled", inside.modulePath());
        CairnException wrong = assertThrows(CairnException.class, () -> h.add.call(x, x, x));
        assertTrue(wrong.getMessage().contains("takes 2 tensors, got 3"), wrong.getMessage());
    }

    @Test
    void singleInputModulesRejectSeveralTensors() {
        CairnException e = assertThrows(CairnException.class, () -> new ReLU().call(Tensor.zeros(1), Tensor.zeros(1)));
        assertTrue(e.getMessage().contains("ReLU.forward takes 1 tensor, got 2"), e.getMessage());
    }
}
