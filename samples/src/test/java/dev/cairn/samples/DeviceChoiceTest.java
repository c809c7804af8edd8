package dev.cairn.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.backend.Availability;
import dev.cairn.tensor.Devices;
import dev.cairn.Device;
import dev.cairn.DeviceException;
import dev.cairn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** With both backends on the class path: auto picks CUDA only where it can run, and says why not. */
class DeviceChoiceTest {
    @Test
    void autoPicksCudaWhereUsableElseTheCpuWithTheReason() {
        Availability cuda = Devices.report().get(Device.Type.CUDA);
        assertTrue(!cuda.reason().isBlank(), "a reason is always given");
        if (cuda.usable() && Devices.isUsable(Device.cuda(0))) {
            assertEquals(Device.cuda(0), Devices.auto());
        } else {
            assertEquals(Device.cpu(), Devices.auto());
            DeviceException e = assertThrows(DeviceException.class, () -> Tensor.zeros(Device.cuda(0), 2));
            assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains(cuda.reason()), e.getMessage());
        }
    }
}
