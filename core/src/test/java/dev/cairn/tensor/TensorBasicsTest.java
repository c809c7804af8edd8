package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.Device;
import static dev.cairn.tensor.TensorAsserts.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** item(), close(), to(Device) and toString. */
class TensorBasicsTest {

    @Test
    void itemOfOneElementTensors() {
        assertEquals(2.5f, Tensor.scalar(2.5f).item());
        assertEquals(-3f, Tensor.of(new float[] {-3}, 1, 1).item());
        assertEquals(4f, Tensor.of(new float[] {4}, 1, 1, 1).transpose(0, 2).item());
        assertEquals(7f, Tensor.of(new float[] {7}, 1).expand(1, 1).item());
        assertTrue(Float.isNaN(Tensor.scalar(Float.NaN).item()));
        // a reduction result is a 0-dim tensor
        assertEquals(6f, Tensor.vector(1, 2, 3).sum().item());
    }

    @Test
    void itemOfMultiElementTensorIsAnError() {
        assertThrowsWith(ShapeException.class, () -> Tensor.vector(1, 2).item(), "[2]", "one element");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(0).item(), "[0]");
        assertThrowsWith(ShapeException.class, () -> Tensor.zeros(2, 3).item(), "[2, 3]");
    }

    @Test
    void useAfterCloseIsAClearError() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        assertFalse(t.isClosed());
        t.close();
        assertTrue(t.isClosed());
        assertDoesNotThrow(t::close, "close is idempotent");
        assertThrowsWith(CairnException.class, t::toFloatArray, "closed", "[2, 2]");
        assertThrowsWith(CairnException.class, t::item, "closed");
        assertThrowsWith(CairnException.class, () -> t.add(1), "closed");
        assertThrowsWith(CairnException.class, () -> t.reshape(4), "closed");
        assertThrowsWith(CairnException.class, () -> t.t(), "closed");
        assertThrowsWith(CairnException.class, t::sum, "closed");
        assertThrowsWith(CairnException.class, () -> t.matmul(Tensor.ones(2)), "closed");
        assertThrowsWith(CairnException.class, () -> Tensor.ones(2, 2).mm(t), "closed");
        assertThrowsWith(CairnException.class, () -> t.to(Device.cpu()), "closed");
        assertTrue(t.toString().contains("closed"), t.toString());
    }

    @Test
    void tryWithResourcesCloses() {
        Tensor kept;
        try (Tensor t = Tensor.ones(3)) {
            kept = t;
            assertEquals(3f, t.sum().item());
        }
        assertTrue(kept.isClosed());
    }

    @Test
    void toSameDeviceReturnsTheSameTensor() {
        Tensor t = Tensor.vector(1, 2);
        assertSame(t, t.to(Device.cpu()));
        assertSame(t, t.to(Device.parse("cpu")));
        assertEquals(Device.cpu(), t.device());
    }

    @Test
    void toStringOfIntegralMatrixLooksLikePyTorch() {
        assertEquals("tensor([[1., 2.],\n        [3., 4.]])", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).toString());
    }

    @Test
    void toStringOfScalars() {
        assertEquals("tensor(0.5000)", Tensor.scalar(0.5f).toString());
        assertEquals("tensor(3.)", Tensor.scalar(3).toString());
        assertEquals("tensor(-0.1250)", Tensor.scalar(-0.125f).toString());
    }

    @Test
    void toStringOfVectors() {
        assertEquals("tensor([1., 2., 3.])", Tensor.vector(1, 2, 3).toString());
        assertEquals("tensor([-1.,  2.])", Tensor.vector(-1, 2).toString());
        assertEquals("tensor([0.5000, 1.2500])", Tensor.vector(0.5f, 1.25f).toString());
        assertEquals("tensor([ 0.1000, -0.2000])", Tensor.vector(0.1f, -0.2f).toString());
        assertEquals("tensor([])", Tensor.zeros(0).toString());
    }

    @Test
    void toStringOfViewsUsesLogicalOrder() {
        assertEquals("tensor([[1., 3.],\n        [2., 4.]])", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).t().toString());
    }

    @Test
    void toStringOf3d() {
        assertEquals("tensor([[[1., 2.],\n         [3., 4.]],\n\n        [[5., 6.],\n         [7., 8.]]])",
                Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2).toString());
    }

    /**
     * PyTorch switches to scientific notation when the largest non-zero finite magnitude is over
     * 1000 times the smallest, over 1e8, or (for non-integral values) the smallest is below 1e-4.
     */
    @Test
    void toStringChoosesScientificNotationLikePyTorch() {
        assertEquals("tensor(5.0000e-05)", Tensor.scalar(5e-5f).toString());
        assertEquals("tensor([1.0000e+00, 2.0000e+03])", Tensor.vector(1, 2000).toString());
        assertEquals("tensor([5.0000e-01, 1.0005e+03])", Tensor.vector(0.5f, 1000.5f).toString());
        assertEquals("tensor([1.0000e-05, 1.0000e+00])", Tensor.vector(1e-5f, 1).toString());
    }

    /** PyTorch sizes columns from the non-zero finite values only; nan and inf are not padded against. */
    @Test
    void toStringColumnWidthIgnoresNonFiniteValuesLikePyTorch() {
        assertEquals("tensor([nan, 1.])", Tensor.vector(Float.NaN, 1).toString());
        assertEquals("tensor([inf, 1., 0.])", Tensor.vector(Float.POSITIVE_INFINITY, 1, 0).toString());
        assertEquals("tensor([inf, -1.,  2.])", Tensor.vector(Float.POSITIVE_INFINITY, -1, 2).toString());
    }

    /** PyTorch wraps a row at its 80-column line width. */
    @Test
    void toStringWrapsLongRowsLikePyTorch() {
        assertEquals("tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
                + "        14., 15., 16., 17., 18., 19.])", Tensor.arange(20).toString());
    }

    /** PyTorch prints an empty tensor as {@code []}, adding its size unless it is 1-D. */
    @Test
    void toStringOfEmptyMatrixLikePyTorch() {
        assertEquals("tensor([], size=(2, 0))", Tensor.zeros(2, 0).toString());
    }

    @Test
    void toStringShowsRequiresGrad() {
        assertEquals("tensor([1., 2.], requires_grad=True)", Tensor.vector(1, 2).requiresGrad(true).toString());
    }
}
