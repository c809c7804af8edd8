package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Kernels are found by name, built from the Java op and the dtypes ({@link KernelNames}): every op of
 * UnaryOp, BinaryOp, CompareOp and ReduceOp (and every dtype the backend holds) and every line kernel
 * (softmax, layer norm, cumsum) has its kernel symbol in the committed PTX, and a missing kernel is an error naming it. No GPU needed.
 */
class KernelNamesTest {

    static Set<String> ptxKernels() throws IOException {
        Set<String> found = new HashSet<>();
        for (String m : CudaDevice.MODULES) {
            found.addAll(CudaDevice.kernelNames(PtxAssembleTest.ptx(m).getBytes(StandardCharsets.US_ASCII)));
        }
        return found;
    }

    @Test
    void namesAreBuiltFromTheOpAndTheDtypes() {
        assertEquals("unary_tanh_f32", KernelNames.unary(UnaryOp.TANH, DType.FLOAT32, false));
        assertEquals("binary_add_i64_dense", KernelNames.binary(BinaryOp.ADD, DType.INT64, true));
        assertEquals("compare_lt_b8", KernelNames.compare(CompareOp.LT, DType.BOOL));
        assertEquals("convert_f32_to_i32", KernelNames.convert(DType.FLOAT32, DType.INT32));
        assertEquals("reduce_argmax_f32_i64_block", KernelNames.reduce(ReduceOp.ARGMAX, DType.FLOAT32, DType.INT64, true));
        assertEquals("scatter_add_f32", KernelNames.scatterAdd(DType.FLOAT32));
        assertEquals("reduce_prod_b8_i64_thread", KernelNames.reduce(ReduceOp.PROD, DType.BOOL, DType.INT64, false));
        assertEquals("softmax_backward_f32", KernelNames.softmaxBackward(DType.FLOAT32));
        assertEquals("layer_norm_param_grads_f32", KernelNames.layerNormParamGrads(DType.FLOAT32));
        assertEquals("cumsum_i64", KernelNames.cumsum(DType.INT64));
    }

    /** Every Java op, on every dtype it runs on, has its kernel (dense and strided) in the PTX. */
    @Test
    void everyJavaOpHasItsKernelInThePtx() throws IOException {
        Set<String> ptx = ptxKernels();
        for (UnaryOp op : UnaryOp.values()) {
            for (boolean dense : new boolean[] {false, true}) {
                String k = KernelNames.unary(op, DType.FLOAT32, dense);
                assertTrue(ptx.contains(k), "no kernel " + k + " for UnaryOp." + op + " in the PTX");
            }
        }
        for (BinaryOp op : BinaryOp.values()) {
            for (boolean dense : new boolean[] {false, true}) {
                String k = KernelNames.binary(op, DType.FLOAT32, dense);
                assertTrue(ptx.contains(k), "no kernel " + k + " for BinaryOp." + op + " in the PTX");
            }
        }
        for (CompareOp op : CompareOp.values()) {
            for (DType t : DType.values()) {
                String k = KernelNames.compare(op, t);
                assertTrue(ptx.contains(k), "no kernel " + k + " for CompareOp." + op + " on " + t + " in the PTX");
            }
        }
        for (ReduceOp op : ReduceOp.values()) {
            for (DType t : DType.values()) {
                for (DType out : KernelNames.reduceOutputs(op, t)) {
                    for (boolean block : new boolean[] {false, true}) {
                        String k = KernelNames.reduce(op, t, out, block);
                        assertTrue(ptx.contains(k), "no kernel " + k + " for ReduceOp." + op + " in the PTX");
                    }
                }
            }
        }
        for (String k : List.of(KernelNames.softmax(DType.FLOAT32), KernelNames.softmaxBackward(DType.FLOAT32),
                KernelNames.layerNorm(DType.FLOAT32), KernelNames.layerNormBackward(DType.FLOAT32),
                KernelNames.layerNormParamGrads(DType.FLOAT32), KernelNames.cumsum(DType.FLOAT32),
                KernelNames.cumsum(DType.INT64))) {
            assertTrue(ptx.contains(k), "no line kernel " + k + " in the PTX");
        }
        List<String> missing = KernelNames.expected().stream().filter(k -> !ptx.contains(k)).toList();
        assertEquals(List.of(), missing, "kernels the Java side launches but the PTX lacks");
    }

    /** The host build of the sources registers the same kernels as the PTX holds (nothing only in one). */
    @Test
    void theHostBuildHasExactlyThePtxKernels() throws IOException {
        Set<String> host = HostKernels.kernels();
        Set<String> ptx = ptxKernels();
        assertEquals(new java.util.TreeSet<>(ptx), new java.util.TreeSet<>(host),
                "the committed PTX and the sources differ: run cuda-backend/compile-kernels.sh");
    }

    /** An op on a dtype without a kernel fails with the missing kernel's name, before any launch. */
    @Test
    void aMissingKernelIsAnErrorNamingIt() {
        EmulatedDevice dev = HostKernelsTest.large();
        EmulatedDevice.HostStorage in = dev.upload(DType.INT64, new long[] {1, 2, 3});
        EmulatedDevice.HostStorage out = dev.allocate(DType.INT64, 3);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () ->
                CudaKernels.unary(dev, UnaryOp.TANH, 0f, StridedView.contiguous(in, 0, new int[] {3}), out));
        assertTrue(e.getMessage().contains("unary_tanh_i64_dense") && e.getMessage().contains("TANH"), e.getMessage());
        EmulatedDevice.HostStorage i32 = dev.allocate(DType.INT32, 1);
        e = assertThrows(UnsupportedOperationException.class, () ->
                CudaKernels.reduce(dev, ReduceOp.SUM, StridedView.contiguous(in, 0, new int[] {3}), 0, i32));
        assertTrue(e.getMessage().contains("reduce_sum_i64_i32_thread"), e.getMessage());
        dev.sync();  // runs whatever was queued: nothing may have been
        assertTrue(dev.history.isEmpty(), "launched: " + dev.history);
    }
}
