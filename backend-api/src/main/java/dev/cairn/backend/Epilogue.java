package dev.cairn.backend;

/**
 * What a GEMM does to each output element before storing it: add {@code bias[col]} (when
 * {@code bias} is not null) then apply ReLU (when {@code relu}). This fuses {@code Linear} and a
 * following {@code ReLU} into one pass over the output.
 */
public record Epilogue(Storage bias, int biasOffset, boolean relu) {
    /** Store the product as it is. */
    public static final Epilogue NONE = new Epilogue(null, 0, false);

    public boolean isNone() {
        return bias == null && !relu;
    }
}
