package dev.cairn.backend;

/**
 * The geometry of a 2-D sliding window over {@code [N, C, inH, inW]} images, shared by the im2col
 * ({@link Backend#unfold}), col2im ({@link Backend#fold}) and max-pooling kernels: a
 * {@code kernelH x kernelW} window with strides, dilations and the zero (or, for pooling, ignored)
 * padding {@code padH}/{@code padW} before the first row and column. The output has {@code outH x outW}
 * window positions; window {@code (oh, ow)} reads input row {@code oh*strideH - padH + i*dilationH} and
 * column {@code ow*strideW - padW + j*dilationW} for kernel offset {@code (i, j)}, and positions outside
 * the input are padding, so {@code outH}/{@code outW} may reach past the bottom and right edges (for
 * PyTorch's {@code ceil_mode} and asymmetric {@code padding="same"}). Core checks every field before a
 * kernel sees it; an immutable value, thread-safe.
 */
public record Window(int channels, int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                     int padH, int padW, int dilationH, int dilationW, int outH, int outW) {

    /** Rows of an im2col matrix per image: {@code channels * kernelH * kernelW}. */
    public int columnRows() {
        return channels * kernelH * kernelW;
    }

    /** Window positions per image (columns of an im2col matrix): {@code outH * outW}. */
    public int positions() {
        return outH * outW;
    }
}
