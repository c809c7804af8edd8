package dev.cairn.backend.cuda;

import static dev.cairn.backend.cuda.HostKernelsTest.CPU;
import static dev.cairn.backend.cuda.HostKernelsTest.cpuDown;
import static dev.cairn.backend.cuda.HostKernelsTest.large;
import static dev.cairn.backend.cuda.HostKernelsTest.small;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.DType;
import dev.cairn.backend.RandomOp;
import dev.cairn.backend.Storage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernels of {@code random.cu}, run on the host under the CUDA emulation (see {@link HostKernels}) through
 * the backend's launch code ({@link CudaKernels}), against the CPU backend: the same (seed, counter) must give
 * the same stream, bit for bit for UNIFORM and BERNOULLI (the Philox words and their integer steps), and
 * within one float ulp for NORMAL (double log, sin and cos of two math libraries: the host's libm here, fdlibm
 * on the CPU), on odd lengths, destination offsets and counters (one near the 64-bit wrap), with one SM (the
 * grid-stride loop runs) and many. Elements around the destination must stay unwritten.
 */
class HostRandomKernelsTest {
    record Draw(RandomOp op, long seed, long counter, float a, float b, int offset, int length) {
        @Override
        public String toString() {
            return op + " seed " + seed + " counter " + counter + " (" + a + ", " + b + ") offset " + offset
                    + " length " + length;
        }
    }

    static List<Draw> draws() {
        List<Draw> d = new ArrayList<>();
        long[] counters = {0, 5, 0x1_0000_0000L - 1, -2};
        int[] lengths = {1, 3, 4, 5, 7, 258, 1027, 100_003};
        int k = 0;
        for (RandomOp op : RandomOp.values()) {
            float a = switch (op) {
                case UNIFORM -> -2f;
                case NORMAL -> 0.5f;
                case BERNOULLI -> 0.9f;
            };
            float b = switch (op) {
                case UNIFORM -> 3f;
                case NORMAL -> 2f;
                case BERNOULLI -> 1 / 0.9f;
            };
            for (int length : lengths) {
                long counter = counters[k % counters.length];
                d.add(new Draw(op, 0x9e3779b97f4a7c15L + k, counter, a, b, k % 3, length));
                k++;
            }
        }
        return d;
    }

    @Test
    void theStreamEqualsTheCpuBackendsOnOddLengthsOffsetsAndCounters() {
        int normalElements = 0;
        int normalDiffering = 0;
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            List<Draw> draws = draws();
            List<EmulatedDevice.HostStorage> out = new ArrayList<>();
            for (Draw d : draws) {
                EmulatedDevice.HostStorage e = dev.allocate(d.offset() + d.length() + 2);
                CudaKernels.random(dev, d.op(), d.seed(), d.counter(), d.a(), d.b(), e, d.offset(), d.length());
                out.add(e);
            }
            dev.sync();
            for (int i = 0; i < draws.size(); i++) {
                Draw d = draws.get(i);
                float[] got = out.get(i).data;
                Storage c = CPU.allocate(0, got.length);
                CPU.random(d.op(), d.seed(), d.counter(), d.a(), d.b(), c, d.offset(), d.length());
                float[] want = cpuDown(c);
                for (int j = 0; j < got.length; j++) {
                    boolean inside = j >= d.offset() && j < d.offset() + d.length();
                    if (!inside) {
                        assertEquals(EmulatedDevice.UNWRITTEN, Float.floatToRawIntBits(got[j]),
                                d + ": element " + j + " outside the destination was written");
                        continue;
                    }
                    int gw = Float.floatToRawIntBits(got[j]);
                    int ww = Float.floatToRawIntBits(want[j]);
                    if (d.op() != RandomOp.NORMAL) {
                        if (gw != ww) {
                            fail(d + ": element " + (j - d.offset()) + " is " + got[j] + " on the device, " + want[j]
                                    + " on the CPU");
                        }
                        continue;
                    }
                    normalElements++;
                    if (gw != ww) {
                        normalDiffering++;
                        assertTrue(Math.abs(got[j] - want[j]) <= Math.ulp(want[j]), d + ": element " + (j - d.offset())
                                + " is " + got[j] + " on the device, " + want[j] + " on the CPU (over one ulp)");
                    }
                }
            }
        }
        assertTrue(normalElements > 200_000, "normal elements compared: " + normalElements);
        // one ulp apart is allowed, but rare: the double results round to the same float almost always
        assertTrue(normalDiffering <= normalElements / 1000, normalDiffering + " of " + normalElements
                + " normal elements differ by an ulp");
    }

    @Test
    void anEmptyDrawLaunchesNothingAndIntegerDestinationsAreRefused() {
        EmulatedDevice dev = small();
        EmulatedDevice.HostStorage e = dev.allocate(4);
        CudaKernels.random(dev, RandomOp.UNIFORM, 1, 0, 0f, 1f, e, 0, 0);
        dev.sync();
        assertTrue(dev.history.isEmpty());
        EmulatedDevice.HostStorage ints = dev.allocate(DType.INT64, 4);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> CudaKernels.random(dev, RandomOp.NORMAL, 1, 0, 0f, 1f, ints, 0, 4));
        assertTrue(x.getMessage().contains("INT64") || x.getMessage().contains("int64"), x.getMessage());
    }
}
