// Shared definitions for Cairn's CUDA kernels. Compiled into PTX by ../../../compile-kernels.sh;
// the PTX is committed under src/main/resources/dev/cairn/backend/cuda/ and loaded at run time
// with cuModuleLoadData. Keep these in step with Layout.java (layout packing) and CudaKernels.java
// (launch arguments). Every op is its own extern "C" kernel, found by name: `<family>_<op>_<dtype>`
// (KernelNames.java builds the names; KernelNamesTest checks that each Java op has its kernel).
#pragma once

// Element types, named as in the kernel names: f32, i64, i32, b8 (bool, one byte holding 0 or 1).
typedef float f32;
typedef long long i64;
typedef int i32;
typedef unsigned char b8;

// Registers a kernel with the host emulation of the tests (src/test/emu); nothing under nvcc.
#ifndef CAIRN_REGISTER
#define CAIRN_REGISTER(k)
#endif

// A grid-stride loop over i < n (n < 2^31, so the unsigned index never wraps).
#define CAIRN_GRID_LOOP(i, n) \
    for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned int) (n); i += blockDim.x * gridDim.x)

// Highest rank a kernel handles in one launch; the Java side loops over leading dimensions beyond.
#define CAIRN_MAX_RANK 8

// Shape and up to two stride vectors, passed by value as a kernel parameter. Java packs it as
// int[1 + 3 * CAIRN_MAX_RANK]: rank, shape[8], s0[8], s1[8] (unused entries are 0).
struct Layout {
    int rank;
    int shape[CAIRN_MAX_RANK];
    int s0[CAIRN_MAX_RANK];
    int s1[CAIRN_MAX_RANK];
};

// Element offsets (relative to the operand's base offset) of linear index i in the layout.
// Element counts fit in 31 bits (storages are int-sized), so 32-bit division suffices. Kernels walk
// their grid-stride loops with unsigned 32-bit indices: i < n < 2^31 and a stride < 2^31 never wrap.
__device__ __forceinline__ void layout_offsets(const Layout& L, unsigned int i, long long& o0, long long& o1) {
    long long a = 0, b = 0;
#pragma unroll
    for (int d = CAIRN_MAX_RANK - 1; d >= 0; --d) {
        if (d < L.rank) {
            unsigned int n = (unsigned int) L.shape[d];
            unsigned int c = i % n;
            i /= n;
            a += (long long) c * L.s0[d];
            b += (long long) c * L.s1[d];
        }
    }
    o0 = a;
    o1 = b;
}

// Shape and three stride vectors (where: cond, a, b; scatterAdd: dst, index, src). Java packs it as
// int[1 + 4 * CAIRN_MAX_RANK]: rank, shape[8], s0[8], s1[8], s2[8].
struct Layout3 {
    int rank;
    int shape[CAIRN_MAX_RANK];
    int s0[CAIRN_MAX_RANK];
    int s1[CAIRN_MAX_RANK];
    int s2[CAIRN_MAX_RANK];
};

__device__ __forceinline__ void layout_offsets3(const Layout3& L, unsigned int i, long long& o0, long long& o1,
                                                long long& o2) {
    long long a = 0, b = 0, c = 0;
#pragma unroll
    for (int d = CAIRN_MAX_RANK - 1; d >= 0; --d) {
        if (d < L.rank) {
            unsigned int n = (unsigned int) L.shape[d];
            unsigned int k = i % n;
            i /= n;
            a += (long long) k * L.s0[d];
            b += (long long) k * L.s1[d];
            c += (long long) k * L.s2[d];
        }
    }
    o0 = a;
    o1 = b;
    o2 = c;
}

// Java's (long) of a float: truncation toward zero, NaN to 0, saturating at the long range (what the
// CPU backend computes; PyTorch leaves out-of-range conversions undefined).
__device__ __forceinline__ long long java_f2l(float x) {
    if (x != x) return 0;
    if (x >= 9.2233720368547758e18f) return 0x7fffffffffffffffLL;
    if (x <= -9.2233720368547758e18f) return (long long) (-0x7fffffffffffffffLL - 1);
    return (long long) x;
}

// Integer arithmetic that wraps like Java's long (and, stored as int32, like PyTorch's int32).
__device__ __forceinline__ long long wrap_add(long long a, long long b) {
    return (long long) ((unsigned long long) a + (unsigned long long) b);
}
__device__ __forceinline__ long long wrap_sub(long long a, long long b) {
    return (long long) ((unsigned long long) a - (unsigned long long) b);
}
__device__ __forceinline__ long long wrap_mul(long long a, long long b) {
    return (long long) ((unsigned long long) a * (unsigned long long) b);
}

// An integer or bool element as a long long, and a long long stored into one (int32 wraps, bool is != 0).
__device__ __forceinline__ long long as_long(long long v) { return v; }
__device__ __forceinline__ long long as_long(int v) { return v; }
__device__ __forceinline__ long long as_long(unsigned char v) { return v; }
__device__ __forceinline__ void put_long(long long* p, long long v) { *p = v; }
__device__ __forceinline__ void put_long(int* p, long long v) { *p = (int) (unsigned int) (unsigned long long) v; }
__device__ __forceinline__ void put_long(unsigned char* p, long long v) { *p = v != 0 ? 1 : 0; }
__device__ __forceinline__ void put_long(float* p, long long v) { *p = (float) v; }
