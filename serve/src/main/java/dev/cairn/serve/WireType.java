package dev.cairn.serve;

import java.util.Locale;

/**
 * The Open Inference Protocol tensor datatypes the server accepts, with their binary element sizes
 * (the binary tensor data extension: little-endian, row-major, BOOL one byte).
 */
enum WireType {
    FP32(4), INT64(8), INT32(4), BOOL(1);

    final int byteSize;

    WireType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** The datatype named {@code name}; a 400 listing the supported ones otherwise. */
    static WireType parse(String name, String tensor) {
        if (name == null) {
            throw HttpError.badRequest("input '" + tensor + "' has no \"datatype\" (one of FP32, INT64, INT32, BOOL)");
        }
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            String upper = name.toUpperCase(Locale.ROOT);
            String known = "UINT8 UINT16 UINT32 UINT64 INT8 INT16 FP16 FP64 BF16 BYTES";
            throw HttpError.badRequest("input '" + tensor + "': datatype '" + name + "' is not supported"
                    + (known.contains(upper) ? "" : " (not an Open Inference Protocol datatype)")
                    + "; send FP32, INT64, INT32 or BOOL");
        }
    }
}
