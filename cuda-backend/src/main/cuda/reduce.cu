// Reductions along one dimension of a strided view. Op codes are the ordinals of
// dev.cairn.backend.ReduceOp: SUM, MAX, MIN, ARGMAX, ARGMIN, PROD. MAX/MIN propagate NaN; ARGMAX/ARGMIN
// give the first index of the extreme value, a NaN counting as the extreme; indices are written as
// floats. The output is dense; its layout L (s0 = source strides of the kept dimensions) maps each
// output index to the start of its slice in the source.
#include "cairn_common.cuh"

#define R_SUM 0
#define R_MAX 1
#define R_MIN 2
#define R_ARGMAX 3
#define R_ARGMIN 4
#define R_PROD 5

#define IDX_NONE 0x7fffffff

struct Acc {
    float v;
    int idx;
};

__device__ __forceinline__ Acc acc_init(int op) {
    Acc a;
    a.idx = IDX_NONE;
    if (op == R_SUM) a.v = 0.0f;
    else if (op == R_PROD) a.v = 1.0f;
    else if (op == R_MAX || op == R_ARGMAX) a.v = -INFINITY;
    else a.v = INFINITY;
    return a;
}

// Whether candidate b should replace a for a max (isMax) or min reduction: NaN wins, then the
// larger (smaller) value, then the smaller index.
__device__ __forceinline__ bool takes_over(bool isMax, Acc a, Acc b) {
    bool an = isnan(a.v), bn = isnan(b.v);
    if (an) return bn && b.idx < a.idx;
    if (bn) return true;
    if (isMax ? (b.v > a.v) : (b.v < a.v)) return true;
    return b.v == a.v && b.idx < a.idx;
}

__device__ __forceinline__ Acc acc_combine(int op, Acc a, Acc b) {
    if (op == R_SUM) {
        a.v += b.v;
        return a;
    }
    if (op == R_PROD) {
        a.v *= b.v;
        return a;
    }
    bool isMax = (op == R_MAX || op == R_ARGMAX);
    return takes_over(isMax, a, b) ? b : a;
}

__device__ __forceinline__ Acc warp_reduce(int op, Acc a) {
#pragma unroll
    for (int d = 16; d > 0; d >>= 1) {
        Acc o;
        o.v = __shfl_down_sync(0xffffffffu, a.v, d);
        o.idx = __shfl_down_sync(0xffffffffu, a.idx, d);
        a = acc_combine(op, a, o);
    }
    return a;
}

__device__ __forceinline__ float acc_result(int op, Acc a) {
    if (op == R_ARGMAX || op == R_ARGMIN) return a.idx == IDX_NONE ? 0.0f : (float) a.idx;
    return a.v;
}

extern "C" {

// One block per output element (blockDim a multiple of 32, at most 1024): the threads share the
// slice, then combine through warp shuffles and shared memory. Suits long slices.
__global__ void cairn_reduce_block(int op, const float* __restrict__ src, long long sOff, Layout L,
                                   int redLen, int redStride, float* __restrict__ dst, long long dOff,
                                   int nOut) {
    __shared__ float sv[32];
    __shared__ int si[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int nWarps = (blockDim.x + 31) >> 5;
    for (unsigned int o = blockIdx.x; o < (unsigned int) nOut; o += gridDim.x) {
        long long base, unused;
        layout_offsets(L, o, base, unused);
        const float* p = src + sOff + base;
        Acc acc = acc_init(op);
        for (unsigned int r = threadIdx.x; r < (unsigned int) redLen; r += blockDim.x) {
            Acc x;
            x.v = p[(long long) r * redStride];
            x.idx = (int) r;
            acc = acc_combine(op, acc, x);
        }
        acc = warp_reduce(op, acc);
        if (lane == 0) {
            sv[warp] = acc.v;
            si[warp] = acc.idx;
        }
        __syncthreads();
        if (warp == 0) {
            Acc w = acc_init(op);
            if (lane < nWarps) {
                w.v = sv[lane];
                w.idx = si[lane];
            }
            w = warp_reduce(op, w);
            if (lane == 0) dst[dOff + o] = acc_result(op, w);
        }
        __syncthreads();
    }
}

// One thread per output element, walking its slice in order. Suits short slices and slices with a
// large stride whose neighbouring outputs are adjacent in memory (coalesced loads).
__global__ void cairn_reduce_thread(int op, const float* __restrict__ src, long long sOff, Layout L,
                                    int redLen, int redStride, float* __restrict__ dst, long long dOff,
                                    int nOut) {
    for (unsigned int o = blockIdx.x * blockDim.x + threadIdx.x; o < (unsigned int) nOut; o += blockDim.x * gridDim.x) {
        long long base, unused;
        layout_offsets(L, o, base, unused);
        const float* p = src + sOff + base;
        Acc acc = acc_init(op);
        for (int r = 0; r < redLen; ++r) {
            Acc x;
            x.v = p[(long long) r * redStride];
            x.idx = r;
            acc = acc_combine(op, acc, x);
        }
        dst[dOff + o] = acc_result(op, acc);
    }
}

}  // extern "C"
