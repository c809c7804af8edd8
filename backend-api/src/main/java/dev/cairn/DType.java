package dev.cairn;

/**
 * Element type of a tensor, with PyTorch's names and promotion rules ({@code torch.result_type}):
 * any float operand makes the result float32; otherwise int64 wins over int32, and int32 over bool.
 * Gradients exist only for float tensors. float16 and bfloat16 are storage formats in files only
 * (converted to float32 on load).
 */
public enum DType {
    /** IEEE 754 single precision, 4 bytes, PyTorch's {@code torch.float32}. */
    FLOAT32(4, "float32", true),
    /** 64-bit signed integer, PyTorch's {@code torch.int64} (token ids, class labels, indices). */
    INT64(8, "int64", false),
    /** 32-bit signed integer, PyTorch's {@code torch.int32}. */
    INT32(4, "int32", false),
    /** true/false, one byte, PyTorch's {@code torch.bool} (masks, comparison results). */
    BOOL(1, "bool", false);

    private final int byteSize;
    private final String pytorchName;
    private final boolean floatingPoint;

    DType(int byteSize, String pytorchName, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.pytorchName = pytorchName;
        this.floatingPoint = floatingPoint;
    }

    public int byteSize() {
        return byteSize;
    }

    /** Whether values are floating point (and so may require gradients). */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The dtype of an arithmetic result of {@code a} and {@code b}, as {@code torch.promote_types}. */
    public static DType promote(DType a, DType b) {
        if (a == b) {
            return a;
        }
        if (a == FLOAT32 || b == FLOAT32) {
            return FLOAT32;
        }
        if (a == INT64 || b == INT64) {
            return INT64;
        }
        return INT32; // int32 with bool
    }

    /** PyTorch's name, e.g. {@code torch.int64}. */
    public String torchName() {
        return "torch." + pytorchName;
    }

    @Override
    public String toString() {
        return pytorchName;
    }
}
