package dev.cairn.testing;

import dev.cairn.Device;

/** The fake backend serving {@code cuda:0} in core's tests: no GPU, but memory that must be freed. */
public final class FakeCudaBackend extends FakeBackend {
    public FakeCudaBackend() {
        super(Device.Type.CUDA);
    }
}
