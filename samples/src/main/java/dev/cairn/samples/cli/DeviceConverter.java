package dev.cairn.samples.cli;

import dev.cairn.tensor.Device;
import dev.cairn.tensor.DeviceException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Turns a {@code --device} value into a device; a name that is not a device is a usage error. */
public final class DeviceConverter implements ITypeConverter<Device> {
    @Override
    public Device convert(String value) {
        try {
            return Device.parse(value);
        } catch (DeviceException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
