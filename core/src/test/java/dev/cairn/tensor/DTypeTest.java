package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.DType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.io.SafeTensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Integer and bool tensors: creation, printing as PyTorch 1.13 prints them, promotion, errors, files. */
class DTypeTest {
    @TempDir
    Path dir;

    @Test
    void printsLikePyTorch() {
        // expected texts are PyTorch 1.13's repr() of the same tensors
        assertEquals("tensor([  1, -20, 300])", Tensor.of(new long[] {1, -20, 300}, 3).toString());
        assertEquals("tensor([[ 1,  2],\n        [30, -4]])", Tensor.of(new long[] {1, 2, 30, -4}, 2, 2).toString());
        assertEquals("tensor([5, 6], dtype=torch.int32)", Tensor.of(new int[] {5, 6}, 2).toString());
        assertEquals("tensor([ True, False,  True])", Tensor.of(new boolean[] {true, false, true}, 3).toString());
        assertEquals("tensor([[True, True]])", Tensor.of(new boolean[] {true, true}, 1, 2).toString());
        assertEquals("tensor([], dtype=torch.int64)", Tensor.zeros(DType.INT64, 0).toString());
        assertEquals("tensor([], size=(2, 0), dtype=torch.bool)", Tensor.zeros(DType.BOOL, 2, 0).toString());
        assertEquals("tensor(7)", Tensor.of(new long[] {7}).toString());
        assertEquals("tensor(False)", Tensor.of(new boolean[] {false}).toString());
    }

    @Test
    void int64KeepsValuesBeyondFloatPrecision() {
        long big = (1L << 53) + 1;
        Tensor t = Tensor.of(new long[] {big, -big}, 2);
        assertEquals(DType.INT64, t.dtype());
        assertArrayEquals(new long[] {big, -big}, t.toLongArray());
        assertArrayEquals(new long[] {2 * big, 0}, t.add(Tensor.of(new long[] {big, big}, 2)).toLongArray());
    }

    @Test
    void promotionFollowsTorchResultType() {
        Tensor i64 = Tensor.of(new long[] {1, 2}, 2);
        Tensor i32 = Tensor.of(new int[] {1, 2}, 2);
        Tensor b = Tensor.of(new boolean[] {true, false}, 2);
        Tensor f = Tensor.vector(0.5f, 0.5f);
        assertEquals(DType.INT64, i64.add(i32).dtype());
        assertEquals(DType.INT32, i32.add(b).dtype());
        assertEquals(DType.FLOAT32, i64.add(f).dtype());
        assertEquals(DType.FLOAT32, i64.add(1f).dtype(), "a float scalar makes a float result");
        assertEquals(DType.FLOAT32, i64.div(i64).dtype(), "true division of integers is float");
        assertEquals(DType.BOOL, f.gt(0f).dtype());
        assertEquals(DType.INT64, b.sum().dtype());
        assertEquals(DType.INT64, f.argmax().dtype());
        assertArrayEquals(new float[] {1.5f, 2.5f}, i64.add(f).toFloatArray(), 0f);
    }

    @Test
    void gradientsOnlyForFloatTensors() {
        var e = assertThrows(CairnException.class, () -> Tensor.of(new long[] {1}, 1).requiresGrad(true));
        assertTrue(e.getMessage().contains("int64") && e.getMessage().contains("to(DType.FLOAT32)"), e.getMessage());
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor y = x.mul(Tensor.of(new long[] {3, 4}, 2)).sum();
        y.backward();
        assertArrayEquals(new float[] {3f, 4f}, x.grad().toFloatArray(), 0f);
        assertTrue(!x.to(DType.INT64).requiresGrad(), "no gradient through a conversion to an integer type");
    }

    @Test
    void badIndicesAndMasksAreClearErrors() {
        Tensor w = Tensor.zeros(5, 3);
        var e = assertThrows(CairnException.class, () -> w.indexSelect(0, Tensor.of(new long[] {1, 5}, 2)));
        assertTrue(e.getMessage().contains("index 5 is out of bounds for dimension 0 with size 5"), e.getMessage());
        e = assertThrows(CairnException.class, () -> w.indexSelect(0, Tensor.vector(1f)));
        assertTrue(e.getMessage().contains("int64") && e.getMessage().contains("float32"), e.getMessage());
        e = assertThrows(CairnException.class, () -> w.gather(1, Tensor.of(new long[] {-1}, 1, 1)));
        assertTrue(e.getMessage().contains("index -1 is out of bounds"), e.getMessage());
        e = assertThrows(CairnException.class, () -> Tensor.where(Tensor.vector(1f), w, w));
        assertTrue(e.getMessage().contains("condition must be a bool tensor"), e.getMessage());
        e = assertThrows(CairnException.class, () -> Tensor.of(new boolean[] {true}, 1).sub(Tensor.of(new boolean[] {true}, 1)));
        assertTrue(e.getMessage().contains("bool"), e.getMessage());
    }

    @Test
    void safetensorsKeepIntegerAndBoolTypes() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("ids", Tensor.of(new long[] {3, 1L << 40}, 2));
        state.put("count", Tensor.of(new int[] {-7}, 1));
        state.put("mask", Tensor.of(new boolean[] {true, false, true}, 3));
        state.put("w", Tensor.vector(0.25f));
        Path file = dir.resolve("typed.safetensors");
        SafeTensors.write(file, state);
        Map<String, Tensor> back = SafeTensors.read(file);
        for (var e : state.entrySet()) {
            Tensor got = back.get(e.getKey());
            assertEquals(e.getValue().dtype(), got.dtype(), e.getKey());
            assertArrayEquals(e.getValue().toLongArray(), got.toLongArray(), e.getKey());
        }
    }

    @Test
    void copyFromConvertsLikeCopy_() {
        Tensor counter = Tensor.zeros(DType.INT64);
        counter.copyFrom(Tensor.scalar(41.9f));
        assertArrayEquals(new long[] {41}, counter.toLongArray());
        Tensor f = Tensor.zeros(2);
        f.copyFrom(Tensor.of(new boolean[] {true, false}, 2));
        assertArrayEquals(new float[] {1f, 0f}, f.toFloatArray(), 0f);
    }
}
