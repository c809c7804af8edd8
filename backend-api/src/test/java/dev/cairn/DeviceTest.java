package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Device names as torch.device spells them: cpu, cuda, cuda:N. */
class DeviceTest {

    @Test
    void parsesCudaWithAnIndex() {
        assertEquals(Device.cuda(0), Device.parse("cuda:0"));
        assertEquals(Device.cuda(3), Device.parse("cuda:3"));
        assertEquals(3, Device.parse("cuda:3").index());
        assertEquals(Device.Type.CUDA, Device.parse("cuda:3").type());
        assertEquals(Device.cuda(12), Device.parse(" CUDA:12 "), "trimmed, case-insensitive");
        assertEquals(Device.cuda(0), Device.parse("cuda"), "cuda alone is GPU 0");
        assertEquals(Device.cpu(), Device.parse("cpu"));
        assertNotEquals(Device.parse("cuda:1"), Device.parse("cuda:2"));
    }

    @Test
    void printsAsPyTorchAndParsesItsOwnOutput() {
        for (Device d : new Device[] {Device.cpu(), Device.cuda(0), Device.cuda(7)}) {
            assertEquals(d, Device.parse(d.toString()));
            assertEquals(d.hashCode(), Device.parse(d.toString()).hashCode());
        }
        assertEquals("cuda:7", Device.cuda(7).toString());
        assertEquals("cpu", Device.cpu().toString());
        assertTrue(Device.cuda(1).isCuda() && !Device.cuda(1).isCpu() && Device.cpu().isCpu());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuda:", "cuda:x", "cuda:1.5", "cuda:0:1", "cuda 1", "gpu", "tpu:0", "cuda:99999999999", ""})
    void rejectsWhatIsNotADeviceNamingIt(String name) {
        DeviceException e = assertThrows(DeviceException.class, () -> Device.parse(name));
        assertEquals("unknown device '" + name + "' (expected cpu, cuda, cuda:N or auto)", e.getMessage());
    }

    @Test
    void rejectsANegativeIndex() {
        DeviceException e = assertThrows(DeviceException.class, () -> Device.parse("cuda:-1"));
        assertEquals("CUDA device index must be >= 0, got -1", e.getMessage());
        assertThrows(DeviceException.class, () -> Device.cuda(-2));
        assertThrows(NullPointerException.class, () -> Device.parse(null));
    }

    @Test
    void autoIsAChoiceThatDeviceLeavesToDevices() {
        DeviceException e = assertThrows(DeviceException.class, () -> Device.parse("auto"));
        assertTrue(e.getMessage().contains("Devices.parse(\"auto\")"), e.getMessage());
    }
}
