package dev.cairn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/** Closed CPU tensors hand their arrays back for reuse, never while a view still uses them. */
class CpuMemoryPoolTest {
    @Test
    void reusedMemoryNeverLeaksOldValues() {
        Tensor a = Tensor.full(5f, 64, 32);
        a.close();
        Tensor z = Tensor.zeros(64, 32);
        for (float v : z.toFloatArray()) {
            assertEquals(0f, v);
        }
        Tensor b = Tensor.full(3f, 64, 32);
        b.close();
        Tensor sum = Tensor.ones(64, 32).add(Tensor.ones(64, 32));
        for (float v : sum.toFloatArray()) {
            assertEquals(2f, v);
        }
    }

    @Test
    void aViewKeepsTheArrayOutOfThePool() {
        Tensor a = Tensor.rand(new Generator(1), 64, 32);
        float[] expected = a.t().contiguous().toFloatArray();
        Tensor view = a.t();
        a.close();
        for (int i = 0; i < 5; i++) {
            Tensor.full(7f, 64, 32).close();
        }
        assertArrayEquals(expected, view.toFloatArray());
    }

    @Test
    void aScopedLoopReusesArraysInsteadOfGrowingThePool() {
        Tensor x = Tensor.rand(new Generator(2), 128, 64);
        for (int i = 0; i < 200; i++) {
            try (TensorScope scope = TensorScope.open()) {
                x.mul(2f).add(1f).relu();
            }
        }
        long pooled = CpuMemoryPool.pooledFloats();
        for (int i = 0; i < 200; i++) {
            try (TensorScope scope = TensorScope.open()) {
                x.mul(2f).add(1f).relu();
            }
        }
        assertTrue(CpuMemoryPool.pooledFloats() <= pooled + 3 * 128 * 64,
                "the pool stays at the loop's working set: " + pooled + " -> " + CpuMemoryPool.pooledFloats());
    }
}
