// Fused scaled dot-product attention (Backend.attention): attention_f32. One thread per query row
// (b, h, i) of q [B, H, L, D] (grid-stride over the B*H*L rows): the row's scores against the S keys of
// k [B, H, S, D] are taken one at a time with an online softmax (running maximum m and sum l, the output
// rescaled by e^(m_old - m_new) when the maximum grows), so no [L, S] scores exist in memory; the weighted
// sum of the rows of v [B, H, S, Dv] accumulates straight in the dense dst [B, H, L, Dv] row and is divided
// by l at the end. Each operand comes with its four strides (b, h, row, column); the float mask
// [B, H, L, S] (stride 0 along broadcast dimensions) is added to the scores when hasMask. The query is
// multiplied by scale before the product, as on the CPU (AttentionKernels). Softmax semantics follow
// softmax_f32: a row whose scores hold NaN or +inf, or only -inf, gives NaN (a -inf score weighs 0 without
// forming -inf - -inf; a row of only -inf ends with 0 / 0); S == 0 gives zeros. The sums run in another
// order than the CPU's two passes, so results agree to rounding.
#include "cairn_common.cuh"

extern "C" {

__global__ void attention_f32(const float* __restrict__ q, long long qOff, int qb, int qh, int ql, int qd,
                              const float* __restrict__ k, long long kOff, int kb, int kh, int ks, int kd,
                              const float* __restrict__ v, long long vOff, int vb, int vh, int vs, int vd,
                              const float* __restrict__ mask, long long mOff, int mb, int mh, int ml, int ms,
                              int hasMask, int B, int H, int L, int S, int D, int Dv, float scale,
                              float* __restrict__ dst, long long dOff) {
    CAIRN_GRID_LOOP(r, B * H * L) {
        unsigned int i = r % (unsigned int) L;
        unsigned int bh = r / (unsigned int) L;
        long long h = bh % (unsigned int) H;
        long long b = bh / (unsigned int) H;
        const float* qr = q + qOff + b * qb + h * qh + (long long) i * ql;
        const float* kp = k + kOff + b * kb + h * kh;
        const float* vp = v + vOff + b * vb + h * vh;
        const float* mr = hasMask ? mask + mOff + b * mb + h * mh + (long long) i * ml : nullptr;
        float* out = dst + dOff + (long long) r * Dv;
        for (int c = 0; c < Dv; ++c) out[c] = 0.0f;
        float m = -INFINITY;
        float l = 0.0f;
        for (int j = 0; j < S; ++j) {
            const float* kr = kp + (long long) j * ks;
            float s = 0.0f;
            for (int c = 0; c < D; ++c) s = fmaf(qr[(long long) c * qd] * scale, kr[(long long) c * kd], s);
            if (hasMask) s += mr[(long long) j * ms];
            if (s > m) {
                float alpha = expf(m - s);
                l *= alpha;
                for (int c = 0; c < Dv; ++c) out[c] *= alpha;
                m = s;
            }
            float p = s == -INFINITY ? 0.0f : expf(s - m);
            l += p;
            const float* vr = vp + (long long) j * vs;
            for (int c = 0; c < Dv; ++c) out[c] = fmaf(p, vr[(long long) c * vd], out[c]);
        }
        if (S > 0) {
            float inv = 1.0f / l;
            for (int c = 0; c < Dv; ++c) out[c] *= inv;
        }
    }
}

}  // extern "C"
