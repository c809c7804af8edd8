// Sliding-window kernels over [N, C, H, W] images: im2col (unfold), its adjoint col2im (fold), and
// max pooling with its gradient. One thread per output element, grid-stride loops. fold and the
// max-pool gradient gather (each output element sums what lands on it, in the order the CPU backend
// adds it) instead of scattering with atomics, so results are deterministic and equal the CPU's.
// The geometry is dev.cairn.backend.Window plus the batch size, packed by CudaKernels.window.
#include "cairn_common.cuh"

struct WindowGeom {
    int n, c, inH, inW, kh, kw, sh, sw, ph, pw, dh, dw, outH, outW;
};

// Strides of a 4-D (or, for fold's input, 3-D) operand, in elements.
struct Strides4 {
    int s[4];
};

// ceil(a / b) for b > 0 and any sign of a.
__device__ __forceinline__ int ceil_div(int a, int b) {
    return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

extern "C" {

// dst dense [N, C*kh*kw, outH*outW]; src [N, C, inH, inW] with strides S; 0 where a window covers padding.
__global__ void cairn_unfold(const float* __restrict__ src, long long sOff, Strides4 S, WindowGeom g,
                             float* __restrict__ dst, long long dOff, int total) {
    for (unsigned int e = blockIdx.x * blockDim.x + threadIdx.x; e < (unsigned int) total; e += blockDim.x * gridDim.x) {
        unsigned int t = e;
        int ow = t % g.outW; t /= g.outW;
        int oh = t % g.outH; t /= g.outH;
        int j = t % g.kw; t /= g.kw;
        int i = t % g.kh; t /= g.kh;
        int ch = t % g.c;
        int img = t / g.c;
        int ih = oh * g.sh - g.ph + i * g.dh;
        int iw = ow * g.sw - g.pw + j * g.dw;
        float v = 0.0f;
        if (ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW) {
            v = src[sOff + (long long) img * S.s[0] + (long long) ch * S.s[1] + (long long) ih * S.s[2]
                    + (long long) iw * S.s[3]];
        }
        dst[dOff + e] = v;
    }
}

// dst dense [N, C, inH, inW] = col2im of src [N, C*kh*kw, outH*outW] (strides S.s[0..2], 0 allowed):
// each element sums the column entries unfold would have read from it, kernel offsets in (i, j) order.
__global__ void cairn_fold(const float* __restrict__ src, long long sOff, Strides4 S, WindowGeom g,
                           float* __restrict__ dst, long long dOff, int total) {
    for (unsigned int e = blockIdx.x * blockDim.x + threadIdx.x; e < (unsigned int) total; e += blockDim.x * gridDim.x) {
        unsigned int t = e;
        int w = t % g.inW; t /= g.inW;
        int h = t % g.inH; t /= g.inH;
        int ch = t % g.c;
        int img = t / g.c;
        long long base = sOff + (long long) img * S.s[0] + (long long) ch * g.kh * g.kw * S.s[1];
        float acc = 0.0f;
        for (int i = 0; i < g.kh; ++i) {
            int y = h + g.ph - i * g.dh;
            if (y < 0 || y % g.sh != 0 || y / g.sh >= g.outH) continue;
            int oh = y / g.sh;
            for (int j = 0; j < g.kw; ++j) {
                int x = w + g.pw - j * g.dw;
                if (x < 0 || x % g.sw != 0 || x / g.sw >= g.outW) continue;
                int ow = x / g.sw;
                acc += src[base + (long long) (i * g.kw + j) * S.s[1] + (long long) (oh * g.outW + ow) * S.s[2]];
            }
        }
        dst[dOff + e] = acc;
    }
}

// dst, idx dense [N, C, outH, outW]: the window's maximum (first one; a NaN always takes over, as
// PyTorch's CPU kernel) and its flat position ih*inW + iw in the input plane, as a float.
__global__ void cairn_max_pool2d(const float* __restrict__ src, long long sOff, Strides4 S, WindowGeom g,
                                 float* __restrict__ dst, float* __restrict__ idx, long long dOff, int total) {
    for (unsigned int e = blockIdx.x * blockDim.x + threadIdx.x; e < (unsigned int) total; e += blockDim.x * gridDim.x) {
        unsigned int t = e;
        int ow = t % g.outW; t /= g.outW;
        int oh = t % g.outH; t /= g.outH;
        int ch = t % g.c;
        int img = t / g.c;
        int h0 = oh * g.sh - g.ph;
        int w0 = ow * g.sw - g.pw;
        int h1 = min(h0 + (g.kh - 1) * g.dh + 1, g.inH);
        int w1 = min(w0 + (g.kw - 1) * g.dw + 1, g.inW);
        while (h0 < 0) h0 += g.dh;
        while (w0 < 0) w0 += g.dw;
        long long base = sOff + (long long) img * S.s[0] + (long long) ch * S.s[1];
        int best = h0 * g.inW + w0;
        float m = -INFINITY;
        for (int ih = h0; ih < h1; ih += g.dh) {
            for (int iw = w0; iw < w1; iw += g.dw) {
                float v = src[base + (long long) ih * S.s[2] + (long long) iw * S.s[3]];
                if (v > m || isnan(v)) {
                    m = v;
                    best = ih * g.inW + iw;
                }
            }
        }
        dst[dOff + e] = m;
        idx[dOff + e] = (float) best;
    }
}

// dst dense [N, C, inH, inW]: the sum of grad over the windows whose saved maximum position (idx) is
// this element, windows in row-major order; grad and idx [N, C, outH, outW] with strides G and I.
__global__ void cairn_max_pool2d_backward(const float* __restrict__ grad, long long gOff, Strides4 G,
                                          const float* __restrict__ idx, long long iOff, Strides4 I, WindowGeom g,
                                          float* __restrict__ dst, long long dOff, int total) {
    for (unsigned int e = blockIdx.x * blockDim.x + threadIdx.x; e < (unsigned int) total; e += blockDim.x * gridDim.x) {
        unsigned int t = e;
        int w = t % g.inW; t /= g.inW;
        int h = t % g.inH; t /= g.inH;
        int ch = t % g.c;
        int img = t / g.c;
        // windows (oh, ow) whose span covers (h, w): oh*sh - ph <= h <= oh*sh - ph + (kh-1)*dh
        int ohLo = max(0, ceil_div(h + g.ph - (g.kh - 1) * g.dh, g.sh));
        int ohHi = min(g.outH - 1, (h + g.ph) / g.sh);
        int owLo = max(0, ceil_div(w + g.pw - (g.kw - 1) * g.dw, g.sw));
        int owHi = min(g.outW - 1, (w + g.pw) / g.sw);
        float self = (float) (h * g.inW + w);
        long long gb = gOff + (long long) img * G.s[0] + (long long) ch * G.s[1];
        long long ib = iOff + (long long) img * I.s[0] + (long long) ch * I.s[1];
        float acc = 0.0f;
        for (int oh = ohLo; oh <= ohHi; ++oh) {
            for (int ow = owLo; ow <= owHi; ++ow) {
                if (idx[ib + (long long) oh * I.s[2] + (long long) ow * I.s[3]] == self) {
                    acc += grad[gb + (long long) oh * G.s[2] + (long long) ow * G.s[3]];
                }
            }
        }
        dst[dOff + e] = acc;
    }
}

// Direct convolution: dst dense [N, O, outH, outW] = src [N, C, inH, inW] (strides S) convolved with the
// dense weight [O, C/groups, kh, kw] (from wOff), plus bias[bOff + o] when hasBias. Each output sums
// fmaf(weight, input, acc) over (c, i, j) in order, padding included as 0, then adds the bias: the
// CPU backend's order (DirectConv), so the results are equal.
__global__ void cairn_conv2d(const float* __restrict__ src, long long sOff, Strides4 S, WindowGeom g, int groups,
                             int outC, const float* __restrict__ weight, long long wOff,
                             const float* __restrict__ bias, long long bOff, int hasBias,
                             float* __restrict__ dst, long long dOff, int total) {
    int cg = g.c / groups;
    int og = outC / groups;
    for (unsigned int e = blockIdx.x * blockDim.x + threadIdx.x; e < (unsigned int) total; e += blockDim.x * gridDim.x) {
        unsigned int t = e;
        int ow = t % g.outW; t /= g.outW;
        int oh = t % g.outH; t /= g.outH;
        int o = t % outC;
        int img = t / outC;
        const float* w = weight + wOff + (long long) o * cg * g.kh * g.kw;
        const float* x = src + sOff + (long long) img * S.s[0] + (long long) (o / og) * cg * S.s[1];
        float acc = 0.0f;
        for (int c = 0; c < cg; c++) {
            for (int i = 0; i < g.kh; i++) {
                int ih = oh * g.sh - g.ph + i * g.dh;
                bool rowIn = ih >= 0 && ih < g.inH;
                for (int j = 0; j < g.kw; j++) {
                    int iw = ow * g.sw - g.pw + j * g.dw;
                    float v = 0.0f;
                    if (rowIn && iw >= 0 && iw < g.inW) {
                        v = x[(long long) c * S.s[1] + (long long) ih * S.s[2] + (long long) iw * S.s[3]];
                    }
                    acc = fmaf(w[(c * g.kh + i) * g.kw + j], v, acc);
                }
            }
        }
        if (hasBias) acc += bias[bOff + o];
        dst[dOff + e] = acc;
    }
}

}  // extern "C"
