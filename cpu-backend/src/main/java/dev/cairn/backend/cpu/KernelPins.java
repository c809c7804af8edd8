package dev.cairn.backend.cpu;

import dev.cairn.backend.Storage;
import java.util.Arrays;

/**
 * What one CPU kernel holds while it runs: the pooled float storages among those it reads and writes
 * are {@linkplain CpuStorage#pin pinned}, so that a tensor closed on another thread meanwhile keeps its
 * array out of the pool until the kernel is done, and the written float storage counts a write
 * ({@link CpuStorage#touch}) when the kernel ends, so that a weight transpose cached from it is rebuilt. Storages that are null, integer or too small for the pool are skipped (their memory is never
 * handed to another tensor).
 *
 * <p>The first four pinned storages live in fields rather than an array, and the factories for up to
 * three read storages take no varargs array, so that for the usual kernel the JIT can keep the whole
 * object in registers: a batch-1 model runs dozens of kernels per call, each of which used to allocate
 * an array and a record here. One instance serves one kernel on one thread (not thread-safe).
 */
final class KernelPins implements AutoCloseable {
    private final CpuStorage written;
    private CpuStorage p0;
    private CpuStorage p1;
    private CpuStorage p2;
    private CpuStorage p3;
    private CpuStorage[] more;
    private int count;

    private KernelPins(Storage written) {
        this.written = written instanceof CpuStorage w ? w : null;
    }

    /** Pins for a kernel that writes {@code written} (may be null) and reads nothing else. */
    static KernelPins of(Storage written) {
        KernelPins p = new KernelPins(written);
        p.start();
        return p;
    }

    /** Pins for a kernel that writes {@code written} (may be null) and reads {@code r0}. */
    static KernelPins of(Storage written, Storage r0) {
        KernelPins p = new KernelPins(written);
        p.hold(r0);
        p.start();
        return p;
    }

    /** Pins for a kernel that writes {@code written} (may be null) and reads {@code r0} and {@code r1}. */
    static KernelPins of(Storage written, Storage r0, Storage r1) {
        KernelPins p = new KernelPins(written);
        p.hold(r0);
        p.hold(r1);
        p.start();
        return p;
    }

    /** Pins for a kernel that writes {@code written} (may be null) and reads {@code r0}, {@code r1} and {@code r2}. */
    static KernelPins of(Storage written, Storage r0, Storage r1, Storage r2) {
        KernelPins p = new KernelPins(written);
        p.hold(r0);
        p.hold(r1);
        p.hold(r2);
        p.start();
        return p;
    }

    /** Pins for a kernel that writes {@code written} (may be null) and reads (or also writes) {@code reads}. */
    static KernelPins of(Storage written, Storage... reads) {
        KernelPins p = new KernelPins(written);
        for (Storage s : reads) {
            p.hold(s);
        }
        p.start();
        return p;
    }

    /** Pins {@code s} if it is pooled; on failure (a closed storage) releases what is held and rethrows. */
    private void hold(Storage s) {
        if (!(s instanceof CpuStorage c) || !c.pooled) {
            return;
        }
        try {
            c.pin();
        } catch (RuntimeException e) {
            release();
            throw e;
        }
        switch (count) {
            case 0 -> p0 = c;
            case 1 -> p1 = c;
            case 2 -> p2 = c;
            case 3 -> p3 = c;
            default -> {
                if (more == null) {
                    more = new CpuStorage[4];
                } else if (count - 4 == more.length) {
                    more = Arrays.copyOf(more, more.length * 2);
                }
                more[count - 4] = c;
            }
        }
        count++;
    }

    /** Pins the written storage last. */
    private void start() {
        if (written != null) {
            hold(written);
        }
    }

    private CpuStorage at(int i) {
        return switch (i) {
            case 0 -> p0;
            case 1 -> p1;
            case 2 -> p2;
            case 3 -> p3;
            default -> more[i - 4];
        };
    }

    private void release() {
        for (int i = count - 1; i >= 0; i--) {
            at(i).unpin();
        }
        count = 0;
    }

    /** Counts the write (after its stores, see {@link CpuStorage#touch}) and unpins in reverse order. */
    @Override
    public void close() {
        if (written != null) {
            written.touch();
        }
        release();
    }
}
