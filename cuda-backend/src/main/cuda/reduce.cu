// Reductions along one dimension of a strided view, one kernel per op and dtype pair:
// reduce_<op>_<source dtype>_<destination dtype>_block / _thread. SUM over float32 accumulates in
// float32 (a tree, not the CPU's double); over integers and bool in int64 with wrap-around. PROD over
// float32 multiplies in double and rounds once at the end, as the CPU backend (so partial products may
// leave float's range); over integers and bool in int64 with wrap-around (as PyTorch's int64 prod). MAX/MIN
// propagate NaN. ARGMAX/ARGMIN give the first index of the extreme value, a NaN counting as the
// extreme, written as float32 or int64. The output is dense; its layout L (s0 = source strides of the
// kept dimensions) maps each output index to the start of its slice in the source.
#include "cairn_common.cuh"

// Reduction kinds inside this file (kernels are found by name; these are not Java ordinals).
#define K_SUM 0
#define K_MAX 1
#define K_MIN 2
#define K_ARGMAX 3
#define K_ARGMIN 4
#define K_PROD 5

#define IDX_NONE 0x7fffffff

template <class V>
struct Acc {
    V v;
    int idx;
};

__device__ __forceinline__ float v_lowest(float) { return -INFINITY; }
__device__ __forceinline__ float v_highest(float) { return INFINITY; }
__device__ __forceinline__ long long v_lowest(long long) { return (long long) (-0x7fffffffffffffffLL - 1); }
__device__ __forceinline__ long long v_highest(long long) { return 0x7fffffffffffffffLL; }
__device__ __forceinline__ bool v_isnan(float x) { return isnan(x); }
__device__ __forceinline__ double v_lowest(double) { return -INFINITY; }
__device__ __forceinline__ double v_highest(double) { return INFINITY; }
__device__ __forceinline__ bool v_isnan(long long) { return false; }
__device__ __forceinline__ bool v_isnan(double x) { return isnan(x); }
__device__ __forceinline__ float v_add(float a, float b) { return a + b; }
__device__ __forceinline__ double v_add(double a, double b) { return a + b; }
__device__ __forceinline__ long long v_add(long long a, long long b) { return wrap_add(a, b); }
__device__ __forceinline__ float v_mul(float a, float b) { return a * b; }
__device__ __forceinline__ double v_mul(double a, double b) { return a * b; }
__device__ __forceinline__ long long v_mul(long long a, long long b) { return wrap_mul(a, b); }
__device__ __forceinline__ float v_load(float x) { return x; }
__device__ __forceinline__ long long v_load(long long x) { return x; }
__device__ __forceinline__ long long v_load(int x) { return x; }
__device__ __forceinline__ long long v_load(unsigned char x) { return x; }

template <int K, class V>
__device__ __forceinline__ Acc<V> acc_init() {
    Acc<V> a;
    a.idx = IDX_NONE;
    if (K == K_SUM) a.v = (V) 0;
    else if (K == K_PROD) a.v = (V) 1;
    else if (K == K_MAX || K == K_ARGMAX) a.v = v_lowest(V());
    else a.v = v_highest(V());
    return a;
}

// Whether candidate b should replace a for a max (isMax) or min reduction: NaN wins, then the
// larger (smaller) value, then the smaller index.
template <class V>
__device__ __forceinline__ bool takes_over(bool isMax, Acc<V> a, Acc<V> b) {
    bool an = v_isnan(a.v), bn = v_isnan(b.v);
    if (an) return bn && b.idx < a.idx;
    if (bn) return true;
    if (isMax ? (b.v > a.v) : (b.v < a.v)) return true;
    return b.v == a.v && b.idx < a.idx;
}

template <int K, class V>
__device__ __forceinline__ Acc<V> acc_combine(Acc<V> a, Acc<V> b) {
    if (K == K_SUM) {
        a.v = v_add(a.v, b.v);
        return a;
    }
    if (K == K_PROD) {
        a.v = v_mul(a.v, b.v);
        return a;
    }
    return takes_over(K == K_MAX || K == K_ARGMAX, a, b) ? b : a;
}

template <int K, class V>
__device__ __forceinline__ Acc<V> warp_reduce(Acc<V> a) {
#pragma unroll
    for (int d = 16; d > 0; d >>= 1) {
        Acc<V> o;
        o.v = __shfl_down_sync(0xffffffffu, a.v, d);
        o.idx = __shfl_down_sync(0xffffffffu, a.idx, d);
        a = acc_combine<K, V>(a, o);
    }
    return a;
}

template <int K, class V, class D>
__device__ __forceinline__ void acc_store(D* p, Acc<V> a) {
    if (K == K_ARGMAX || K == K_ARGMIN) *p = (D) (a.idx == IDX_NONE ? 0 : a.idx);
    else *p = (D) a.v;
}

// One block per output element (blockDim a multiple of 32, at most 1024): the threads share the
// slice, then combine through warp shuffles and shared memory. Suits long slices.
template <int K, class S, class V, class D>
__device__ __forceinline__ void reduce_block(const S* __restrict__ src, long long sOff, const Layout& L, int redLen,
                                             int redStride, D* __restrict__ dst, long long dOff, int nOut) {
    __shared__ V sv[32];
    __shared__ int si[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int nWarps = (blockDim.x + 31) >> 5;
    for (unsigned int o = blockIdx.x; o < (unsigned int) nOut; o += gridDim.x) {
        long long base, unused;
        layout_offsets(L, o, base, unused);
        const S* p = src + sOff + base;
        Acc<V> acc = acc_init<K, V>();
        for (unsigned int r = threadIdx.x; r < (unsigned int) redLen; r += blockDim.x) {
            Acc<V> x;
            x.v = v_load(p[(long long) r * redStride]);
            x.idx = (int) r;
            acc = acc_combine<K, V>(acc, x);
        }
        acc = warp_reduce<K, V>(acc);
        if (lane == 0) {
            sv[warp] = acc.v;
            si[warp] = acc.idx;
        }
        __syncthreads();
        if (warp == 0) {
            Acc<V> w = acc_init<K, V>();
            if (lane < nWarps) {
                w.v = sv[lane];
                w.idx = si[lane];
            }
            w = warp_reduce<K, V>(w);
            if (lane == 0) acc_store<K, V, D>(dst + dOff + o, w);
        }
        __syncthreads();
    }
}

// One thread per output element, walking its slice in order. Suits short slices and slices with a
// large stride whose neighbouring outputs are adjacent in memory (coalesced loads).
template <int K, class S, class V, class D>
__device__ __forceinline__ void reduce_thread(const S* __restrict__ src, long long sOff, const Layout& L, int redLen,
                                              int redStride, D* __restrict__ dst, long long dOff, int nOut) {
    CAIRN_GRID_LOOP(o, nOut) {
        long long base, unused;
        layout_offsets(L, o, base, unused);
        const S* p = src + sOff + base;
        Acc<V> acc = acc_init<K, V>();
        for (int r = 0; r < redLen; ++r) {
            Acc<V> x;
            x.v = v_load(p[(long long) r * redStride]);
            x.idx = r;
            acc = acc_combine<K, V>(acc, x);
        }
        acc_store<K, V, D>(dst + dOff + o, acc);
    }
}

#define CAIRN_REDUCE(NAME, K, S, V, D)                                                                        \
    extern "C" __global__ void reduce_##NAME##_##S##_##D##_block(const S* __restrict__ src, long long sOff,    \
                                                                 Layout L, int redLen, int redStride,          \
                                                                 D* __restrict__ dst, long long dOff, int nOut) { \
        reduce_block<K, S, V, D>(src, sOff, L, redLen, redStride, dst, dOff, nOut);                           \
    }                                                                                                         \
    extern "C" __global__ void reduce_##NAME##_##S##_##D##_thread(const S* __restrict__ src, long long sOff,   \
                                                                  Layout L, int redLen, int redStride,         \
                                                                  D* __restrict__ dst, long long dOff, int nOut) { \
        reduce_thread<K, S, V, D>(src, sOff, L, redLen, redStride, dst, dOff, nOut);                          \
    }                                                                                                         \
    CAIRN_REGISTER(reduce_##NAME##_##S##_##D##_block) CAIRN_REGISTER(reduce_##NAME##_##S##_##D##_thread)

// float32: values as float32, indices as int64 (PyTorch's dtype for argmax / argmin).
CAIRN_REDUCE(sum, K_SUM, f32, float, f32)
CAIRN_REDUCE(max, K_MAX, f32, float, f32)
CAIRN_REDUCE(min, K_MIN, f32, float, f32)
CAIRN_REDUCE(argmax, K_ARGMAX, f32, float, i64)
CAIRN_REDUCE(argmin, K_ARGMIN, f32, float, i64)
CAIRN_REDUCE(prod, K_PROD, f32, double, f32)  /* accumulated in double, as the CPU backend */

// Integers and bool: sums and products as int64, MAX/MIN in the source dtype, indices as int64.
#define CAIRN_REDUCE_INT(S)                                  \
    CAIRN_REDUCE(sum, K_SUM, S, long long, i64)              \
    CAIRN_REDUCE(prod, K_PROD, S, long long, i64)            \
    CAIRN_REDUCE(max, K_MAX, S, long long, S)                \
    CAIRN_REDUCE(min, K_MIN, S, long long, S)                \
    CAIRN_REDUCE(argmax, K_ARGMAX, S, long long, i64)        \
    CAIRN_REDUCE(argmin, K_ARGMIN, S, long long, i64)

CAIRN_REDUCE_INT(i64)
CAIRN_REDUCE_INT(i32)
CAIRN_REDUCE_INT(b8)
