package dev.cairn.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nn.Linear;
import dev.cairn.nn.Losses;
import dev.cairn.nn.Parameter;
import dev.cairn.nn.Sequential;
import dev.cairn.CairnException;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SGD and Adam against updates computed by hand (PyTorch's formulas, in double precision). */
class OptimizerTest {
    private static final float TOL = 2e-6f;

    private static Parameter param(float... values) {
        return new Parameter(Tensor.vector(values));
    }

    /** loss = 0.5 * sum(p^2), so grad = p. */
    private static void halfSquareBackward(Tensor p) {
        p.mul(p).sum().mul(0.5f).backward();
    }

    /** loss = sum(p^2), so grad = 2p. */
    private static void squareBackward(Tensor p) {
        p.mul(p).sum().backward();
    }

    @Test
    void plainSgdWithAFixedGradient() {
        Parameter p = param(1f, -2f);
        SGD opt = new SGD(List.of(p), 0.1);
        float[][] expected = {{0.95f, -2.1f}, {0.9f, -2.2f}, {0.85f, -2.3f}};
        for (float[] e : expected) {
            p.setGrad(Tensor.vector(0.5f, 1f));
            opt.step();
            assertArrayEquals(e, p.toFloatArray(), TOL);
        }
        assertNull(opt.momentumBuffer(p));
    }

    @Test
    void sgdWithMomentumAndWeightDecay() {
        // grad = p; d = p + 0.1 p; buf = d (step 1), then 0.9 buf + d; p -= 0.1 buf
        Parameter p = param(1f, -2f);
        SGD opt = new SGD(List.of(p), 0.1, 0.9, 0.1);
        float[][] expected = {{0.89f, -1.78f}, {0.6931f, -1.3862f}, {0.439649f, -0.879298f}};
        float[][] buffers = {{1.1f, -2.2f}, {1.969f, -3.938f}, {2.53451f, -5.06902f}};
        for (int step = 0; step < 3; step++) {
            opt.zeroGrad();
            halfSquareBackward(p);
            opt.step();
            assertArrayEquals(expected[step], p.toFloatArray(), TOL, "step " + (step + 1));
            assertArrayEquals(buffers[step], opt.momentumBuffer(p).toFloatArray(), TOL, "buffer at step " + (step + 1));
        }
    }

    @Test
    void sgdWithNesterovMomentum() {
        // grad = p; buf as above; d = grad + 0.9 buf
        Parameter p = param(1f);
        SGD opt = new SGD(List.of(p), 0.1, 0.9, 0, 0, true);
        float[] expected = {0.81f, 0.5751f, 0.327321f};
        for (float e : expected) {
            opt.zeroGrad();
            halfSquareBackward(p);
            opt.step();
            assertEquals(e, p.item(), TOL);
        }
    }

    @Test
    void sgdWithDampening() {
        // grad = 1 each step; buf = 1, then 0.9 buf + 0.5 * 1
        Parameter p = param(0f);
        SGD opt = new SGD(List.of(p), 0.1, 0.9, 0.5, 0, false);
        float[] expected = {-0.1f, -0.24f, -0.416f};
        for (float e : expected) {
            p.setGrad(Tensor.vector(1f));
            opt.step();
            assertEquals(e, p.item(), TOL);
        }
    }

    @Test
    void sgdMatchesADoublePrecisionReferenceOverManySteps() {
        double lr = 0.05;
        double momentum = 0.8;
        double wd = 0.01;
        Parameter p = param(0.3f, -1.2f, 2f);
        SGD opt = new SGD(List.of(p), lr, momentum, wd);
        double[] ref = {0.3, -1.2, 2};
        double[] buf = new double[3];
        for (int step = 0; step < 20; step++) {
            opt.zeroGrad();
            squareBackward(p);
            opt.step();
            for (int i = 0; i < 3; i++) {
                double d = 2 * ref[i] + wd * ref[i];
                buf[i] = step == 0 ? d : momentum * buf[i] + d;
                ref[i] -= lr * buf[i];
            }
        }
        float[] got = p.toFloatArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(ref[i], got[i], 1e-5 * Math.max(1, Math.abs(ref[i])));
        }
    }

    @Test
    void adamFirstStepsHandComputed() {
        // grad = 2p; step 1 moves each element by lr against the sign of its gradient
        Parameter p = param(1f, -0.5f);
        Adam opt = new Adam(List.of(p), 0.1);
        double[][] expected = {{0.9000000005, -0.400000001}, {0.8004122286917927, -0.3011874216591668},
            {0.7015862729460302, -0.2048712525602996}};
        for (int step = 0; step < 3; step++) {
            opt.zeroGrad();
            squareBackward(p);
            opt.step();
            assertEquals(step + 1, opt.stepCount(p));
            float[] got = p.toFloatArray();
            assertEquals(expected[step][0], got[0], TOL, "step " + (step + 1));
            assertEquals(expected[step][1], got[1], TOL, "step " + (step + 1));
        }
        // after step 1 the moments are (1 - beta) * g and (1 - beta2) * g^2 ... checked via step 3's state:
        assertNotNull(opt.expAvg(p));
        assertNotNull(opt.expAvgSq(p));
    }

    @Test
    void adamStateAfterOneStep() {
        Parameter p = param(1f, -0.5f);
        Adam opt = new Adam(List.of(p), 0.1);
        assertNull(opt.expAvg(p));
        assertEquals(0, opt.stepCount(p));
        squareBackward(p); // grad [2, -1]
        opt.step();
        assertArrayEquals(new float[] {0.2f, -0.1f}, opt.expAvg(p).toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {0.004f, 0.001f}, opt.expAvgSq(p).toFloatArray(), 1e-8f);
    }

    @Test
    void adamWithWeightDecayAddsL2ToTheGradient() {
        Parameter p = param(1f, -0.5f);
        Adam opt = new Adam(List.of(p), 0.1, 0.9, 0.999, 1e-8, 0.5);
        double[][] expected = {{0.9000000003999999, -0.4000000008}, {0.8004122284876838, -0.3011874212448721},
            {0.7015862726343534, -0.20487125192446926}};
        for (double[] e : expected) {
            opt.zeroGrad();
            squareBackward(p);
            opt.step();
            float[] got = p.toFloatArray();
            assertEquals(e[0], got[0], TOL);
            assertEquals(e[1], got[1], TOL);
        }
    }

    @Test
    void adamAndAmsgradWithAGradientSequence() {
        float[] grads = {1f, -3f, 0.5f};
        double[] plain = {-0.009999999900000002, -0.0026985694800668574, -0.0003674736851481913};
        double[] ams = {-0.009999999900000002, -0.0026985694800668574, -0.00045628732544570477};
        for (boolean amsgrad : new boolean[] {false, true}) {
            Parameter p = param(0f);
            Adam opt = new Adam(List.of(p), 0.01, 0.5, 0.9, 1e-8, 0, amsgrad);
            for (int step = 0; step < 3; step++) {
                p.setGrad(Tensor.vector(grads[step]));
                opt.step();
                assertEquals((amsgrad ? ams : plain)[step], p.item(), 1e-8, "amsgrad=" + amsgrad + " step " + (step + 1));
            }
        }
    }

    @Test
    void adamMatchesADoublePrecisionReferenceOverManySteps() {
        double lr = 0.02;
        double b1 = 0.8;
        double b2 = 0.95;
        double eps = 1e-6;
        double wd = 0.1;
        Parameter p = param(0.3f, -1.2f, 2f);
        Adam opt = new Adam(List.of(p), lr, b1, b2, eps, wd);
        double[] ref = {0.3, -1.2, 2};
        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= 25; t++) {
            opt.zeroGrad();
            squareBackward(p);
            opt.step();
            for (int i = 0; i < 3; i++) {
                double g = 2 * ref[i] + wd * ref[i];
                m[i] = m[i] + (1 - b1) * (g - m[i]);
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                ref[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
            }
        }
        float[] got = p.toFloatArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(ref[i], got[i], 1e-5 * Math.max(1, Math.abs(ref[i])));
        }
    }

    // ---- behaviour ----------------------------------------------------------------------------

    @Test
    void updatesInPlaceKeepingIdentityAndSkipParametersWithoutGrad() {
        Parameter a = param(1f, 2f);
        Parameter b = param(3f);
        Tensor dataBefore = a.data();
        SGD opt = new SGD(List.of(a, b), 0.5, 0.9);
        a.setGrad(Tensor.vector(1f, 1f));
        opt.step();
        // updated in place: a view taken before the step sees the new values
        assertArrayEquals(new float[] {0.5f, 1.5f}, dataBefore.toFloatArray(), 0f);
        assertArrayEquals(new float[] {0.5f, 1.5f}, a.toFloatArray(), 0f);
        assertEquals(3f, b.item(), 0f);
        assertNull(opt.momentumBuffer(b));
        assertNotNull(a.grad());
        opt.zeroGrad();
        assertNull(a.grad());
        assertNull(b.grad());
    }

    @Test
    void updatesAPlainLeafTensorAndAParameterOverAView() {
        Tensor leaf = Tensor.vector(1f, 2f).requiresGrad(true);
        Parameter viewParam = new Parameter(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).t()); // non-contiguous
        Adam opt = new Adam(List.of(leaf, viewParam), 0.1);
        Tensor data = viewParam.data(); // a contiguous copy made once by the optimizer
        assertTrue(data.isContiguous());
        for (int i = 0; i < 2; i++) {
            opt.zeroGrad();
            leaf.sum().add(viewParam.sum()).backward();
            Tensor gradBefore = viewParam.grad();
            opt.step();
            assertSame(gradBefore, viewParam.grad());
            assertArrayEquals(viewParam.toFloatArray(), data.toFloatArray(), 0f, "updated in place");
        }
        // grad 1 everywhere: Adam moves each element by ~lr per step
        assertArrayEquals(new float[] {0.8f, 1.8f}, leaf.toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.8f, 3.8f, 1.8f, 4.8f, 2.8f, 5.8f}, viewParam.toFloatArray(), 1e-6f);
        assertArrayEquals(new int[] {3, 2}, viewParam.shape());
        assertTrue(viewParam.requiresGrad());
    }

    @Test
    void stateSurvivesPerStepTensorScopes() {
        float[][] results = new float[2][];
        for (int variant = 0; variant < 2; variant++) {
            Parameter p = param(1f, -2f);
            Adam adam = new Adam(List.of(p), 0.1);
            SGD sgd = new SGD(List.of(p), 0.01, 0.9);
            for (int step = 0; step < 4; step++) {
                if (variant == 1) {
                    try (var scope = TensorScope.open()) {
                        adam.zeroGrad();
                        squareBackward(p);
                        adam.step();
                        sgd.step();
                    }
                } else {
                    adam.zeroGrad();
                    squareBackward(p);
                    adam.step();
                    sgd.step();
                }
            }
            results[variant] = p.toFloatArray();
        }
        assertArrayEquals(results[0], results[1], 0f);
    }

    @Test
    void trainsALinearRegression() {
        // y = 2 x0 - 3 x1 + 0.5, learnt by one Linear layer with SGD + momentum on MSE
        Generator g = new Generator(7);
        Tensor x = Tensor.rand(g, 64, 2).mul(2f).sub(1f);
        Tensor y = x.matmul(Tensor.vector(2f, -3f)).add(0.5f).unsqueeze(1);
        Linear lin = new Linear(2, 1, true, new Generator(1));
        SGD opt = new SGD(lin.parameters(), 0.1, 0.9);
        double first = 0;
        double last = 0;
        for (int i = 0; i < 200; i++) {
            opt.zeroGrad();
            Tensor loss = Losses.mseLoss(lin.call(x), y);
            loss.backward();
            opt.step();
            if (i == 0) {
                first = loss.item();
            }
            last = loss.item();
        }
        assertTrue(last < 1e-6 * Math.max(1, first), "loss " + first + " -> " + last);
        assertArrayEquals(new float[] {2f, -3f}, lin.weight.toFloatArray(), 1e-3f);
        assertEquals(0.5f, lin.bias.item(), 1e-3f);
    }

    @Test
    void adamTrainsASmallClassifier() {
        Sequential net = new Sequential(new Linear(2, 16, true, new Generator(2)), new dev.cairn.nn.ReLU(),
                new Linear(16, 2, true, new Generator(3)));
        // XOR-like quadrants
        float[] xs = {1, 1, -1, -1, 1, -1, -1, 1, 0.5f, 0.8f, -0.6f, -0.7f, 0.9f, -0.4f, -0.5f, 0.6f};
        float[] ys = {0, 0, 1, 1, 0, 0, 1, 1};
        Tensor x = Tensor.of(xs, 8, 2);
        Tensor y = Tensor.vector(ys);
        Adam opt = new Adam(net.parameters(), 0.05);
        float loss = Float.NaN;
        for (int i = 0; i < 150; i++) {
            opt.zeroGrad();
            Tensor l = Losses.crossEntropy(net.call(x), y);
            l.backward();
            opt.step();
            loss = l.item();
        }
        assertTrue(loss < 0.05f, "loss " + loss);
    }

    @Test
    void rejectsATensorThatCannotBeUpdatedInPlace() {
        Tensor view = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).t().requiresGrad(true);
        CairnException e = assertThrows(CairnException.class, () -> new SGD(List.of(view), 0.1));
        assertTrue(e.getMessage().contains("parameter 0 cannot be updated in place"), e.getMessage());
    }

    @Test
    void rejectsBadArguments() {
        Parameter p = param(1f);
        assertThrows(CairnException.class, () -> new SGD(List.of(), 0.1));
        CairnException dup = assertThrows(CairnException.class, () -> new SGD(List.of(p, p), 0.1));
        assertTrue(dup.getMessage().contains("same tensor"), dup.getMessage());
        Tensor nonLeaf = Tensor.vector(1f).requiresGrad(true).mul(2f);
        CairnException nl = assertThrows(CairnException.class, () -> new Adam(List.of(nonLeaf), 0.1));
        assertTrue(nl.getMessage().contains("leaf"), nl.getMessage());
        assertThrows(CairnException.class, () -> new SGD(List.of(p), -0.1));
        assertThrows(CairnException.class, () -> new SGD(List.of(p), Double.NaN));
        assertThrows(CairnException.class, () -> new SGD(List.of(p), 0.1, -0.5));
        assertThrows(CairnException.class, () -> new SGD(List.of(p), 0.1, 0.9, -1));
        CairnException nes = assertThrows(CairnException.class, () -> new SGD(List.of(p), 0.1, 0, 0, 0, true));
        assertTrue(nes.getMessage().contains("Nesterov"), nes.getMessage());
        assertThrows(CairnException.class, () -> new SGD(List.of(p), 0.1, 0.9, 0.1, 0, true));
        assertThrows(CairnException.class, () -> new Adam(List.of(p), 0.1, 1.0, 0.999, 1e-8, 0));
        assertThrows(CairnException.class, () -> new Adam(List.of(p), 0.1, 0.9, -0.1, 1e-8, 0));
        assertThrows(CairnException.class, () -> new Adam(List.of(p), 0.1, 0.9, 0.999, -1, 0));
        assertThrows(CairnException.class, () -> new Adam(List.of(p), 0.1, 0.9, 0.999, 1e-8, -0.1));
        SGD ok = new SGD(List.of(p), 0.1);
        ok.setLr(0.2);
        assertEquals(0.2, ok.lr());
        assertThrows(CairnException.class, () -> ok.setLr(-1));
    }
}
