package dev.cairn.backend;

import dev.cairn.Device;

/** A usable device as a backend reports it: name, memory in bytes, and free-form details (e.g. the GEMM path). */
public record DeviceInfo(Device device, String name, long totalMemoryBytes, String details) {
}
