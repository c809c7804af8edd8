package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.backend.Availability;
import dev.cairn.backend.Backend;
import dev.cairn.backend.DeviceInfo;
import dev.cairn.Device;
import dev.cairn.DeviceException;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Availability is cheap, cached, never throws and says why; runs on every machine. */
class AvailabilityTest {

    @Test
    void availabilityNeverThrowsAndGivesAReason() {
        CudaBackend b = new CudaBackend();
        Availability a = assertDoesNotThrow(b::availability);
        assertNotNull(a.reason());
        assertFalse(a.reason().isBlank());
        assertSame(a, b.availability(), "probed once, then cached");
        System.out.println("CUDA availability here: usable=" + a.usable() + ", " + a.reason());
        if (a.usable()) {
            assertFalse(b.devices().isEmpty());
            for (DeviceInfo d : b.devices()) {
                assertEquals(Device.Type.CUDA, d.device().type());
                assertTrue(d.totalMemoryBytes() > 0);
                assertFalse(d.name().isBlank());
                assertTrue(d.details().contains("GEMM: "), d.details());
                System.out.println("  " + d);
            }
            assertTrue(a.reason().contains("GEMM: "), a.reason());
        } else {
            assertTrue(b.devices().isEmpty());
            assertTrue(a.reason().startsWith("no ") || a.reason().contains("failed"), a.reason());
            // Using the device is an error that carries the reason.
            DeviceException e = assertThrows(DeviceException.class, () -> b.allocate(0, 4));
            assertTrue(e.getMessage().contains(a.reason()), e.getMessage());
        }
    }

    @Test
    void registeredAsAService() {
        boolean found = false;
        for (Backend b : ServiceLoader.load(Backend.class)) {
            if (b instanceof CudaBackend) {
                found = true;
                assertEquals(Device.Type.CUDA, b.type());
            }
        }
        assertTrue(found, "META-INF/services/dev.cairn.backend.Backend lists CudaBackend");
    }

    @Test
    void gemmPathIsReported() {
        Availability a = Gpu.availability();
        if (a.usable()) {
            GemmPath p = Gpu.BACKEND.gemmPath(0);
            assertTrue(a.reason().contains(p == GemmPath.CUBLAS ? "cuBLAS" : "tiled GEMM"), a.reason());
        }
    }
}
