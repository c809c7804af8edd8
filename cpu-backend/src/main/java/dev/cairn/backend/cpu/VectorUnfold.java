package dev.cairn.backend.cpu;

import dev.cairn.backend.Window;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loop of {@link WindowKernels}' im2col for narrow outputs (fewer than {@link #L} window columns)
 * of windows with stride 1 and dilation 1: each column-matrix row segment is one image row shifted by the kernel
 * column, read by one masked load (zeros where the window lies over padding) and written by one masked store,
 * instead of a table lookup per element. Copies only, so the values are those of the scalar loops. Only loaded
 * when {@link VectorSupport#ENABLED}. Stateless; thread-safe.
 */
final class VectorUnfold {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private VectorUnfold() {
    }

    /** Whether {@link #plane} computes this window: unit strides and dilations, rows of at most L windows, unit column stride. */
    static boolean fits(Window w, int colStride) {
        return colStride == 1 && w.outW() <= L && w.strideH() == 1 && w.strideW() == 1 && w.dilationH() == 1
                && w.dilationW() == 1;
    }

    /**
     * One plane: the image plane at {@code base} with row stride {@code sh} (unit column stride) unfolded into
     * {@code kernelH * kernelW} dense rows of {@code outH * outW} from {@code out}.
     */
    static void plane(float[] a, int base, int sh, Window w, float[] dst, int out) {
        int inH = w.inH();
        int inW = w.inW();
        int outH = w.outH();
        int outW = w.outW();
        VectorMask<Float> row = S.indexInRange(0, outW);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < w.kernelH(); i++) {
            for (int j = 0; j < w.kernelW(); j++) {
                int col0 = j - w.padW(); // the image column of window column 0
                // window columns t with 0 <= col0 + t < inW, and t < outW
                VectorMask<Float> inside = VectorLanes.IOTA.compare(VectorOperators.GE, (float) -col0)
                        .and(VectorLanes.IOTA.compare(VectorOperators.LT, (float) Math.min(outW, inW - col0)));
                for (int oh = 0; oh < outH; oh++, out += outW) {
                    int ih = oh - w.padH() + i;
                    if (ih < 0 || ih >= inH) {
                        zero.intoArray(dst, out, row);
                    } else {
                        FloatVector.fromArray(S, a, base + ih * sh + col0, inside).intoArray(dst, out, row);
                    }
                }
            }
        }
    }
}
