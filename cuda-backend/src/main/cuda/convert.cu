// Copies with dtype conversion: convert_<from>_to_<to> reads a strided source (Layout s0) and writes a
// dense destination, converting as PyTorch's to(dtype) and the CPU backend's Elements: float to an
// integer truncates toward zero (NaN gives 0, out-of-range values saturate at the int64 range, int32
// then wraps), anything to bool is != 0 (NaN is true), bool to a number is 0 or 1, int64 to float32
// rounds to nearest, int64 to int32 wraps. Same-dtype copies use unary_identity_<dtype>.
#include "cairn_common.cuh"

__device__ __forceinline__ void put_from_float(float* p, float x) { *p = x; }
__device__ __forceinline__ void put_from_float(long long* p, float x) { *p = java_f2l(x); }
__device__ __forceinline__ void put_from_float(int* p, float x) { put_long(p, java_f2l(x)); }
__device__ __forceinline__ void put_from_float(unsigned char* p, float x) { *p = x != 0.0f ? 1 : 0; }

#define CAIRN_CONVERT(S, D, PUT)                                                                          \
    extern "C" __global__ void convert_##S##_to_##D(const S* __restrict__ src, long long sOff, Layout L,    \
                                                    D* __restrict__ dst, long long dOff, int n) {          \
        CAIRN_GRID_LOOP(i, n) {                                                                            \
            long long o0, o1;                                                                              \
            layout_offsets(L, i, o0, o1);                                                                  \
            PUT;                                                                                           \
        }                                                                                                  \
    }                                                                                                      \
    CAIRN_REGISTER(convert_##S##_to_##D)

#define CAIRN_CONVERT_FROM_FLOAT(D) CAIRN_CONVERT(f32, D, put_from_float(dst + dOff + i, src[sOff + o0]))
#define CAIRN_CONVERT_FROM_INT(S, D) CAIRN_CONVERT(S, D, put_long(dst + dOff + i, as_long(src[sOff + o0])))

CAIRN_CONVERT_FROM_FLOAT(i64)
CAIRN_CONVERT_FROM_FLOAT(i32)
CAIRN_CONVERT_FROM_FLOAT(b8)
CAIRN_CONVERT_FROM_INT(i64, f32)
CAIRN_CONVERT_FROM_INT(i64, i32)
CAIRN_CONVERT_FROM_INT(i64, b8)
CAIRN_CONVERT_FROM_INT(i32, f32)
CAIRN_CONVERT_FROM_INT(i32, i64)
CAIRN_CONVERT_FROM_INT(i32, b8)
CAIRN_CONVERT_FROM_INT(b8, f32)
CAIRN_CONVERT_FROM_INT(b8, i64)
CAIRN_CONVERT_FROM_INT(b8, i32)
