package dev.cairn.backend.cuda;

import dev.cairn.DeviceException;
import java.util.Locale;

/**
 * A device allocation failed even after the allocator emptied its cache, ran the garbage collector
 * once (so that unreachable tensors give their memory back) and retried. The backend stays usable:
 * closing tensors and trying again can succeed.
 */
public class DeviceOutOfMemoryException extends DeviceException {
    private static final long serialVersionUID = 1L;
    private final long requestedBytes;
    private final long freeBytes;
    private final long totalBytes;
    private final long inUseBytes;

    public DeviceOutOfMemoryException(String device, long requestedBytes, long freeBytes, long totalBytes,
                                      long inUseBytes) {
        super(String.format(Locale.ROOT,
                "%s out of memory: tried to allocate %s (%d bytes); %s (%d bytes) free of %s total; "
                        + "%s held by live Cairn tensors (the allocator's cache was emptied and the "
                        + "allocation retried after a GC). Close tensors you no longer need, or use "
                        + "smaller batches.",
                device, human(requestedBytes), requestedBytes, human(freeBytes), freeBytes, human(totalBytes),
                human(inUseBytes)));
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
        this.totalBytes = totalBytes;
        this.inUseBytes = inUseBytes;
    }

    /** The size of the failed allocation (after rounding to the allocator's bucket). */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** Bytes the device reported free when the allocation failed. */
    public long freeBytes() {
        return freeBytes;
    }

    /** Total bytes of the device. */
    public long totalBytes() {
        return totalBytes;
    }

    /** Bytes held by live (not closed) storages of this allocator. */
    public long inUseBytes() {
        return inUseBytes;
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
