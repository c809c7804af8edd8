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
