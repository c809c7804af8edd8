package dev.cairn.backend.cpu;

import dev.cairn.backend.Window;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loop of {@link WindowKernels}' col2im for windows of stride 1 and dilation 1 (a convolution's
 * input gradient): each output row is built in registers, {@link #L} columns at a time, as the sum over the
 * kernel offsets {@code (i, j)} of one column row shifted by {@code j} (a masked load where the window leaves
 * the row), then stored once. The contributions to an element are added in the order of the scalar loops
 * (kernel rows, then kernel columns, starting from zero), so the sums are the same bits; the scalar loops
 * scatter-add into memory instead, about twice as slow on LeNet's convolutions at batch 256. Only loaded when
 * {@link VectorSupport#ENABLED}. Stateless; thread-safe.
 */
final class VectorFold {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private VectorFold() {
    }

    /** Whether {@link #plane} computes this window: unit strides and dilations, unit column stride. */
    static boolean fits(Window w, int colStride) {
        return colStride == 1 && w.strideH() == 1 && w.strideW() == 1 && w.dilationH() == 1 && w.dilationW() == 1;
    }

    /**
     * One plane: column rows {@code (i * kernelW + j)} at {@code base + r * rowStride}, each {@code outH x outW}
     * dense; the {@code inH x inW} result overwrites {@code dst} from {@code out}.
     */
    static void plane(float[] a, int base, int rowStride, Window w, float[] dst, int out) {
        int inH = w.inH();
        int inW = w.inW();
        int outH = w.outH();
        int outW = w.outW();
        int kh = w.kernelH();
        int kw = w.kernelW();
        int padH = w.padH();
        int padW = w.padW();
        for (int iw0 = 0; iw0 < inW; iw0 += L) {
            VectorMask<Float> lanes = S.indexInRange(iw0, inW);
            // kernel columns whose shifted row reaches into these lanes: window column shift = iw0 + padW - j
            // of lane 0 below outW, and shift + L above 0
            int j0 = Math.max(0, iw0 + padW - outW + 1);
            int j1 = Math.min(kw, iw0 + padW + L);
            for (int ih = 0; ih < inH; ih++) {
                FloatVector acc = FloatVector.zero(S);
                // kernel rows whose window row oh = ih + padH - i lies in [0, outH)
                int i0 = Math.max(0, ih + padH - outH + 1);
                int i1 = Math.min(kh, ih + padH + 1);
                for (int i = i0; i < i1; i++) {
                    int rowAt = base + i * kw * rowStride + (ih + padH - i) * outW;
                    for (int j = j0; j < j1; j++) {
                        int shift = iw0 + padW - j;
                        // lanes t with 0 <= shift + t < outW (all of them inside a row); masked-off lanes read 0
                        // lanes compared with their numbers: a mask from a negative start through
                        // indexInRange takes a slow path in the JDK
                        VectorMask<Float> m = VectorLanes.IOTA.compare(VectorOperators.GE, (float) -shift)
                                .and(VectorLanes.IOTA.compare(VectorOperators.LT, (float) (outW - shift)));
                        acc = acc.add(FloatVector.fromArray(S, a, rowAt + j * rowStride + shift, m));
                    }
                }
                acc.intoArray(dst, out + ih * inW + iw0, lanes);
            }
        }
    }
}
