// Elementwise kernels: unary ops (with a scalar), binary ops over broadcast strided views, fills, and the
// GEMM epilogue (bias + ReLU) used after cuBLAS. Each op of dev.cairn.backend.UnaryOp / BinaryOp is its
// own kernel per dtype, named `unary_<op>_<dtype>` / `binary_<op>_<dtype>` (strided operands, a Layout)
// and `..._dense` (dense operands); semantics follow their `apply` methods (float32) and the CPU
// backend's TypedKernels (integer and bool tensors: IDENTITY, NEG, ABS, ADD/MUL_SCALAR; ADD, SUB, MUL,
// MAXIMUM, MINIMUM, computed in 64-bit two's complement and stored with wrap-around, bool as != 0).
// GELU and GELU_TANH (and the fused gradients GELU_BACKWARD, GELU_TANH_BACKWARD) follow the float32
// formulas of the CPU backend's Vector API loops rather than UnaryOp.apply's double evaluation.
#include "cairn_common.cuh"

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

// d/dx of exact GELU: Phi(x) + x phi(x).
__device__ __forceinline__ float cairn_gelu_derivative(float x) {
    return fmaf(x, expf(-0.5f * (x * x)) * 0.3989422804014327f, cairn_normal_cdf(x));
}

// d/dx of the tanh GELU: s + 2 x s (1 - s) u'(x), s = sigmoid(2u).
__device__ __forceinline__ float cairn_gelu_tanh_derivative(float x) {
    float s = cairn_sigmoid_two_u(x);
    float inner = (x * x * (3.0f * 0.044715f) + 1.0f) * 0.7978845608028654f;
    return x * 2.0f * s * (1.0f - s) * inner + s;
}


// ---- float32 unary ops: unary_<op>_f32 (strided source) and unary_<op>_f32_dense ----
#define CAIRN_UNARY_F32(NAME, EXPR)                                                                          \
    extern "C" __global__ void unary_##NAME##_f32_dense(float s, const float* __restrict__ src, long long sOff, \
                                                        float* __restrict__ dst, long long dOff, int n) {      \
        CAIRN_GRID_LOOP(i, n) {                                                                                \
            float x = src[sOff + i];                                                                           \
            dst[dOff + i] = (EXPR);                                                                            \
        }                                                                                                      \
    }                                                                                                          \
    extern "C" __global__ void unary_##NAME##_f32(float s, const float* __restrict__ src, long long sOff,      \
                                                  Layout L, float* __restrict__ dst, long long dOff, int n) {  \
        CAIRN_GRID_LOOP(i, n) {                                                                                \
            long long o0, o1;                                                                                  \
            layout_offsets(L, i, o0, o1);                                                                      \
            float x = src[sOff + o0];                                                                          \
            dst[dOff + i] = (EXPR);                                                                            \
        }                                                                                                      \
    }                                                                                                          \
    CAIRN_REGISTER(unary_##NAME##_f32_dense) CAIRN_REGISTER(unary_##NAME##_f32)

CAIRN_UNARY_F32(identity, x)
CAIRN_UNARY_F32(neg, -x)
CAIRN_UNARY_F32(abs, fabsf(x))
CAIRN_UNARY_F32(relu, x < 0.0f ? 0.0f : x)  /* NaN and -0 stay, as in PyTorch */
CAIRN_UNARY_F32(exp, expf(x))
CAIRN_UNARY_F32(log, logf(x))
CAIRN_UNARY_F32(sqrt, sqrtf(x))
CAIRN_UNARY_F32(sign, x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f))  /* NaN and -0 give +0, as torch.sign */
CAIRN_UNARY_F32(add_scalar, x + s)
CAIRN_UNARY_F32(mul_scalar, x * s)
CAIRN_UNARY_F32(div_scalar, x / s)  /* a true (IEEE, -prec-div=true) division, not x * (1/s) */
CAIRN_UNARY_F32(rsub_scalar, s - x)
CAIRN_UNARY_F32(rdiv_scalar, s / x)
CAIRN_UNARY_F32(pow_scalar, cairn_pow(x, s))
CAIRN_UNARY_F32(gt_scalar, x > s ? 1.0f : 0.0f)
CAIRN_UNARY_F32(ge_scalar, x >= s ? 1.0f : 0.0f)
CAIRN_UNARY_F32(lt_scalar, x < s ? 1.0f : 0.0f)
CAIRN_UNARY_F32(le_scalar, x <= s ? 1.0f : 0.0f)
CAIRN_UNARY_F32(eq_scalar, x == s ? 1.0f : 0.0f)
CAIRN_UNARY_F32(ne_scalar, x != s ? 1.0f : 0.0f)
CAIRN_UNARY_F32(tanh, tanhf(x))
CAIRN_UNARY_F32(sigmoid, 1.0f / (1.0f + expf(-x)))
CAIRN_UNARY_F32(erf, erff(x))
CAIRN_UNARY_F32(sin, sinf(x))
CAIRN_UNARY_F32(cos, cosf(x))
CAIRN_UNARY_F32(clamp_min, x < s ? s : x)  /* NaN stays, as PyTorch's clamp */
CAIRN_UNARY_F32(clamp_max, x > s ? s : x)
CAIRN_UNARY_F32(gelu, x * cairn_normal_cdf(x))  /* -inf gives NaN, as PyTorch's 0.5 x (1 + erf(x / sqrt 2)) */
CAIRN_UNARY_F32(gelu_tanh, x * cairn_sigmoid_two_u(x))
CAIRN_UNARY_F32(leaky_relu, x > 0.0f ? x : x * s)  /* NaN stays NaN, as PyTorch's leaky_relu */

// ---- integer and bool unary ops: v is the element as a long long, k the scalar as Java's (long) s ----
#define CAIRN_UNARY_INT(NAME, T, EXPR)                                                                        \
    extern "C" __global__ void unary_##NAME##_##T##_dense(float s, const T* __restrict__ src, long long sOff,   \
                                                          T* __restrict__ dst, long long dOff, int n) {        \
        long long k = java_f2l(s);                                                                             \
        (void) k;                                                                                              \
        CAIRN_GRID_LOOP(i, n) {                                                                                \
            long long v = as_long(src[sOff + i]);                                                              \
            put_long(dst + dOff + i, (EXPR));                                                                  \
        }                                                                                                      \
    }                                                                                                          \
    extern "C" __global__ void unary_##NAME##_##T(float s, const T* __restrict__ src, long long sOff, Layout L, \
                                                  T* __restrict__ dst, long long dOff, int n) {                \
        long long k = java_f2l(s);                                                                             \
        (void) k;                                                                                              \
        CAIRN_GRID_LOOP(i, n) {                                                                                \
            long long o0, o1;                                                                                  \
            layout_offsets(L, i, o0, o1);                                                                      \
            long long v = as_long(src[sOff + o0]);                                                             \
            put_long(dst + dOff + i, (EXPR));                                                                  \
        }                                                                                                      \
    }                                                                                                          \
    CAIRN_REGISTER(unary_##NAME##_##T##_dense) CAIRN_REGISTER(unary_##NAME##_##T)

#define CAIRN_UNARY_INT_ALL(T)                              \
    CAIRN_UNARY_INT(identity, T, v)                         \
    CAIRN_UNARY_INT(neg, T, wrap_sub(0, v))                 \
    CAIRN_UNARY_INT(abs, T, v < 0 ? wrap_sub(0, v) : v)     \
    CAIRN_UNARY_INT(add_scalar, T, wrap_add(v, k))          \
    CAIRN_UNARY_INT(mul_scalar, T, wrap_mul(v, k))

CAIRN_UNARY_INT_ALL(i64)
CAIRN_UNARY_INT_ALL(i32)
CAIRN_UNARY_INT_ALL(b8)

// ---- binary ops over operands a (strides s0) and b (s1, 0 along broadcast dimensions) ----
#define CAIRN_BINARY(NAME, T, LOAD, EXPR, STORE)                                                              \
    extern "C" __global__ void binary_##NAME##_##T##_dense(const T* __restrict__ a, long long aOff,            \
                                                           const T* __restrict__ b, long long bOff,            \
                                                           T* __restrict__ dst, long long dOff, int n) {       \
        CAIRN_GRID_LOOP(i, n) {                                                                                \
            LOAD x = a[aOff + i];                                                                              \
            LOAD y = b[bOff + i];                                                                              \
            STORE(dst + dOff + i, (EXPR));                                                                     \
        }                                                                                                      \
    }                                                                                                          \
    extern "C" __global__ void binary_##NAME##_##T(const T* __restrict__ a, long long aOff,                    \
                                                   const T* __restrict__ b, long long bOff, Layout L,          \
                                                   T* __restrict__ dst, long long dOff, int n) {               \
        CAIRN_GRID_LOOP(i, n) {                                                                                \
            long long o0, o1;                                                                                  \
            layout_offsets(L, i, o0, o1);                                                                      \
            LOAD x = a[aOff + o0];                                                                             \
            LOAD y = b[bOff + o1];                                                                             \
            STORE(dst + dOff + i, (EXPR));                                                                     \
        }                                                                                                      \
    }                                                                                                          \
    CAIRN_REGISTER(binary_##NAME##_##T##_dense) CAIRN_REGISTER(binary_##NAME##_##T)

__device__ __forceinline__ void put_float(float* p, float v) { *p = v; }

#define CAIRN_BINARY_F32(NAME, EXPR) CAIRN_BINARY(NAME, f32, float, EXPR, put_float)
CAIRN_BINARY_F32(add, x + y)
CAIRN_BINARY_F32(sub, x - y)
CAIRN_BINARY_F32(mul, x * y)
CAIRN_BINARY_F32(div, x / y)
CAIRN_BINARY_F32(pow, cairn_pow(x, y))
CAIRN_BINARY_F32(maximum, java_max(x, y))
CAIRN_BINARY_F32(minimum, java_min(x, y))
CAIRN_BINARY_F32(gt, x > y ? 1.0f : 0.0f)
CAIRN_BINARY_F32(lt, x < y ? 1.0f : 0.0f)
CAIRN_BINARY_F32(eq, x == y ? 1.0f : 0.0f)
// fused gradients: the output's gradient x (a) times the derivative at the op's input y (b)
CAIRN_BINARY_F32(gelu_backward, x * cairn_gelu_derivative(y))
CAIRN_BINARY_F32(gelu_tanh_backward, x * cairn_gelu_tanh_derivative(y))

#define CAIRN_BINARY_INT_ALL(T)                                                 \
    CAIRN_BINARY(add, T, long long, wrap_add(x, y), put_long)                   \
    CAIRN_BINARY(sub, T, long long, wrap_sub(x, y), put_long)                   \
    CAIRN_BINARY(mul, T, long long, wrap_mul(x, y), put_long)                   \
    CAIRN_BINARY(maximum, T, long long, x > y ? x : y, put_long)                \
    CAIRN_BINARY(minimum, T, long long, x < y ? x : y, put_long)

CAIRN_BINARY_INT_ALL(i64)
CAIRN_BINARY_INT_ALL(i32)
CAIRN_BINARY_INT_ALL(b8)

// ---- fills: dst[off + i] = value for i < n (the value already converted on the host) ----
#define CAIRN_FILL(T, V)                                                                              \
    extern "C" __global__ void fill_##T(T* __restrict__ dst, long long off, int n, V value) {           \
        CAIRN_GRID_LOOP(i, n) {                                                                        \
            dst[off + i] = (T) value;                                                                  \
        }                                                                                              \
    }                                                                                                  \
    CAIRN_REGISTER(fill_##T)

CAIRN_FILL(f32, float)
CAIRN_FILL(i64, long long)
CAIRN_FILL(i32, int)
CAIRN_FILL(b8, int)

extern "C" {

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
