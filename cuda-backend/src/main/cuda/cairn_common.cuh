// Shared definitions for Cairn's CUDA kernels. Compiled into PTX by ../../../compile-kernels.sh;
// the PTX is committed under src/main/resources/dev/cairn/backend/cuda/ and loaded at run time
// with cuModuleLoadData. Keep these in step with Layout.java (layout packing) and CudaBackend.java
// (launch arguments). The op-code #defines in elementwise.cu / reduce.cu must equal the ordinals of
// UnaryOp / BinaryOp / ReduceOp (KernelOpCodesTest checks them).
#pragma once

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
