package dev.cairn.backend.cuda;

import dev.cairn.backend.Availability;
import org.junit.jupiter.api.Assumptions;

/** The backend under test and the assumption that skips GPU tests, visibly, where CUDA cannot run. */
final class Gpu {
    static final CudaBackend BACKEND = new CudaBackend();

    private Gpu() {
    }

    static Availability availability() {
        return BACKEND.availability();
    }

    /** Skips the calling test with the backend's reason when no usable CUDA GPU is present. */
    static void assume() {
        Availability a = availability();
        Assumptions.assumeTrue(a.usable(), () -> "no CUDA GPU: " + a.reason());
    }
}
