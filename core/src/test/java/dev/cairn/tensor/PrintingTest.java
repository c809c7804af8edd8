package dev.cairn.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Large tensors print summarized, as PyTorch 1.13 does (more than 1000 elements: three items at each end
 * and "..." between). Every expected string is PyTorch's own {@code str(t)} for the same values.
 */
class PrintingTest {

    @Test
    void aLongVectorShowsThreeItemsAtEachEnd() {
        // str(torch.arange(2000.))
        assertEquals("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
                + "        1.9990e+03])", Tensor.arange(2000).toString());
    }

    @Test
    void aMatrixElidesRowsAndColumns() {
        // str(torch.arange(1001.).reshape(7, 143))
        assertEquals("tensor([[   0.,    1.,    2.,  ...,  140.,  141.,  142.],\n"
                + "        [ 143.,  144.,  145.,  ...,  283.,  284.,  285.],\n"
                + "        [ 286.,  287.,  288.,  ...,  426.,  427.,  428.],\n"
                + "        ...,\n"
                + "        [ 572.,  573.,  574.,  ...,  712.,  713.,  714.],\n"
                + "        [ 715.,  716.,  717.,  ...,  855.,  856.,  857.],\n"
                + "        [ 858.,  859.,  860.,  ...,  998.,  999., 1000.]])", Tensor.arange(1001).reshape(7, 143).toString());
    }

    @Test
    void aThreeDimensionalTensorElidesInsideEachBlockAndWraps() {
        // str((torch.arange(2400.) / 7).reshape(2, 30, 40))
        String expected = "tensor([[[0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 5.2857e+00,\n"
                + "          5.4286e+00, 5.5714e+00],\n"
                + "         [5.7143e+00, 5.8571e+00, 6.0000e+00,  ..., 1.1000e+01,\n"
                + "          1.1143e+01, 1.1286e+01],\n"
                + "         [1.1429e+01, 1.1571e+01, 1.1714e+01,  ..., 1.6714e+01,\n"
                + "          1.6857e+01, 1.7000e+01],\n"
                + "         ...,\n"
                + "         [1.5429e+02, 1.5443e+02, 1.5457e+02,  ..., 1.5957e+02,\n"
                + "          1.5971e+02, 1.5986e+02],\n"
                + "         [1.6000e+02, 1.6014e+02, 1.6029e+02,  ..., 1.6529e+02,\n"
                + "          1.6543e+02, 1.6557e+02],\n"
                + "         [1.6571e+02, 1.6586e+02, 1.6600e+02,  ..., 1.7100e+02,\n"
                + "          1.7114e+02, 1.7129e+02]],\n"
                + "\n"
                + "        [[1.7143e+02, 1.7157e+02, 1.7171e+02,  ..., 1.7671e+02,\n"
                + "          1.7686e+02, 1.7700e+02],\n"
                + "         [1.7714e+02, 1.7729e+02, 1.7743e+02,  ..., 1.8243e+02,\n"
                + "          1.8257e+02, 1.8271e+02],\n"
                + "         [1.8286e+02, 1.8300e+02, 1.8314e+02,  ..., 1.8814e+02,\n"
                + "          1.8829e+02, 1.8843e+02],\n"
                + "         ...,\n"
                + "         [3.2571e+02, 3.2586e+02, 3.2600e+02,  ..., 3.3100e+02,\n"
                + "          3.3114e+02, 3.3129e+02],\n"
                + "         [3.3143e+02, 3.3157e+02, 3.3171e+02,  ..., 3.3671e+02,\n"
                + "          3.3686e+02, 3.3700e+02],\n"
                + "         [3.3714e+02, 3.3729e+02, 3.3743e+02,  ..., 3.4243e+02,\n"
                + "          3.4257e+02, 3.4271e+02]]])";
        assertEquals(expected, Tensor.arange(2400).div(7).reshape(2, 30, 40).toString());
    }

    @Test
    void exactlyAThousandElementsPrintInFull() {
        // str(torch.arange(1000.)) starts 'tensor([  0.,   1.,   2., ...' with every value and no "..."
        String s = Tensor.arange(1000).toString();
        assertTrue(s.startsWith("tensor([  0.,   1.,   2.,   3.,   4.,   5.,   6.,   7.,   8.,   9.,  10.,  11.,\n"), s);
        assertFalse(s.contains("..."), "1000 elements are not summarized");
        assertTrue(s.endsWith(" 999.])"), s.substring(s.length() - 40));
    }
}
