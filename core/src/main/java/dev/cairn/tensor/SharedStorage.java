package dev.cairn.tensor;

import dev.cairn.backend.Storage;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A storage shared by a tensor and its views: each holder retains it once and releases it once;
 * the last release closes the storage. Storages on the Java heap are not counted.
 */
final class SharedStorage {
    private final Storage storage;
    private static final AtomicIntegerFieldUpdater<SharedStorage> HOLDERS =
            AtomicIntegerFieldUpdater.newUpdater(SharedStorage.class, "holders");
    private volatile int holders;
    /** Counts in-place writes ({@code copyFrom}) so autograd can tell a saved input was changed after use. */
    private volatile int version;

    SharedStorage(Storage storage) {
        this.storage = storage;
    }

    Storage storage() {
        return storage;
    }

    int version() {
        return version;
    }

    /** Records an in-place write. Writers to one tensor are expected to be serialized by the caller. */
    void bumpVersion() {
        version++;
    }

    void retain() {
        HOLDERS.incrementAndGet(this);
    }

    void release() {
        if (HOLDERS.decrementAndGet(this) == 0) {
            storage.close();
        }
    }

    /** The cleaner's and close()'s shared action: releases this holder's claim exactly once. */
    static final class Claim implements Runnable {
        private static final AtomicIntegerFieldUpdater<Claim> DONE = AtomicIntegerFieldUpdater.newUpdater(Claim.class, "done");
        private final SharedStorage shared;
        private volatile int done;

        Claim(SharedStorage shared) {
            this.shared = shared;
            shared.retain();
        }

        @Override
        public void run() {
            if (DONE.compareAndSet(this, 0, 1)) {
                shared.release();
            }
        }
    }
}
