package dev.cairn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.Buffer;
import dev.cairn.nn.F;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.nn.Parameter;
import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** Hand-derived gradients and the behaviour of the autograd graph (sharing, detach, no-grad, release). */
class AutogradTest {
    private static void assertValues(float[] expected, Tensor actual, float tol) {
        assertArrayEquals(expected, actual.toFloatArray(), tol);
    }

    // ---- hand-derived gradients for broadcasting ---------------------------------------------

    @Test
    void broadcastRowVectorGetsColumnSums() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor b = Tensor.vector(10, 20, 30).requiresGrad(true);
        Tensor y = a.add(b);
        assertArrayEquals(new int[] {2, 3}, y.shape());
        y.backward(Tensor.ones(2, 3));
        assertValues(new float[] {1, 1, 1, 1, 1, 1}, a.grad(), 0f);
        assertArrayEquals(new int[] {3}, b.grad().shape());
        assertValues(new float[] {2, 2, 2}, b.grad(), 0f);
    }

    @Test
    void outerBroadcastMulGetsSumsOfTheOtherOperand() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3, 1).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {1, 10, 100, 1000}, 1, 4).requiresGrad(true);
        a.mul(b).backward(Tensor.ones(3, 4));
        assertArrayEquals(new int[] {3, 1}, a.grad().shape());
        assertValues(new float[] {1111, 1111, 1111}, a.grad(), 0f);
        assertArrayEquals(new int[] {1, 4}, b.grad().shape());
        assertValues(new float[] {6, 6, 6, 6}, b.grad(), 0f);
    }

    @Test
    void scalarTensorBroadcastGetsTheTotal() {
        Tensor s = Tensor.scalar(2f).requiresGrad(true);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        s.mul(x).sum().backward();
        assertArrayEquals(new int[0], s.grad().shape());
        assertEquals(10f, s.grad().item(), 0f);
        assertValues(new float[] {2, 2, 2, 2}, x.grad(), 0f);
    }

    @Test
    void subAndDivBroadcastHandDerived() {
        Tensor a = Tensor.of(new float[] {2, 4, 6, 8}, 2, 2).requiresGrad(true);
        Tensor b = Tensor.vector(1, 2).requiresGrad(true);
        a.sub(b).backward(Tensor.ones(2, 2));
        assertValues(new float[] {-2, -2}, b.grad(), 0f);
        a.setGrad(null);
        b.setGrad(null);
        a.div(b).sum().backward(); // d/db_j sum_i a_ij / b_j = -sum_i a_ij / b_j^2
        assertValues(new float[] {1, 0.5f, 1, 0.5f}, a.grad(), 1e-6f);
        assertValues(new float[] {-8f, -12f / 4f}, b.grad(), 1e-6f);
    }

    @Test
    void meanAndExpandHandDerived() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        x.mean().backward();
        assertValues(new float[] {1 / 6f, 1 / 6f, 1 / 6f, 1 / 6f, 1 / 6f, 1 / 6f}, x.grad(), 1e-7f);
        Tensor c = Tensor.of(new float[] {1, 2}, 2, 1).requiresGrad(true);
        c.expand(2, 5).sum().backward();
        assertValues(new float[] {5, 5}, c.grad(), 0f);
    }

    @Test
    void maxSplitsTiesLikePyTorch() {
        // max() over all elements shares the gradient evenly among ties; max(dim) gives it to one index
        Tensor x = Tensor.vector(1, 3, 3, 2).requiresGrad(true);
        x.max().backward();
        assertValues(new float[] {0, 0.5f, 0.5f, 0}, x.grad(), 0f);
        Tensor y = Tensor.vector(1, 3, 3, 2).requiresGrad(true);
        y.max(0, false).backward();
        float[] g = y.grad().toFloatArray();
        assertEquals(1f, g[1] + g[2], 0f);
        assertEquals(0f, g[0] + g[3], 0f);
        Tensor a = Tensor.vector(1, 2).requiresGrad(true);
        Tensor b = Tensor.vector(1, 3).requiresGrad(true);
        a.maximum(b).sum().backward(); // a tie at index 0 splits 0.5 / 0.5
        assertValues(new float[] {0.5f, 0}, a.grad(), 0f);
        assertValues(new float[] {0.5f, 1}, b.grad(), 0f);
    }

    // ---- graph structure -------------------------------------------------------------------

    @Test
    void tensorUsedTwiceReceivesTheSum() {
        Tensor w = Tensor.vector(0.5f, -1f, 2f).requiresGrad(true);
        w.mul(3f).add(w.mul(w)).sum().backward(); // d/dw (3w + w^2) = 3 + 2w
        assertValues(new float[] {4, 1, 7}, w.grad(), 1e-6f);
    }

    @Test
    void parameterOfALayerCalledTwiceReceivesTheSumOfBothUses() {
        Linear lin = new Linear(2, 2, true, new Generator(1));
        Tensor x = Tensor.of(new float[] {0.5f, -1f}, 1, 2);
        lin.call(lin.call(x)).sum().backward();
        float[] both = lin.weight.grad().toFloatArray();
        float[] bothBias = lin.bias.grad().toFloatArray();
        // the same, from two separate uses: h = lin(x) frozen, then y = lin(h) with W as a separate leaf
        Tensor w1 = lin.weight.detach().copy().requiresGrad(true);
        Tensor b1 = lin.bias.detach().copy().requiresGrad(true);
        Tensor w2 = lin.weight.detach().copy().requiresGrad(true);
        Tensor b2 = lin.bias.detach().copy().requiresGrad(true);
        F.linear(F.linear(x, w1, b1), w2, b2).sum().backward();
        float[] sumW = w1.grad().add(w2.grad()).toFloatArray();
        float[] sumB = b1.grad().add(b2.grad()).toFloatArray();
        assertArrayEquals(sumW, both, 1e-6f);
        assertArrayEquals(sumB, bothBias, 1e-6f);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilCleared() {
        Tensor x = Tensor.vector(1, 2).requiresGrad(true);
        x.mul(2f).sum().backward();
        x.mul(3f).sum().backward();
        assertValues(new float[] {5, 5}, x.grad(), 0f);
        x.setGrad(null);
        assertNull(x.grad());
        x.mul(x).sum().backward();
        assertValues(new float[] {2, 4}, x.grad(), 0f);
    }

    /** A module with a parameter and a buffer: y = (x * w) @ buffer. */
    static final class WithBuffer extends Module {
        final Parameter w = registerParameter("w", Tensor.vector(1, 2, 3));
        final Buffer scale = registerBuffer("scale", Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2));

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(w).matmul(scale);
        }
    }

    @Test
    void buffersNeverGetGradients() {
        WithBuffer m = new WithBuffer();
        assertFalse(m.scale.requiresGrad());
        Map<String, Parameter> params = m.namedParameters();
        assertEquals(List.of("w"), new ArrayList<>(params.keySet()));
        m.call(Tensor.vector(1, 1, 1)).sum().backward();
        assertNull(m.scale.grad());
        assertNull(m.scale.data().grad());
        assertValues(new float[] {1, 1, 2}, m.w.grad(), 0f);
        m.zeroGrad();
        assertNull(m.w.grad());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = Tensor.vector(1, 2, 3).requiresGrad(true);
        Tensor y = x.mul(2f);
        Tensor d = y.detach();
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
        assertTrue(d.isLeaf());
        assertNotNull(y.gradFn());
        d.mul(x).sum().backward(); // d is a constant: the gradient is d, not 4x
        assertValues(new float[] {2, 4, 6}, x.grad(), 0f);
        assertNull(d.grad());
    }

    @Test
    void noGradRecordsNothingAndRestoresTheMode() {
        Tensor x = Tensor.vector(1, 2).requiresGrad(true);
        assertTrue(GradMode.isEnabled());
        try (var g = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            Tensor y = x.mul(2f).exp().sum();
            assertNull(y.gradFn());
            assertFalse(y.requiresGrad());
            assertTrue(y.isLeaf());
            Tensor z = F.linear(x.reshape(1, 2), Tensor.ones(3, 2).requiresGrad(true), null);
            assertNull(z.gradFn());
            assertFalse(z.requiresGrad());
            try (var e = GradMode.enableGrad()) {
                assertNotNull(x.mul(2f).gradFn());
                try (var inner = GradMode.noGrad()) {
                    assertNull(x.neg().gradFn());
                }
                assertTrue(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled());
            assertThrows(CairnException.class, y::backward);
        }
        assertTrue(GradMode.isEnabled());
        assertNotNull(x.mul(2f).gradFn());
        assertNull(x.grad());
    }

    @Test
    void backwardReleasesTheGraphAndASecondBackwardFails() {
        Tensor x = Tensor.vector(1, 2, 3).requiresGrad(true);
        Tensor h = x.mul(2f);
        Tensor e = h.exp();
        Tensor loss = e.sum();
        GradNode root = loss.gradFn();
        GradNode mid = e.gradFn();
        GradNode first = h.gradFn();
        assertEquals(1, root.inputs().size());
        assertFalse(root.isReleased());
        loss.backward();
        for (GradNode n : List.of(root, mid, first)) {
            assertTrue(n.isReleased(), n + " released");
            assertTrue(n.inputs().isEmpty(), n + " has no inputs");
        }
        CairnException ex = assertThrows(CairnException.class, loss::backward);
        assertTrue(ex.getMessage().contains("second time"), ex.getMessage());
        // the leaf's gradient is unchanged by the failed second call
        assertArrayEquals(new float[] {(float) (2 * Math.exp(2)), (float) (2 * Math.exp(4)), (float) (2 * Math.exp(6))},
                x.grad().toFloatArray(), 1e-3f);
    }

    @Test
    void backwardThroughAPartlyReleasedGraphFails() {
        Tensor x = Tensor.vector(1, 2).requiresGrad(true);
        Tensor h = x.exp();
        Tensor a = h.sum();
        Tensor b = h.mul(2f).sum();
        a.backward();
        CairnException ex = assertThrows(CairnException.class, b::backward);
        assertTrue(ex.getMessage().contains("second time"), ex.getMessage());
    }

    @Test
    void backwardErrorsAreClear() {
        Tensor plain = Tensor.vector(1, 2);
        CairnException e1 = assertThrows(CairnException.class, () -> plain.sum().backward());
        assertTrue(e1.getMessage().contains("does not require grad"), e1.getMessage());
        Tensor x = Tensor.vector(1, 2).requiresGrad(true);
        CairnException e2 = assertThrows(CairnException.class, () -> x.mul(2f).backward());
        assertTrue(e2.getMessage().contains("one-element"), e2.getMessage());
        assertThrows(ShapeException.class, () -> x.mul(2f).backward(Tensor.ones(3)));
        CairnException e3 = assertThrows(CairnException.class, () -> x.mul(2f).requiresGrad(false));
        assertTrue(e3.getMessage().contains("leaf"), e3.getMessage());
    }

    /** Builds a small graph, runs backward, and returns weak references to its intermediates and nodes. */
    private static List<WeakReference<Object>> runGraph(Tensor x) {
        Tensor h = x.mul(2f);
        Tensor r = h.relu();
        Tensor loss = r.exp().sum();
        List<WeakReference<Object>> refs = List.of(new WeakReference<>(h), new WeakReference<>(r),
                new WeakReference<>(h.gradFn()), new WeakReference<>(r.gradFn()));
        loss.backward();
        return refs;
    }

    @Test
    void intermediatesAreCollectableAfterBackward() throws InterruptedException {
        Tensor x = Tensor.vector(1, -2, 3).requiresGrad(true);
        List<WeakReference<Object>> refs = runGraph(x);
        assertNotNull(x.grad());
        for (int i = 0; i < 6_000 && refs.stream().anyMatch(r -> r.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        for (WeakReference<Object> r : refs) {
            assertNull(r.get(), "an intermediate of the graph is still reachable after backward");
        }
    }

    @Test
    void releasedRootDoesNotKeepIntermediatesAlive() throws InterruptedException {
        // even while the root tensor itself is still referenced, its released node holds nothing
        Tensor x = Tensor.vector(1, 2).requiresGrad(true);
        Tensor h = x.mul(3f);
        WeakReference<Tensor> ref = new WeakReference<>(h);
        Tensor loss = h.sum();
        h = null;
        loss.backward();
        for (int i = 0; i < 6_000 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(ref.get());
        assertNotNull(loss.gradFn());
        assertTrue(loss.gradFn().isReleased());
    }

    // ---- data-dependent control flow (D2L's FixedHiddenMLP) -----------------------------------

    @Test
    void divisionInADataDependentLoopScalesTheGradientByPowersOfTwo() {
        Tensor x = Tensor.vector(3, -4, 5).requiresGrad(true);
        Tensor w = Tensor.vector(1, 2, 3);
        Tensor y = x.mul(w);
        int k = 0;
        while (y.abs().sum().item() > 1) { // |y|.sum() = 26 -> 13 -> ... -> 0.8125 after 5 halvings
            y = y.div(2);
            k++;
        }
        assertEquals(5, k);
        y.sum().backward();
        float s = 1f / (1 << k);
        assertValues(new float[] {1 * s, 2 * s, 3 * s}, x.grad(), 0f);
    }

    /** D2L's FixedHiddenMLP: a constant buffer, one Linear used twice, and a data-dependent loop. */
    static final class FixedHidden extends Module {
        final Buffer randWeight;
        final Linear linear;
        int halvings;

        FixedHidden(Generator g) {
            randWeight = registerBuffer("rand_weight", Tensor.rand(g, 6, 6));
            linear = register("linear", new Linear(6, 6, true, g));
        }

        @Override
        public Tensor forward(Tensor x) {
            x = linear.call(x);
            x = F.relu(x.matmul(randWeight).add(1));
            x = linear.call(x);
            halvings = 0;
            while (x.abs().sum().item() > 1) {
                x = x.div(2);
                halvings++;
            }
            return x.sum();
        }
    }

    @Test
    void fixedHiddenMlpGradientsMatchFiniteDifferences() {
        FixedHidden m = new FixedHidden(new Generator(3));
        Tensor x = Tensor.rand(new Generator(4), 2, 6);
        m.call(x).backward();
        int k = m.halvings;
        assertTrue(k > 0, "the loop runs at least once");
        assertNull(m.randWeight.grad());
        for (Parameter p : List.of(m.linear.weight, m.linear.bias)) {
            float[] analytic = p.grad().toFloatArray();
            float[] data = p.data().toFloatArray();
            for (int j = 0; j < data.length; j++) {
                double h = 1e-2;
                float plus = (float) (data[j] + h);
                float minus = (float) (data[j] - h);
                double fp = evalWith(m, x, p, data, j, plus);
                int kp = m.halvings;
                double fm = evalWith(m, x, p, data, j, minus);
                int km = m.halvings;
                assertEquals(k, kp, "the perturbation changed the number of halvings");
                assertEquals(k, km, "the perturbation changed the number of halvings");
                double numeric = (fp - fm) / ((double) plus - (double) minus);
                assertEquals(numeric, analytic[j], 1e-3 + 1e-2 * Math.abs(numeric), "element " + j);
            }
            p.data().copyFrom(Tensor.of(data, p.shape()));
        }
    }

    private static double evalWith(FixedHidden m, Tensor x, Parameter p, float[] data, int j, float v) {
        float[] d = data.clone();
        d[j] = v;
        try (var g = GradMode.noGrad()) {
            p.data().copyFrom(Tensor.of(d, p.shape()));
            return m.call(x).item();
        } finally {
            p.data().copyFrom(Tensor.of(data, p.shape()));
        }
    }

    // ---- the checker itself ----------------------------------------------------------------

    @Test
    void gradCheckDetectsAWrongGradient() {
        // forward differs between recording and evaluation: autograd sees 2x, finite differences 3x
        assertThrows(AssertionFailedError.class, () -> GradCheck.check("wrong",
                t -> GradMode.isEnabled() ? t[0].mul(2f) : t[0].mul(3f), GradCheck.uniform(1, -1, 1, 3)));
    }

    @org.junit.jupiter.api.Test
    void powWithZeroBaseOrZeroExponentHasPyTorchsZeroGradients() {
        Tensor x = Tensor.vector(0f, 2f).requiresGrad(true);
        Tensor e = Tensor.vector(2f, 2f).requiresGrad(true);
        x.pow(e).sum().backward();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0f, 4f}, x.grad().toFloatArray(), 1e-6f);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0f, (float) (4 * Math.log(2))},
                e.grad().toFloatArray(), 1e-5f);
        Tensor y = Tensor.vector(0f, 2f).requiresGrad(true);
        y.pow(Tensor.vector(0f, 0f)).sum().backward();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0f, 0f}, y.grad().toFloatArray(), 0f);
    }
}
