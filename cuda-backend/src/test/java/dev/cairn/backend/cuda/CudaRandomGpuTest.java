package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.backend.RandomOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code random.cu} on a GPU against the CPU backend: the same (seed, counter) gives the same stream, bit for
 * bit for UNIFORM and BERNOULLI and within one float ulp for NORMAL (the GPU's double log/sin/cos against
 * fdlibm's), on odd lengths, destination offsets and counters, up to a draw of 5M elements. Skipped, with the
 * reason, where no CUDA GPU is usable.
 */
class CudaRandomGpuTest {
    static final CudaBackend B = Gpu.BACKEND;
    static final CpuBackend CPU = new CpuBackend();

    @BeforeEach
    void needGpu() {
        Gpu.assume();
    }

    @Test
    void theGpusStreamIsTheCpusStream() {
        long[] counters = {0, 7, 0xffff_ffffL, -3};
        int[] lengths = {1, 5, 7, 1023, 65_537, 5_000_003};
        long normals = 0;
        long differing = 0;
        int k = 0;
        for (RandomOp op : RandomOp.values()) {
            float a = op == RandomOp.UNIFORM ? -1f : op == RandomOp.NORMAL ? 0.25f : 0.6f;
            float b = op == RandomOp.UNIFORM ? 1f : op == RandomOp.NORMAL ? 3f : 1 / 0.6f;
            for (int length : lengths) {
                long seed = 1234567890123L * (k + 1);
                long counter = counters[k % counters.length];
                int offset = k % 3;
                k++;
                String what = op + " of " + length + " at counter " + counter + ", offset " + offset;
                float[] gpu = new float[length];
                try (Storage s = B.allocate(0, offset + length)) {
                    B.random(op, seed, counter, a, b, s, offset, length);
                    B.download(s, offset, gpu, 0, length);
                }
                float[] cpu = new float[length];
                try (Storage s = CPU.allocate(0, length)) {
                    CPU.random(op, seed, counter, a, b, s, 0, length);
                    CPU.download(s, 0, cpu, 0, length);
                }
                for (int i = 0; i < length; i++) {
                    if (Float.floatToRawIntBits(gpu[i]) == Float.floatToRawIntBits(cpu[i])) {
                        continue;
                    }
                    if (op != RandomOp.NORMAL || Math.abs(gpu[i] - cpu[i]) > Math.ulp(cpu[i])) {
                        fail(what + ": element " + i + " is " + gpu[i] + " on the GPU, " + cpu[i] + " on the CPU");
                    }
                    differing++;
                }
                if (op == RandomOp.NORMAL) {
                    normals += length;
                }
            }
        }
        System.out.println("CudaRandomGpuTest: " + differing + " of " + normals + " normal elements one ulp apart");
        assertTrue(differing <= normals / 1000, differing + " of " + normals + " normal elements differ by an ulp");
    }
}
