package dev.cairn.tensor;

/** Element type of a tensor. Cairn computes in float32 today; the enum leaves room for more types. */
public enum DType {
    /** IEEE 754 single precision, 4 bytes, PyTorch's {@code torch.float32}. */
    FLOAT32(4, "float32");

    private final int byteSize;
    private final String pytorchName;

    DType(int byteSize, String pytorchName) {
        this.byteSize = byteSize;
        this.pytorchName = pytorchName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    @Override
    public String toString() {
        return pytorchName;
    }
}
