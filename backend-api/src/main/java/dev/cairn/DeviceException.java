package dev.cairn;

/** A device is unknown, cannot run here, or two tensors of one operation live on different devices. */
public class DeviceException extends CairnException {
    private static final long serialVersionUID = 1L;

    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
