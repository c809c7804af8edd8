// Cairn's own float32 GEMM, used where cuBLAS 12 is absent (or forced with -Dcairn.cuda.gemm=own).
// Row-major C[b] = A[b] @ B[b] (+ bias[col]) (ReLU), for any M, N, K >= 0 and any leading
// dimensions. A transposed operand is read through its flag (element [i, k] at k * lda + i), never
// copied. Shared-memory tiles of BM x BK (A) and BK x BN (B), 256 threads, each accumulating a
// TM x TN block of C in registers (rows ty + 16 r, columns tx + 16 c, so that stores coalesce).
// Edges are handled by zero-filling the tiles and masking the stores.
#include "cairn_common.cuh"

template <int TM, int TN, int BK>
__device__ __forceinline__ void sgemm_tile(int batch, int M, int N, int K,
                                           const float* __restrict__ A, long long aOff, int lda, int transA,
                                           long long aBatch,
                                           const float* __restrict__ B, long long bOff, int ldb, int transB,
                                           long long bBatch,
                                           float* __restrict__ C, long long cOff, int ldc, long long cBatch,
                                           const float* __restrict__ bias, long long biasOff, int hasBias,
                                           int relu) {
    constexpr int BM = 16 * TM;
    constexpr int BN = 16 * TN;
    constexpr int NT = 256;
    constexpr int A_LOADS = BM * BK / NT;
    constexpr int B_LOADS = BN * BK / NT;
    static_assert(BM * BK % NT == 0 && BN * BK % NT == 0, "tile sizes must divide by the thread count");

    __shared__ float As[BK][BM + 1];  // k-major; +1 spreads the transposing stores over banks
    __shared__ float Bs[BK][BN + 1];

    const int tid = threadIdx.x;
    const int tx = tid % 16;
    const int ty = tid / 16;
    const int rowBase = blockIdx.y * BM;
    const int colBase = blockIdx.x * BN;

    for (int bt = blockIdx.z; bt < batch; bt += gridDim.z) {
        const float* Ab = A + aOff + (long long) bt * aBatch;
        const float* Bb = B + bOff + (long long) bt * bBatch;
        float acc[TM][TN];
#pragma unroll
        for (int r = 0; r < TM; ++r)
#pragma unroll
            for (int c = 0; c < TN; ++c) acc[r][c] = 0.0f;

        for (int k0 = 0; k0 < K; k0 += BK) {
#pragma unroll
            for (int l = 0; l < A_LOADS; ++l) {
                int e = tid + l * NT;
                int i, kk;
                if (!transA) {  // A[i, k] at i * lda + k: neighbouring threads take neighbouring k
                    kk = e % BK;
                    i = e / BK;
                } else {        // A[i, k] at k * lda + i: neighbouring threads take neighbouring i
                    i = e % BM;
                    kk = e / BM;
                }
                int gi = rowBase + i;
                int gk = k0 + kk;
                float v = 0.0f;
                if (gi < M && gk < K) {
                    v = transA ? Ab[(long long) gk * lda + gi] : Ab[(long long) gi * lda + gk];
                }
                As[kk][i] = v;
            }
#pragma unroll
            for (int l = 0; l < B_LOADS; ++l) {
                int e = tid + l * NT;
                int j, kk;
                if (!transB) {  // B[k, j] at k * ldb + j
                    j = e % BN;
                    kk = e / BN;
                } else {        // B[k, j] at j * ldb + k
                    kk = e % BK;
                    j = e / BK;
                }
                int gj = colBase + j;
                int gk = k0 + kk;
                float v = 0.0f;
                if (gj < N && gk < K) {
                    v = transB ? Bb[(long long) gj * ldb + gk] : Bb[(long long) gk * ldb + gj];
                }
                Bs[kk][j] = v;
            }
            __syncthreads();
#pragma unroll
            for (int kk = 0; kk < BK; ++kk) {
                float a[TM], b[TN];
#pragma unroll
                for (int r = 0; r < TM; ++r) a[r] = As[kk][ty + 16 * r];
#pragma unroll
                for (int c = 0; c < TN; ++c) b[c] = Bs[kk][tx + 16 * c];
#pragma unroll
                for (int r = 0; r < TM; ++r)
#pragma unroll
                    for (int c = 0; c < TN; ++c) acc[r][c] = fmaf(a[r], b[c], acc[r][c]);
            }
            __syncthreads();
        }

        float* Cb = C + cOff + (long long) bt * cBatch;
#pragma unroll
        for (int r = 0; r < TM; ++r) {
            int gi = rowBase + ty + 16 * r;
            if (gi >= M) continue;
#pragma unroll
            for (int c = 0; c < TN; ++c) {
                int gj = colBase + tx + 16 * c;
                if (gj >= N) continue;
                float v = acc[r][c];
                if (hasBias) v += bias[biasOff + gj];
                if (relu && v < 0.0f) v = 0.0f;  /* NaN and -0 stay, as in PyTorch */
                Cb[(long long) gi * ldc + gj] = v;
            }
        }
    }
}

extern "C" {

// 64 x 64 tiles, 4 x 4 per thread: for small outputs (more blocks to spread over the SMs).
__global__ void __launch_bounds__(256) cairn_sgemm_64(int batch, int M, int N, int K,
        const float* __restrict__ A, long long aOff, int lda, int transA, long long aBatch,
        const float* __restrict__ B, long long bOff, int ldb, int transB, long long bBatch,
        float* __restrict__ C, long long cOff, int ldc, long long cBatch,
        const float* __restrict__ bias, long long biasOff, int hasBias, int relu) {
    sgemm_tile<4, 4, 16>(batch, M, N, K, A, aOff, lda, transA, aBatch, B, bOff, ldb, transB, bBatch,
                         C, cOff, ldc, cBatch, bias, biasOff, hasBias, relu);
}

// 128 x 128 tiles, 8 x 8 per thread: for large outputs.
__global__ void __launch_bounds__(256) cairn_sgemm_128(int batch, int M, int N, int K,
        const float* __restrict__ A, long long aOff, int lda, int transA, long long aBatch,
        const float* __restrict__ B, long long bOff, int ldb, int transB, long long bBatch,
        float* __restrict__ C, long long cOff, int ldc, long long cBatch,
        const float* __restrict__ bias, long long biasOff, int hasBias, int relu) {
    sgemm_tile<8, 8, 8>(batch, M, N, K, A, aOff, lda, transA, aBatch, B, bOff, ldb, transB, bBatch,
                        C, cOff, ldc, cBatch, bias, biasOff, hasBias, relu);
}

}  // extern "C"
