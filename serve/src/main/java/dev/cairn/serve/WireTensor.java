package dev.cairn.serve;

import dev.cairn.tensor.Tensor;
import java.util.Arrays;

/**
 * One input tensor as a request sent it: its name, datatype, shape and elements in a primitive array
 * of the wire type ({@code float[]}, {@code long[]}, {@code int[]}, or {@code boolean[]} for BOOL).
 * {@link #toFloat32} makes the tensor a float32 model takes.
 */
record WireTensor(String name, WireType type, int[] shape, Object data) {
    /** Largest magnitude below which every integer is exactly a float32. */
    private static final long FLOAT_EXACT = 1L << 24;

    /**
     * The elements as a float32 tensor of {@code shape}: FP32 as is, BOOL as 0/1, integers when float32
     * holds them exactly (|v| <= 2^24), else a 400 naming the element.
     */
    Tensor toFloat32(String model) {
        float[] out;
        switch (type) {
            case FP32 -> out = (float[]) data;
            case BOOL -> {
                boolean[] b = (boolean[]) data;
                out = new float[b.length];
                for (int i = 0; i < b.length; i++) {
                    out[i] = b[i] ? 1f : 0f;
                }
            }
            case INT64 -> {
                long[] v = (long[]) data;
                out = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    if (Math.abs(v[i]) > FLOAT_EXACT) {
                        throw inexact(model, i, Long.toString(v[i]));
                    }
                    out[i] = v[i];
                }
            }
            case INT32 -> {
                int[] v = (int[]) data;
                out = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    if (Math.abs((long) v[i]) > FLOAT_EXACT) {
                        throw inexact(model, i, Integer.toString(v[i]));
                    }
                    out[i] = v[i];
                }
            }
            default -> throw new IllegalStateException(type.toString());
        }
        return Tensor.of(out, shape);
    }

    private HttpError inexact(String model, int index, String value) {
        return HttpError.badRequest("input '" + name + "': " + type + " element " + index + " = " + value
                + " cannot be converted exactly to FP32, which model '" + model + "' takes (integers up to 2^24 can); "
                + "send FP32 data");
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
