package dev.cairn.tensor;

import dev.cairn.CairnException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** im2col, col2im and max pooling: argument checks and hand-computed values (PyTorch's cases are in OpReferenceTest). */
class WindowsTest {
    private static final int[] ONE = {1, 1};

    @Test
    void col2imOfIm2colCountsHowManyWindowsCoverEachElement() {
        Tensor ones = Tensor.ones(1, 1, 3, 3);
        Tensor cols = ones.im2col(new int[] {3, 3}, ONE, ONE, ONE);
        assertArrayEquals(new int[] {1, 9, 9}, cols.shape());
        Tensor cover = cols.col2im(new int[] {3, 3}, new int[] {3, 3}, ONE, ONE, ONE);
        assertArrayEquals(new float[] {4, 6, 4, 6, 9, 6, 4, 6, 4}, cover.toFloatArray());
    }

    @Test
    void im2colZeroesThePaddingAndReadsStridedWindows() {
        Tensor x = Tensor.arange(12).reshape(1, 1, 3, 4).add(1f);
        // 2x2 windows with stride 2 and one column of padding on each side: 1 row x 3 columns of windows
        Tensor cols = x.im2col(new int[] {2, 2}, ONE, new int[] {0, 1}, new int[] {2, 2});
        assertArrayEquals(new float[] {0, 2, 4, 1, 3, 0, 0, 6, 8, 5, 7, 0}, cols.toFloatArray());
    }

    @Test
    void maxPoolingSendsTheGradientToTheFirstMaximumOfEachWindow() {
        Tensor x = Tensor.of(new float[] {1, 5, 5, 2, 0, 5, 3, 4, 1}, 1, 1, 3, 3).requiresGrad(true);
        Tensor y = x.maxPool2d(new int[] {2, 2}, ONE, new int[] {0, 0}, ONE, false);
        assertArrayEquals(new float[] {5, 5, 4, 5}, y.toFloatArray());
        y.sum().backward();
        // window (0,0) chooses element 1, (0,1) element 1 too (the first of three fives), (1,0) element 7
        // and (1,1) element 5
        assertArrayEquals(new float[] {0, 2, 0, 0, 0, 1, 0, 1, 0}, x.grad().toFloatArray());
    }

    @Test
    void badArgumentsAreRefusedWithTheReason() {
        Tensor img = Tensor.zeros(1, 2, 4, 4);
        ShapeException rank = assertThrows(ShapeException.class,
                () -> Tensor.zeros(2, 4, 4).im2col(new int[] {2, 2}, ONE, ONE, ONE));
        assertTrue(rank.getMessage().contains("unsqueeze(0)"), rank.getMessage());
        ShapeException blocks = assertThrows(ShapeException.class,
                () -> Tensor.zeros(1, 8, 5).col2im(new int[] {4, 4}, new int[] {2, 2}, ONE, new int[] {0, 0}, ONE));
        assertTrue(blocks.getMessage().contains("9 sliding blocks"), blocks.getMessage());
        CairnException pad = assertThrows(CairnException.class,
                () -> img.maxPool2d(new int[] {2, 2}, ONE, new int[] {2, 2}, ONE, false));
        assertTrue(pad.getMessage().contains("at most half"), pad.getMessage());
        ShapeException empty = assertThrows(ShapeException.class,
                () -> img.maxPool2d(new int[] {2, 2}, ONE, ONE, new int[] {5, 5}, false));
        assertTrue(empty.getMessage().contains("covers only padding"), empty.getMessage());
        CairnException stride = assertThrows(CairnException.class,
                () -> img.im2col(new int[] {2, 2}, ONE, ONE, new int[] {0, 1}));
        assertTrue(stride.getMessage().contains("stride must be two sizes"), stride.getMessage());
    }
}
