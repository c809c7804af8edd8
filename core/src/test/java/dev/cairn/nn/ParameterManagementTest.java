package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.autograd.GradMode;
import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** D2L's parameter management (6.2) and initialisation examples, written with Cairn. */
class ParameterManagementTest {
    private Sequential net;
    private Tensor x;

    @BeforeEach
    void setUp() {
        Generator.manualSeed(0);
        // net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1)); X = torch.rand(size=(2, 4))
        net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
        x = Tensor.rand(2, 4);
    }

    private static void assertAll(float expected, Tensor t) {
        for (float v : t.toFloatArray()) {
            assertEquals(expected, v);
        }
    }

    // ---- parameter access -----------------------------------------------------------------

    @Test
    void childrenByIndexAndTheirParameters() {
        assertArrayEquals(new int[] {2, 1}, net.call(x).shape());
        assertInstanceOf(Linear.class, net.get(2));
        assertSame(net.get(2), net.get(-1));
        // net[2].state_dict()
        Map<String, Tensor> sd = net.get(2).stateDict();
        assertEquals(List.of("weight", "bias"), List.copyOf(sd.keySet()));
        assertArrayEquals(new int[] {1, 8}, sd.get("weight").shape());
        // type(net[2].bias), net[2].bias.data
        Linear out = net.get(2, Linear.class);
        assertInstanceOf(Parameter.class, out.bias);
        assertSame(out.bias, sd.get("bias"));
        assertArrayEquals(out.bias.toFloatArray(), out.bias.data().toFloatArray());
        // net[2].weight.grad is None before backward
        assertNull(out.weight.grad());
        net.call(x).sum().backward();
        assertNotNull(out.weight.grad());
        assertArrayEquals(new int[] {1, 8}, out.weight.grad().shape());
        net.zeroGrad();
        assertNull(out.weight.grad());

        CairnException e = assertThrows(CairnException.class, () -> net.get(1, Linear.class));
        assertEquals("Sequential index 1 holds a ReLU, not a Linear", e.getMessage());
        assertThrows(CairnException.class, () -> net.get(3));
    }

    @Test
    void allParametersAtOnceHaveTorchNames() {
        // [(name, param.shape) for name, param in net.named_parameters()]
        Map<String, Parameter> named = net.namedParameters();
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(named.keySet()));
        assertArrayEquals(new int[] {8, 4}, named.get("0.weight").shape());
        assertArrayEquals(new int[] {8}, named.get("0.bias").shape());
        assertArrayEquals(new int[] {1, 8}, named.get("2.weight").shape());
        assertArrayEquals(new int[] {1}, named.get("2.bias").shape());
        assertEquals(4, net.parameters().size());
        assertEquals(List.copyOf(named.keySet()), List.copyOf(net.stateDict().keySet()));
    }

    /** D2L's block1/block2/rgnet: nested blocks. */
    private static Sequential block1() {
        return new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 4), new ReLU());
    }

    private static Sequential block2() {
        Sequential net = new Sequential();
        for (int i = 0; i < 4; i++) {
            net.add(block1());
        }
        return net;
    }

    @Test
    void nestedBlocksNameTheirParametersByPath() {
        Sequential rgnet = new Sequential(block2(), new Linear(4, 1));
        assertArrayEquals(new int[] {2, 1}, rgnet.call(x).shape());
        List<String> names = List.copyOf(rgnet.namedParameters().keySet());
        assertEquals(18, names.size());
        assertEquals(List.of("0.0.0.weight", "0.0.0.bias", "0.0.2.weight", "0.0.2.bias", "0.1.0.weight"),
                names.subList(0, 5));
        assertEquals(List.of("0.3.2.weight", "0.3.2.bias", "1.weight", "1.bias"), names.subList(14, 18));
        // rgnet[0][1][0].bias.data
        Linear inner = rgnet.get(0, Sequential.class).get(1, Sequential.class).get(0, Linear.class);
        assertSame(inner.bias, rgnet.namedParameters().get("0.1.0.bias"));
        assertArrayEquals(new int[] {8}, inner.bias.shape());
        // state dict of a sub-module uses paths relative to it
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                List.copyOf(rgnet.get(0, Sequential.class).get(1).stateDict().keySet()));
        String printed = rgnet.toString();
        assertTrue(printed.startsWith("Sequential(\n  (0): Sequential(\n    (0): Sequential(\n"
                + "      (0): Linear(in_features=4, out_features=8, bias=True)\n      (1): ReLU()\n"), printed);
        assertTrue(printed.endsWith("  (1): Linear(in_features=4, out_features=1, bias=True)\n)"), printed);
    }

    // ---- initialisation -------------------------------------------------------------------

    @Test
    void initNormalThroughApply() {
        Sequential wide = new Sequential(new Linear(100, 300), new ReLU(), new Linear(300, 1));
        // def init_normal(module): if type(module) == nn.Linear: normal_(weight, 0, 0.01); zeros_(bias)
        wide.apply(m -> {
            if (m instanceof Linear l) {
                Init.normal(l.weight, 0, 0.01f);
                Init.zeros(l.bias);
            }
        });
        float[] w = wide.get(0, Linear.class).weight.toFloatArray();
        double s = 0;
        for (float v : w) {
            s += v * v;
        }
        assertEquals(0.01, Math.sqrt(s / w.length), 0.0005);
        assertAll(0f, wide.get(0, Linear.class).bias);
        assertAll(0f, wide.get(2, Linear.class).bias);
        // parameters keep their identity and stay trainable leaves
        assertSame(wide.get(0, Linear.class).weight, wide.namedParameters().get("0.weight"));
        assertTrue(wide.get(0, Linear.class).weight.requiresGrad());
    }

    @Test
    void initConstant() {
        net.apply(m -> {
            if (m instanceof Linear l) {
                Init.constant(l.weight, 1);
                Init.zeros(l.bias);
            }
        });
        assertAll(1f, net.get(0, Linear.class).weight);
        assertAll(0f, net.get(0, Linear.class).bias);
        // with all weights 1 and biases 0 the output is 8 * sum(x) per row
        float[] xs = x.toFloatArray();
        float[] out = net.call(x).toFloatArray();
        assertEquals(8 * (xs[0] + xs[1] + xs[2] + xs[3]), out[0], 1e-5);
    }

    @Test
    void xavierOnOneLayerAndFortyTwoOnAnother() {
        net.get(0).apply(m -> {
            if (m instanceof Linear l) {
                Init.xavierUniform(l.weight);
            }
        });
        net.get(2).apply(m -> {
            if (m instanceof Linear l) {
                Init.constant(l.weight, 42);
            }
        });
        double bound = Math.sqrt(6.0 / (4 + 8));
        for (float v : net.get(0, Linear.class).weight.toFloatArray()) {
            assertTrue(Math.abs(v) <= bound, "xavier value " + v);
        }
        assertAll(42f, net.get(2, Linear.class).weight);
    }

    @Test
    void customInitKeepsOnlyLargeWeights() {
        // def my_init(module): uniform_(w, -10, 10); w.data *= w.data.abs() >= 5
        net.apply(m -> {
            if (m instanceof Linear l) {
                Init.uniform(l.weight, -10, 10);
                try (var g = GradMode.noGrad()) {
                    l.weight.copyFrom(l.weight.mul(l.weight.abs().ge(5)));
                }
            }
        });
        float[] w = net.get(0, Linear.class).weight.toFloatArray();
        int zeros = 0;
        for (float v : w) {
            assertTrue(v == 0f || (Math.abs(v) >= 5 && Math.abs(v) < 10), "value " + v);
            zeros += v == 0f ? 1 : 0;
        }
        assertTrue(zeros > 0 && zeros < w.length, "some but not all weights zeroed: " + zeros);
    }

    @Test
    void directEditsOfParameterData() {
        Parameter w = net.get(0, Linear.class).weight;
        float[] before = w.toFloatArray();
        try (var g = GradMode.noGrad()) {
            // net[0].weight.data[:] += 1
            w.data().copyFrom(w.data().add(1));
            // net[0].weight.data[0, 0] = 42
            float[] oneHot = new float[w.numel()];
            oneHot[0] = 1;
            Tensor e00 = Tensor.of(oneHot, w.shape());
            w.copyFrom(w.mul(e00.neg().add(1)).add(e00.mul(42)));
        }
        float[] after = w.toFloatArray();
        assertEquals(42f, after[0]);
        for (int i = 1; i < after.length; i++) {
            assertEquals(before[i] + 1, after[i], 1e-6);
        }
        assertSame(w, net.namedParameters().get("0.weight"));
        assertTrue(w.isLeaf());
        assertArrayEquals(after, net.stateDict().get("0.weight").toFloatArray());
    }

    // ---- tied parameters ------------------------------------------------------------------

    private static Sequential tied(Linear shared, long seed) {
        return new Sequential(new Linear(4, 8, true, new Generator(seed)), new ReLU(), shared, new ReLU(), shared,
                new ReLU(), new Linear(8, 1, true, new Generator(seed + 1)));
    }

    @Test
    void sharedLayerIsOneObjectEverywhere() {
        Sequential t = tied(new Linear(8, 8), 1);
        t.call(x);
        // print(net[2].weight.data[0] == net[4].weight.data[0])
        assertSame(t.get(2), t.get(4));
        Linear shared = t.get(2, Linear.class);
        try (var g = GradMode.noGrad()) {
            float[] v = shared.weight.toFloatArray();
            v[0] = 100;
            shared.weight.copyFrom(Tensor.of(v, 8, 8));
        }
        assertEquals(100f, t.get(4, Linear.class).weight.toFloatArray()[0]);
        Map<String, Tensor> sd = t.stateDict();
        assertSame(sd.get("2.weight"), sd.get("4.weight"));
        assertEquals(100f, sd.get("2.weight").toFloatArray()[0]);
        assertEquals(100f, sd.get("4.weight").toFloatArray()[0]);
        // state dict lists both paths, parameters() each object once
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "6.weight", "6.bias"),
                List.copyOf(sd.keySet()));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias"),
                List.copyOf(t.namedParameters().keySet()));
    }

    @Test
    void sharedLayerGradientIsTheSumOverItsUses() {
        Sequential tiedNet = tied(new Linear(8, 8, true, new Generator(11)), 1);
        Linear a = new Linear(8, 8, true, new Generator(11));
        Linear b = new Linear(8, 8, true, new Generator(11));
        Sequential untied = new Sequential(new Linear(4, 8, true, new Generator(1)), new ReLU(), a, new ReLU(), b,
                new ReLU(), new Linear(8, 1, true, new Generator(2)));
        Tensor in = Tensor.rand(new Generator(3), 5, 4);
        tiedNet.call(in).sum().backward();
        untied.call(in).sum().backward();
        float[] ga = a.weight.grad().toFloatArray();
        float[] gb = b.weight.grad().toFloatArray();
        float[] expected = new float[ga.length];
        for (int i = 0; i < ga.length; i++) {
            expected[i] = ga[i] + gb[i];
        }
        assertArrayEquals(expected, tiedNet.get(2, Linear.class).weight.grad().toFloatArray(), 1e-5f);
    }
}
