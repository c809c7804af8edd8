// Indexing with int64 indices (already checked to be in range by core), for every dtype.
//
// gather_<dtype>: over the index's shape (Layout L: s0 = the source's strides with the indexed
// dimension's stride set to 0, s1 = the index's strides), dst[i] = src[o0 + index[o1] * srcDimStride].
// indexSelect is the same kernel with the 1-D index broadcast along the other dimensions.
//
// scatter_add_<dtype>: over the index's shape (Layout3: s0 = the destination's strides with the indexed
// dimension's stride 0, s1 = the index's, s2 = the source's), dst[o0 + index[o1] * dstDimStride] +=
// src[o2] with atomics (float32 sums of repeated indices therefore add in an unspecified order, as on
// PyTorch's GPUs); integers wrap; bool ORs (every writer stores the same 1, so no atomic is needed).
#include "cairn_common.cuh"

#define CAIRN_GATHER(T)                                                                                       \
    extern "C" __global__ void gather_##T(const T* __restrict__ src, long long sOff, long long srcDimStride,   \
                                          const long long* __restrict__ index, long long iOff, Layout L,       \
                                          T* __restrict__ dst, long long dOff, int n) {                        \
        CAIRN_GRID_LOOP(i, n) {                                                                               \
            long long o0, o1;                                                                                 \
            layout_offsets(L, i, o0, o1);                                                                     \
            dst[dOff + i] = src[sOff + o0 + index[iOff + o1] * srcDimStride];                                 \
        }                                                                                                     \
    }                                                                                                         \
    CAIRN_REGISTER(gather_##T)

CAIRN_GATHER(f32)
CAIRN_GATHER(i64)
CAIRN_GATHER(i32)
CAIRN_GATHER(b8)

__device__ __forceinline__ void scatter_add_one(float* p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void scatter_add_one(long long* p, long long v) {
    atomicAdd((unsigned long long*) p, (unsigned long long) v);  // two's complement: wraps like Java's long
}
__device__ __forceinline__ void scatter_add_one(int* p, int v) { atomicAdd(p, v); }
__device__ __forceinline__ void scatter_add_one(unsigned char* p, unsigned char v) {
    if (v != 0) *p = 1;
}

#define CAIRN_SCATTER_ADD(T)                                                                                  \
    extern "C" __global__ void scatter_add_##T(const T* __restrict__ src, long long sOff,                      \
                                               const long long* __restrict__ index, long long iOff, Layout3 L, \
                                               T* dst, long long dOff, long long dstDimStride, int n) {        \
        CAIRN_GRID_LOOP(i, n) {                                                                               \
            long long o0, o1, o2;                                                                             \
            layout_offsets3(L, i, o0, o1, o2);                                                                \
            scatter_add_one(dst + dOff + o0 + index[iOff + o1] * dstDimStride, src[sOff + o2]);               \
        }                                                                                                     \
    }                                                                                                         \
    CAIRN_REGISTER(scatter_add_##T)

CAIRN_SCATTER_ADD(f32)
CAIRN_SCATTER_ADD(i64)
CAIRN_SCATTER_ADD(i32)
CAIRN_SCATTER_ADD(b8)
