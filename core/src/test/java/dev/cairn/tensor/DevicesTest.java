package dev.cairn.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.Device;
import dev.cairn.DeviceException;
import dev.cairn.backend.Availability;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Discovery of the real backends on the class path, the automatic choice and the device-wide operations. */
class DevicesTest {

    @Test
    void findsBothBackendsAndSaysWhetherEachCanRun() {
        Map<Device.Type, Availability> report = Devices.report();
        assertEquals(Device.Type.values().length, report.size());
        assertTrue(report.get(Device.Type.CPU).usable(), report.get(Device.Type.CPU).reason());
        Availability cuda = report.get(Device.Type.CUDA);
        assertFalse(cuda.reason().isBlank());
        assertFalse(cuda.reason().startsWith("no cuda backend on the class path"), cuda.reason());
        assertEquals(cuda.usable(), Devices.isUsable(Device.cuda(0)));
        assertTrue(Devices.available().stream().anyMatch(d -> d.device().equals(Device.cpu())));
    }

    @Test
    void autoPicksCudaOnlyWhereItRuns() {
        Device auto = Devices.auto();
        assertEquals(Devices.isUsable(Device.cuda(0)) ? Device.cuda(0) : Device.cpu(), auto);
        assertEquals(auto, Devices.parse(" AUTO "));
        assertEquals(Device.cuda(2), Devices.parse("cuda:2"), "concrete names parse as Device.parse does");
        assertTrue(Devices.autoReason().startsWith(auto.isCuda() ? "CUDA is usable" : "CUDA is not usable"),
                Devices.autoReason());
    }

    @Test
    void aDeviceThatCannotRunSaysWhy() {
        Device missing = Device.cuda(Devices.isUsable(Device.cuda(0)) ? 4096 : 0);
        DeviceException e = assertThrows(DeviceException.class, () -> Devices.check(missing));
        assertTrue(e.getMessage().startsWith("device " + missing), e.getMessage());
        DeviceException onTensor = assertThrows(DeviceException.class,
                () -> Tensor.zeros(missing, 2));
        assertTrue(onTensor.getMessage().contains(missing.toString()), onTensor.getMessage());
    }

    @Test
    void deviceWideOperationsWorkOnTheCpu() {
        Devices.check(Device.cpu());
        Devices.synchronize(Device.cpu());
        assertEquals(-1, Devices.memoryInUseBytes(Device.cpu()), "the CPU's memory is the Java heap");
    }
}
