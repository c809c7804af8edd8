// Elementwise kernels: fill, unary ops (with a scalar), binary ops over broadcast strided views,
// and the GEMM epilogue (bias + ReLU) used after cuBLAS. Op codes are the ordinals of
// dev.cairn.backend.UnaryOp / BinaryOp; semantics follow their `apply` methods.
#include "cairn_common.cuh"

// ---- UnaryOp ordinals ----
#define U_IDENTITY 0
#define U_NEG 1
#define U_ABS 2
#define U_RELU 3
#define U_EXP 4
#define U_LOG 5
#define U_SQRT 6
#define U_SIGN 7
#define U_ADD_SCALAR 8
#define U_MUL_SCALAR 9
#define U_DIV_SCALAR 10
#define U_RSUB_SCALAR 11
#define U_RDIV_SCALAR 12
#define U_POW_SCALAR 13
#define U_GT_SCALAR 14
#define U_GE_SCALAR 15
#define U_LT_SCALAR 16
#define U_LE_SCALAR 17
#define U_EQ_SCALAR 18
#define U_NE_SCALAR 19
#define U_TANH 20
#define U_SIGMOID 21
#define U_ERF 22
#define U_SIN 23
#define U_COS 24
#define U_CLAMP_MIN 25
#define U_CLAMP_MAX 26
#define U_GELU 27
#define U_GELU_TANH 28

// ---- BinaryOp ordinals ----
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAXIMUM 5
#define B_MINIMUM 6
#define B_GT 7
#define B_LT 8
#define B_EQ 9
#define B_GELU_BACKWARD 10
#define B_GELU_TANH_BACKWARD 11

// x^s as UnaryOp.pow: fast paths for 2, 1 and 0.5, else Java's Math.pow special cases.
__device__ __forceinline__ float cairn_pow(float x, float s) {
    if (s == 2.0f) return x * x;
    if (s == 1.0f) return x;
    if (s == 0.5f) return sqrtf(x);
    // Java: pow(x, NaN) = NaN (C gives 1 for x == 1); pow(+-1, +-inf) = NaN (C gives 1).
    if (isnan(s)) return s;
    if (isinf(s) && fabsf(x) == 1.0f) return __int_as_float(0x7fc00000);
    return powf(x, s);
}

// Java's Math.max / Math.min on floats after the NaN check: +0 > -0.
__device__ __forceinline__ float java_max(float a, float b) {
    if (isnan(a) || isnan(b)) return __int_as_float(0x7fc00000);
    if (a == 0.0f && b == 0.0f) return signbit(a) ? b : a;
    return a >= b ? a : b;
}

__device__ __forceinline__ float java_min(float a, float b) {
    if (isnan(a) || isnan(b)) return __int_as_float(0x7fc00000);
    if (a == 0.0f && b == 0.0f) return signbit(a) ? a : b;
    return a <= b ? a : b;
}

// GELU as UnaryOp.gelu / geluTanh and their derivatives (the same formulas as the CPU's Vector API loops):
// Phi(x) = erfc(-x / sqrt 2) / 2 by the erfcc fit (relative error < 1.2e-7 in both tails), its e^(-z^2)
// split as e^(-h^2) e^((h - z)(h + z)) with h the top 12 bits of z so that h^2 is exact.
__device__ __forceinline__ float cairn_normal_cdf(float x) {
    float z = fminf(fabsf(x) * 0.70710678118654752f, 20.0f);  // erfc(20) is 0 in float; keeps inf - inf out
    float t = 1.0f / (1.0f + 0.5f * z);
    float poly = ((((((((0.17087277f * t - 0.82215223f) * t + 1.48851587f) * t - 1.13520398f) * t + 0.27886807f) * t
                    - 0.18628806f) * t + 0.09678418f) * t + 0.37409196f) * t + 1.00002368f) * t - 1.26551223f;
    float h = __int_as_float(__float_as_int(z) & 0xfffff000);
    float erfc = t * expf(-(h * h)) * expf((h - z) * (h + z) + poly);
    float half = 0.5f * erfc;
    return x >= 0.0f ? 1.0f - half : half;
}

// sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): 0.5 (1 + tanh u) without its cancellation.
__device__ __forceinline__ float cairn_sigmoid_two_u(float x) {
    float u = (x * x * x * 0.044715f + x) * 0.7978845608028654f;
    return 1.0f / (1.0f + expf(-2.0f * u));
}

__device__ __forceinline__ float cairn_gelu_derivative(float x) {
    return fmaf(x, expf(-0.5f * (x * x)) * 0.3989422804014327f, cairn_normal_cdf(x));
}

__device__ __forceinline__ float cairn_gelu_tanh_derivative(float x) {
    float s = cairn_sigmoid_two_u(x);
    float inner = (x * x * (3.0f * 0.044715f) + 1.0f) * 0.7978845608028654f;
    return x * 2.0f * s * (1.0f - s) * inner + s;
}

__device__ __forceinline__ float unary_apply(int op, float x, float s) {
    switch (op) {
        case U_IDENTITY: return x;
        case U_NEG: return -x;
        case U_ABS: return fabsf(x);
        case U_RELU: return x < 0.0f ? 0.0f : x;  /* NaN and -0 stay, as in PyTorch */
        case U_EXP: return expf(x);
        case U_LOG: return logf(x);
        case U_SQRT: return sqrtf(x);
        case U_SIGN: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);  // NaN and -0 give +0, as torch.sign
        case U_ADD_SCALAR: return x + s;
        case U_MUL_SCALAR: return x * s;
        case U_DIV_SCALAR: return x / s;  // a true (IEEE, -prec-div=true) division, not x * (1/s)
        case U_RSUB_SCALAR: return s - x;
        case U_RDIV_SCALAR: return s / x;
        case U_POW_SCALAR: return cairn_pow(x, s);
        case U_GT_SCALAR: return x > s ? 1.0f : 0.0f;
        case U_GE_SCALAR: return x >= s ? 1.0f : 0.0f;
        case U_LT_SCALAR: return x < s ? 1.0f : 0.0f;
        case U_LE_SCALAR: return x <= s ? 1.0f : 0.0f;
        case U_EQ_SCALAR: return x == s ? 1.0f : 0.0f;
        case U_NE_SCALAR: return x != s ? 1.0f : 0.0f;
        case U_TANH: return tanhf(x);
        case U_SIGMOID: return 1.0f / (1.0f + expf(-x));
        case U_ERF: return erff(x);
        case U_SIN: return sinf(x);
        case U_COS: return cosf(x);
        case U_CLAMP_MIN: return x < s ? s : x;  /* NaN stays, as PyTorch's clamp */
        case U_CLAMP_MAX: return x > s ? s : x;
        case U_GELU: return x * cairn_normal_cdf(x);
        case U_GELU_TANH: return x * cairn_sigmoid_two_u(x);
        default: return __int_as_float(0x7fc00000);
    }
}

__device__ __forceinline__ float binary_apply(int op, float a, float b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return cairn_pow(a, b);
        case B_MAXIMUM: return java_max(a, b);
        case B_MINIMUM: return java_min(a, b);
        case B_GT: return a > b ? 1.0f : 0.0f;
        case B_LT: return a < b ? 1.0f : 0.0f;
        case B_EQ: return a == b ? 1.0f : 0.0f;
        case B_GELU_BACKWARD: return a * cairn_gelu_derivative(b);
        case B_GELU_TANH_BACKWARD: return a * cairn_gelu_tanh_derivative(b);
        default: return __int_as_float(0x7fc00000);
    }
}

extern "C" {

// dst[off + i] = value for i < n.
__global__ void cairn_fill(float* __restrict__ dst, long long off, int n, float value) {
    for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned int) n; i += blockDim.x * gridDim.x) {
        dst[off + i] = value;
    }
}

// Dense source and destination: dst[dOff + i] = op(src[sOff + i], s).
__global__ void cairn_unary_dense(int op, float s, const float* __restrict__ src, long long sOff,
                                  float* __restrict__ dst, long long dOff, int n) {
    for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned int) n; i += blockDim.x * gridDim.x) {
        dst[dOff + i] = unary_apply(op, src[sOff + i], s);
    }
}

// Strided source (layout s0), dense destination.
__global__ void cairn_unary_strided(int op, float s, const float* __restrict__ src, long long sOff,
                                    Layout L, float* __restrict__ dst, long long dOff, int n) {
    for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned int) n; i += blockDim.x * gridDim.x) {
        long long o0, o1;
        layout_offsets(L, i, o0, o1);
        dst[dOff + i] = unary_apply(op, src[sOff + o0], s);
    }
}

// Both operands dense (same shape, no broadcasting).
__global__ void cairn_binary_dense(int op, const float* __restrict__ a, long long aOff,
                                   const float* __restrict__ b, long long bOff,
                                   float* __restrict__ dst, long long dOff, int n) {
    for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned int) n; i += blockDim.x * gridDim.x) {
        dst[dOff + i] = binary_apply(op, a[aOff + i], b[bOff + i]);
    }
}

// Strided / broadcast operands: a uses strides s0, b uses s1 (0 along broadcast dimensions).
__global__ void cairn_binary_strided(int op, const float* __restrict__ a, long long aOff,
                                     const float* __restrict__ b, long long bOff, Layout L,
                                     float* __restrict__ dst, long long dOff, int n) {
    for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned int) n; i += blockDim.x * gridDim.x) {
        long long o0, o1;
        layout_offsets(L, i, o0, o1);
        dst[dOff + i] = binary_apply(op, a[aOff + o0], b[bOff + o1]);
    }
}

// GEMM epilogue over C[batch][m][n] (row stride ldc, batch stride cBatch):
// add bias[biasOff + col] when hasBias, then ReLU (NaN kept) when relu.
__global__ void cairn_bias_relu(float* __restrict__ c, long long cOff, int ldc, long long cBatch,
                                int batch, int m, int n, const float* __restrict__ bias, long long biasOff,
                                int hasBias, int relu) {
    // grid.y walks rows of all batches (batch * m), grid.x walks columns.
    long long rows = (long long) batch * m;
    for (long long r = blockIdx.y; r < rows; r += gridDim.y) {
        long long bt = r / m;
        int row = (int) (r - bt * m);
        float* p = c + cOff + bt * cBatch + (long long) row * ldc;
        for (unsigned int col = blockIdx.x * blockDim.x + threadIdx.x; col < (unsigned int) n; col += blockDim.x * gridDim.x) {
            float v = p[col];
            if (hasBias) v += bias[biasOff + col];
            if (relu && v < 0.0f) v = 0.0f;  /* NaN and -0 stay, as in PyTorch */
            p[col] = v;
        }
    }
}

}  // extern "C"
