package dev.cairn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cairn.Device;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link Module#to} moves gradients with their parameters and buffers with the module, keeping every
 * identity, as PyTorch's {@code module.to(device)} does. "cuda:0" here is core's fake device backend.
 */
class ModuleToTest {
    private static final Device GPU = Device.cuda(0);

    /** A linear layer plus a registered constant, like FixedHiddenMLP's rand_weight. */
    static final class WithBuffer extends Module {
        final Linear linear = register("linear", new Linear(3, 2, true, new Generator(7)));
        final Buffer scale = registerBuffer("scale", Tensor.vector(2, -1));

        @Override
        public Tensor forward(Tensor x) {
            return linear.call(x).mul(scale);
        }
    }

    @Test
    void gradientsMoveWithTheirParametersAndBuffersWithTheModule() {
        WithBuffer m = new WithBuffer();
        m.call(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)).sum().backward();
        Parameter weight = m.linear.weight;
        float[] weightGrad = weight.grad().toFloatArray();
        float[] biasGrad = m.linear.bias.grad().toFloatArray();
        float[] weightValues = weight.toFloatArray();

        assertSame(m, m.to(GPU));

        assertSame(weight, m.linear.weight, "the parameter keeps its identity");
        assertSame(m.scale, m.namedBuffers().get("scale"), "the buffer keeps its identity");
        assertEquals(GPU, weight.device());
        assertEquals(GPU, weight.grad().device(), "the gradient moved with its parameter");
        assertEquals(GPU, m.linear.bias.grad().device());
        assertEquals(GPU, m.scale.device(), "the buffer moved with the module");
        assertArrayEquals(weightValues, weight.toFloatArray());
        assertArrayEquals(weightGrad, weight.grad().toFloatArray());
        assertArrayEquals(biasGrad, m.linear.bias.grad().toFloatArray());
        assertArrayEquals(new float[] {2, -1}, m.scale.toFloatArray());
        // bias gradient: column sums of d(sum(y * scale))/dy = scale for each of the 2 rows
        assertArrayEquals(new float[] {4, -2}, biasGrad);

        // accumulation continues on the device, into the moved gradient
        m.call(Tensor.of(GPU, new float[] {1, 2, 3, 4, 5, 6}, 2, 3)).sum().backward();
        assertEquals(GPU, weight.grad().device());
        assertArrayEquals(new float[] {8, -4}, m.linear.bias.grad().toFloatArray());

        m.to(Device.cpu());
        assertEquals(Device.cpu(), weight.grad().device());
        assertEquals(Device.cpu(), m.scale.device());
        assertArrayEquals(new float[] {8, -4}, m.linear.bias.grad().toFloatArray());
    }

    @Test
    void aParameterWithoutGradientMovesWithoutOne() {
        WithBuffer m = new WithBuffer();
        m.to(GPU);
        assertNull(m.linear.weight.grad());
        assertEquals(GPU, m.linear.weight.device());
        assertSame(m, m.to(GPU), "moving to where it already is changes nothing");
        assertEquals(GPU, m.scale.device());
    }

    /** A lazy layer moved before it has a shape creates its parameters on that device when a state dict arrives. */
    @Test
    void aLazyLayerMovedBeforeLoadingIsCreatedOnTheDevice() {
        LazyLinear lazy = new LazyLinear(2);
        assertSame(lazy, lazy.to(GPU));
        lazy.loadStateDict(java.util.Map.of("weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
                "bias", Tensor.vector(0.5f, -0.5f)), true);
        assertEquals(GPU, lazy.weight.device());
        assertEquals(GPU, lazy.bias.device());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, lazy.weight.toFloatArray());
        Tensor y = lazy.call(Tensor.of(GPU, new float[] {1, 0, -1}, 1, 3));
        assertArrayEquals(new float[] {-1.5f, -2.5f}, y.toFloatArray());
    }

    /**
     * A seeded model with dropout trains the same on the device as on the CPU: the masks are made where the
     * activations live, from the generator's counter-based stream, and are the same on both.
     */
    @Test
    void aSeededDropoutModelGivesTheSameMasksOnTheDeviceAsOnTheCpu() {
        float[] x = new float[6 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7) - 3.1f;
        }
        float[][] out = new float[2][];
        float[][] grad = new float[2][];
        for (int run = 0; run < 2; run++) {
            Device device = run == 0 ? Device.cpu() : GPU;
            Sequential m = new Sequential(new Linear(8, 16, true, new Generator(3)), new ReLU(),
                    new Dropout(0.4, new Generator(11)), new Linear(16, 4, true, new Generator(4)), new Dropout(0.25,
                    new Generator(12)));
            m.to(device).train();
            Tensor input = Tensor.of(device, x, 6, 8);
            m.call(input); // a first step moves the generators' offsets
            Tensor y = m.call(input);
            y.sum().backward();
            assertEquals(device, y.device());
            out[run] = y.toFloatArray();
            grad[run] = ((Linear) m.get(0)).weight.grad().toFloatArray();
        }
        // the same elements dropped; the values as close as two GEMMs' summation orders allow
        int zeros = 0;
        for (int i = 0; i < out[0].length; i++) {
            assertEquals(out[0][i] == 0, out[1][i] == 0, "element " + i + " dropped on one device only");
            zeros += out[0][i] == 0 ? 1 : 0;
        }
        assertArrayEquals(out[0], out[1], 1e-5f, "outputs");
        assertArrayEquals(grad[0], grad[1], 1e-5f, "first layer's weight gradient");
        org.junit.jupiter.api.Assertions.assertTrue(zeros > 0 && zeros < out[0].length, zeros + " dropped of " + out[0].length);
    }
}
