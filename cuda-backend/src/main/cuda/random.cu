// Counter-based random numbers (Backend.random): Philox4x32-10 blocks turned into float32 elements, one
// block (four elements) per thread. The words and the integer steps are exactly those of the Java
// reference (dev.cairn.backend.Philox and RandomOp), so uniform and bernoulli elements are bit-identical
// to the CPU backend's; normal ones go through double log/sin/cos, within a float ulp of the CPU's.
// random_<op>_f32(dst, off, n, seed, counter, a, b): dst[off + i] for i < n takes lane i % 4 of the block
// counter + i / 4 of seed's stream (counter words (lo, hi, 0, 0), key (lo(seed), hi(seed))).
#include "cairn_common.cuh"

#define CAIRN_PHILOX_M0 0xD2511F53u
#define CAIRN_PHILOX_M1 0xCD9E8D57u
#define CAIRN_PHILOX_W0 0x9E3779B9u
#define CAIRN_PHILOX_W1 0xBB67AE85u

// Philox4x32-10 of the counter (c0, c1, c2, c3) under the key (k0, k1), in place in w.
__device__ __forceinline__ void philox4x32_10(unsigned int c0, unsigned int c1, unsigned int c2, unsigned int c3,
                                              unsigned int k0, unsigned int k1, unsigned int w[4]) {
#pragma unroll
    for (int round = 0; round < 10; round++) {
        unsigned long long p0 = (unsigned long long) c0 * CAIRN_PHILOX_M0;
        unsigned long long p1 = (unsigned long long) c2 * CAIRN_PHILOX_M1;
        unsigned int n0 = (unsigned int) (p1 >> 32) ^ c1 ^ k0;
        unsigned int n2 = (unsigned int) (p0 >> 32) ^ c3 ^ k1;
        c1 = (unsigned int) p1;
        c3 = (unsigned int) p0;
        c0 = n0;
        c2 = n2;
        k0 += CAIRN_PHILOX_W0;
        k1 += CAIRN_PHILOX_W1;
    }
    w[0] = c0;
    w[1] = c1;
    w[2] = c2;
    w[3] = c3;
}

// Block `counter` of seed's stream.
__device__ __forceinline__ void philox_block(unsigned long long seed, unsigned long long counter, unsigned int w[4]) {
    philox4x32_10((unsigned int) counter, (unsigned int) (counter >> 32), 0u, 0u, (unsigned int) seed,
                  (unsigned int) (seed >> 32), w);
}

// The uniform float in [0, 1) of a word: its top 24 bits times 2^-24 (exact).
__device__ __forceinline__ float philox_unit(unsigned int word) {
    return (float) (word >> 8) * 5.9604644775390625e-08f;
}

// The four values of a block for each op (RandomOp.apply).
__device__ __forceinline__ void random_values_uniform(const unsigned int w[4], float a, float b, float v[4]) {
    float range = b - a;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        float x = fmaf(philox_unit(w[i]), range, a);
        v[i] = x >= b && b > a ? nextafterf(b, a) : x;
    }
}

__device__ __forceinline__ void random_values_normal(const unsigned int w[4], float a, float b, float v[4]) {
#pragma unroll
    for (int i = 0; i < 4; i += 2) {
        double u1 = ((double) w[i] + 1.0) * 2.3283064365386963e-10;  // (0, 1]
        double t = 6.283185307179586 * ((double) w[i + 1] * 2.3283064365386963e-10);
        double r = sqrt(-2.0 * log(u1));
        v[i] = fmaf((float) (r * cos(t)), b, a);
        v[i + 1] = fmaf((float) (r * sin(t)), b, a);
    }
}

__device__ __forceinline__ void random_values_bernoulli(const unsigned int w[4], float a, float b, float v[4]) {
#pragma unroll
    for (int i = 0; i < 4; i++) {
        v[i] = philox_unit(w[i]) < a ? b : 0.0f;
    }
}

#define CAIRN_RANDOM(OP)                                                                                   \
    extern "C" __global__ void random_##OP##_f32(float* __restrict__ dst, long long off, int n,            \
                                                 long long seed, long long counter, float a, float b) {     \
        unsigned int blocks = ((unsigned int) n + 3u) >> 2;                                                 \
        CAIRN_GRID_LOOP(j, blocks) {                                                                       \
            unsigned int w[4];                                                                             \
            float v[4];                                                                                    \
            philox_block((unsigned long long) seed, (unsigned long long) counter + j, w);                  \
            random_values_##OP(w, a, b, v);                                                                \
            unsigned int first = j << 2;                                                                   \
            float* out = dst + off + first;                                                                \
            if (first + 4u <= (unsigned int) n) {                                                          \
                out[0] = v[0];                                                                             \
                out[1] = v[1];                                                                             \
                out[2] = v[2];                                                                             \
                out[3] = v[3];                                                                             \
            } else {                                                                                       \
                for (unsigned int k = 0; first + k < (unsigned int) n; k++) {                              \
                    out[k] = v[k];                                                                         \
                }                                                                                          \
            }                                                                                              \
        }                                                                                                  \
    }                                                                                                      \
    CAIRN_REGISTER(random_##OP##_f32)

CAIRN_RANDOM(uniform)
CAIRN_RANDOM(normal)
CAIRN_RANDOM(bernoulli)
