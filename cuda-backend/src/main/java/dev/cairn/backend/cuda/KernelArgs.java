package dev.cairn.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * The parameters of one kernel launch, in the order of the kernel's C signature: each value is
 * wrapped so that {@code cuLaunchKernel} gets an array of pointers to the values. The C types must
 * match exactly: {@link #i} for {@code int}, {@link #l} for {@code long long}, {@link #f} for
 * {@code float}, {@link #ptr} for a device pointer, {@link #ints} for a struct of ints passed by value.
 */
final class KernelArgs {
    private final List<NativePointerObject> params = new ArrayList<>();

    KernelArgs i(int v) {
        params.add(Pointer.to(new int[] {v}));
        return this;
    }

    KernelArgs l(long v) {
        params.add(Pointer.to(new long[] {v}));
        return this;
    }

    KernelArgs f(float v) {
        params.add(Pointer.to(new float[] {v}));
        return this;
    }

    KernelArgs ptr(NativePointerObject devicePointer) {
        params.add(Pointer.to(devicePointer));
        return this;
    }

    /** A struct of {@code v.length} ints passed by value (for example the packed {@link Layout}). */
    KernelArgs ints(int[] v) {
        params.add(Pointer.to(v.clone()));
        return this;
    }

    Pointer pointer() {
        return Pointer.to(params.toArray(new NativePointerObject[0]));
    }
}
