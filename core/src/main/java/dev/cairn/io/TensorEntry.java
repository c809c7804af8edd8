package dev.cairn.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor listed in a safetensors header: its key, dtype, shape and byte range
 * {@code [begin, end)} relative to the start of the data section.
 */
public record TensorEntry(String name, SafeTensorsDType dtype, int[] shape, long begin, long end) {

    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** The shape (a copy); empty for a 0-dim scalar. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements (1 for a scalar). A parsed header guarantees it fits an int. */
    public int numel() {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return Math.toIntExact(n);
    }

    /** {@code end - begin}. */
    public long byteLength() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorEntry e && name.equals(e.name) && dtype == e.dtype
                && Arrays.equals(shape, e.shape) && begin == e.begin && end == e.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return "'" + name + "' " + dtype + " " + Arrays.toString(shape) + " bytes [" + begin + ", " + end + ")";
    }
}
