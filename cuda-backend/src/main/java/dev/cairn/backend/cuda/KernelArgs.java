package dev.cairn.backend.cuda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * The parameters of one kernel launch, in the order of the kernel's C signature. The C types must
 * match exactly: {@link #i} for {@code int}, {@link #l} for {@code long long}, {@link #f} for
 * {@code float}, {@link #ptr} for a device pointer, {@link #ints} for a struct of ints passed by value.
 * The values are kept as typed Java values ({@link #values()}); {@link #pointer()} turns them into
 * the array of pointers that {@code cuLaunchKernel} takes, and the host emulation of the tests
 * checks each against the kernel's C signature. Not thread-safe; one launch's arguments.
 */
final class KernelArgs {
    /** A device pointer argument: the launcher's handle ({@link KernelLauncher#pointer}). */
    record DevicePointer(Object handle) {
    }

    private final List<Object> values = new ArrayList<>();

    KernelArgs i(int v) {
        values.add(v);
        return this;
    }

    KernelArgs l(long v) {
        values.add(v);
        return this;
    }

    KernelArgs f(float v) {
        values.add(v);
        return this;
    }

    KernelArgs ptr(Object devicePointer) {
        values.add(new DevicePointer(devicePointer));
        return this;
    }

    /** A struct of {@code v.length} ints passed by value (for example the packed {@link Layout}). */
    KernelArgs ints(int[] v) {
        values.add(v.clone());
        return this;
    }

    /** The arguments in order: Integer, Long, Float, int[] (a struct) or {@link DevicePointer}. */
    List<Object> values() {
        return Collections.unmodifiableList(values);
    }

    /** The kernelParams array of {@code cuLaunchKernel}; device pointers must be JCuda pointer objects. */
    Pointer pointer() {
        NativePointerObject[] params = new NativePointerObject[values.size()];
        for (int k = 0; k < params.length; k++) {
            Object v = values.get(k);
            params[k] = switch (v) {
                case Integer x -> Pointer.to(new int[] {x});
                case Long x -> Pointer.to(new long[] {x});
                case Float x -> Pointer.to(new float[] {x});
                case int[] x -> Pointer.to(x);
                case DevicePointer p -> Pointer.to((NativePointerObject) p.handle());
                default -> throw new IllegalStateException("kernel argument of type " + v.getClass());
            };
        }
        return Pointer.to(params);
    }
}
