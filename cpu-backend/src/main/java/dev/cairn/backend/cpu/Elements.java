package dev.cairn.backend.cpu;

import dev.cairn.backend.Storage;

/**
 * Element access to a CPU storage of any dtype, by flat index, as a double (floats, and integers below
 * 2^53) or a long (integers and bools exactly): the shared vocabulary of the non-hot kernels in
 * {@link TypedKernels}. Float32 hot paths use the arrays directly instead.
 */
abstract class Elements {
    abstract double get(int i);

    abstract long getLong(int i);

    abstract void set(int i, double v);

    abstract void setLong(int i, long v);

    /** Whether values are integers (or bools), so kernels should move them as longs. */
    abstract boolean integral();

    static Elements of(Storage s) {
        if (s instanceof CpuStorage f) {
            return new Floats(f.data);
        }
        Object d = ((CpuTypedStorage) s).data;
        if (d instanceof long[] l) {
            return new Longs(l);
        }
        if (d instanceof int[] in) {
            return new Ints(in);
        }
        return new Bools((boolean[]) d);
    }

    private static final class Floats extends Elements {
        private final float[] a;

        Floats(float[] a) {
            this.a = a;
        }

        double get(int i) {
            return a[i];
        }

        long getLong(int i) {
            return (long) a[i]; // truncation toward zero, as PyTorch's float -> int cast
        }

        void set(int i, double v) {
            a[i] = (float) v;
        }

        void setLong(int i, long v) {
            a[i] = (float) v;
        }

        boolean integral() {
            return false;
        }
    }

    private static final class Longs extends Elements {
        private final long[] a;

        Longs(long[] a) {
            this.a = a;
        }

        double get(int i) {
            return a[i];
        }

        long getLong(int i) {
            return a[i];
        }

        void set(int i, double v) {
            a[i] = (long) v;
        }

        void setLong(int i, long v) {
            a[i] = v;
        }

        boolean integral() {
            return true;
        }
    }

    private static final class Ints extends Elements {
        private final int[] a;

        Ints(int[] a) {
            this.a = a;
        }

        double get(int i) {
            return a[i];
        }

        long getLong(int i) {
            return a[i];
        }

        void set(int i, double v) {
            a[i] = (int) (long) v;
        }

        void setLong(int i, long v) {
            a[i] = (int) v; // wraps like PyTorch's int32 arithmetic
        }

        boolean integral() {
            return true;
        }
    }

    private static final class Bools extends Elements {
        private final boolean[] a;

        Bools(boolean[] a) {
            this.a = a;
        }

        double get(int i) {
            return a[i] ? 1 : 0;
        }

        long getLong(int i) {
            return a[i] ? 1 : 0;
        }

        void set(int i, double v) {
            a[i] = v != 0; // NaN != 0 is true, as PyTorch's bool(nan)
        }

        void setLong(int i, long v) {
            a[i] = v != 0;
        }

        boolean integral() {
            return true;
        }
    }
}
