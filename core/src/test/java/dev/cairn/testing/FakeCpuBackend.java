package dev.cairn.testing;

import dev.cairn.Device;

/** The fake backend serving {@code cpu} in core's tests. */
public final class FakeCpuBackend extends FakeBackend {
    public FakeCpuBackend() {
        super(Device.Type.CPU);
    }
}
