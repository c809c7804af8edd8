package dev.cairn.io;

import java.nio.ByteBuffer;

/**
 * The element types a safetensors header may name, with their sizes in bits. Every one is accepted
 * in a header (so that a file's layout can be validated and listed), but only {@link #F32},
 * {@link #F16}, {@link #BF16} and {@link #F64} (converted to float32) and {@link #I64}, {@link #I32}
 * and {@link #BOOL} (kept as integers) can be decoded.
 */
public enum SafeTensorsDType {
    BOOL(8), U8(8), I8(8), F8_E5M2(8), F8_E4M3(8), F8_E8M0(8), I16(16), U16(16), F16(16), BF16(16),
    I32(32), U32(32), F32(32), I64(64), U64(64), F64(64), C64(64), F4(4), F6_E2M3(6), F6_E3M2(6);

    private final int bits;

    SafeTensorsDType(int bits) {
        this.bits = bits;
    }

    /** Size of one element in bits. */
    public int bits() {
        return bits;
    }

    /** Whether Cairn can decode this dtype (into float32). */
    public boolean readable() {
        return this == F32 || this == F16 || this == BF16 || this == F64 || this == I64 || this == I32 || this == BOOL;
    }

    /** Whether values decode to float32 (the others, I64, I32 and BOOL, keep their integer type). */
    public boolean floating() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** The dtype spelled {@code name} in a header (case-sensitive, as in the format), or null if unknown. */
    public static SafeTensorsDType fromName(String name) {
        for (SafeTensorsDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Decodes {@code count} elements from {@code src} (little-endian, from its position, which
     * advances) into {@code dst[offset..]}.
     */
    /** Decodes {@code count} I64, I32 or BOOL values into {@code dst} (a long[], int[] or boolean[]). */
    void decodeIntegral(ByteBuffer src, Object dst, int offset, int count) {
        switch (this) {
            case I64 -> {
                long[] d = (long[]) dst;
                for (int i = 0; i < count; i++) {
                    d[offset + i] = src.getLong();
                }
            }
            case I32 -> {
                int[] d = (int[]) dst;
                for (int i = 0; i < count; i++) {
                    d[offset + i] = src.getInt();
                }
            }
            case BOOL -> {
                boolean[] d = (boolean[]) dst;
                for (int i = 0; i < count; i++) {
                    d[offset + i] = src.get() != 0;
                }
            }
            default -> throw new IllegalStateException("not an integer dtype: " + this);
        }
    }

    /** Encodes {@code count} values of the long[], int[] or boolean[] {@code src} as this dtype. */
    void encodeIntegral(Object src, int offset, int count, ByteBuffer dst) {
        switch (this) {
            case I64 -> {
                long[] s = (long[]) src;
                for (int i = 0; i < count; i++) {
                    dst.putLong(s[offset + i]);
                }
            }
            case I32 -> {
                int[] s = (int[]) src;
                for (int i = 0; i < count; i++) {
                    dst.putInt(s[offset + i]);
                }
            }
            case BOOL -> {
                boolean[] s = (boolean[]) src;
                for (int i = 0; i < count; i++) {
                    dst.put((byte) (s[offset + i] ? 1 : 0));
                }
            }
            default -> throw new IllegalStateException("not an integer dtype: " + this);
        }
    }

    void decode(ByteBuffer src, float[] dst, int offset, int count) {
        switch (this) {
            case F32 -> {
                src.asFloatBuffer().get(dst, offset, count);
                src.position(src.position() + count * 4);
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = Float.float16ToFloat(src.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = Float.intBitsToFloat((src.getShort() & 0xFFFF) << 16);
                }
            }
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = (float) src.getDouble();
                }
            }
            case I64 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = src.getLong();
                }
            }
            case I32 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = src.getInt();
                }
            }
            case BOOL -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = src.get() != 0 ? 1f : 0f;
                }
            }
            default -> throw new IllegalStateException("cannot decode " + this);
        }
    }
}
