// Comparisons and where over broadcast strided views, for every dtype (f32, i64, i32, b8).
// compare_<op>_<dtype>: dst (bool, dense) = a op b, a with strides s0, b with s1; NaN compares false
// except with ne (dev.cairn.backend.CompareOp). where_<dtype>: dst (dense) = cond ? a : b, with cond
// (bool), a and b over strides s0, s1, s2 of a Layout3. As the CPU backend's TypedKernels.
#include "cairn_common.cuh"

#define CAIRN_COMPARE(NAME, OP, T)                                                                      \
    extern "C" __global__ void compare_##NAME##_##T(const T* __restrict__ a, long long aOff,             \
                                                    const T* __restrict__ b, long long bOff, Layout L,   \
                                                    b8* __restrict__ dst, long long dOff, int n) {       \
        CAIRN_GRID_LOOP(i, n) {                                                                          \
            long long o0, o1;                                                                            \
            layout_offsets(L, i, o0, o1);                                                                \
            dst[dOff + i] = (a[aOff + o0] OP b[bOff + o1]) ? 1 : 0;                                      \
        }                                                                                                \
    }                                                                                                    \
    CAIRN_REGISTER(compare_##NAME##_##T)

#define CAIRN_COMPARE_ALL(T)        \
    CAIRN_COMPARE(eq, ==, T)        \
    CAIRN_COMPARE(ne, !=, T)        \
    CAIRN_COMPARE(lt, <, T)         \
    CAIRN_COMPARE(le, <=, T)        \
    CAIRN_COMPARE(gt, >, T)         \
    CAIRN_COMPARE(ge, >=, T)

CAIRN_COMPARE_ALL(f32)
CAIRN_COMPARE_ALL(i64)
CAIRN_COMPARE_ALL(i32)
CAIRN_COMPARE_ALL(b8)

#define CAIRN_WHERE(T)                                                                                        \
    extern "C" __global__ void where_##T(const b8* __restrict__ cond, long long cOff, const T* __restrict__ a, \
                                         long long aOff, const T* __restrict__ b, long long bOff, Layout3 L,   \
                                         T* __restrict__ dst, long long dOff, int n) {                        \
        CAIRN_GRID_LOOP(i, n) {                                                                               \
            long long o0, o1, o2;                                                                             \
            layout_offsets3(L, i, o0, o1, o2);                                                                \
            dst[dOff + i] = cond[cOff + o0] != 0 ? a[aOff + o1] : b[bOff + o2];                               \
        }                                                                                                     \
    }                                                                                                         \
    CAIRN_REGISTER(where_##T)

CAIRN_WHERE(f32)
CAIRN_WHERE(i64)
CAIRN_WHERE(i32)
CAIRN_WHERE(b8)
