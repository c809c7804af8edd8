// Line kernels: softmax / log-softmax and their gradient, layer norm (statistics, write, gradients), batch
// norm over the channels (statistics, running statistics, write; gradients) and the running sum (cumsum),
// one extern "C" kernel each, named as the others (KernelNames: the op and the dtype): softmax_f32,
// softmax_backward_f32, layer_norm_f32, layer_norm_backward_f32, layer_norm_param_grads_f32, batch_norm_f32,
// batch_norm_backward_f32, cumsum_f32 and cumsum_i64 (core gives cumsum integer and bool inputs as int64). A "line" is every index of the dimensions other than the one the op runs
// along; the Layout L gives each line's start in the strided operands (s0, and s1 for a second operand),
// and dense outputs are addressed from the line number o (lineBase + the launch's own index, when the
// lines take several launches): start = (o / inner) * len * inner + o % inner, step inner (inner = the
// product of the sizes after the dimension). Semantics follow the CPU backend
// (RowKernels, LayerNormKernels, BatchNormKernels): NaN propagates through the maximum, sums of float lines are in float
// here (block tree order) and in double on the CPU; running sums are in double (float32) or wrapping int64,
// in the CPU's order.
#include "cairn_common.cuh"

// Block-wide reductions: blockDim.x a multiple of 32 (at most 1024); every thread gets the result.
__device__ __forceinline__ float block_sum(float v, float* shared) {
#pragma unroll
    for (int d = 16; d > 0; d >>= 1) v += __shfl_xor_sync(0xffffffffu, v, d);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    __syncthreads();  // shared may still be read by a previous reduction
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    v = lane < warps ? shared[lane] : 0.0f;
#pragma unroll
    for (int d = 16; d > 0; d >>= 1) v += __shfl_xor_sync(0xffffffffu, v, d);
    return v;
}

// The maximum with NaN propagating (as Java's Math.max and PyTorch's softmax).
__device__ __forceinline__ float nan_max(float a, float b) {
    return (isnan(a) || isnan(b)) ? __int_as_float(0x7fc00000) : fmaxf(a, b);
}

__device__ __forceinline__ float block_max(float v, float* shared) {
#pragma unroll
    for (int d = 16; d > 0; d >>= 1) v = nan_max(v, __shfl_xor_sync(0xffffffffu, v, d));
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    __syncthreads();
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    v = lane < warps ? shared[lane] : -INFINITY;
#pragma unroll
    for (int d = 16; d > 0; d >>= 1) v = nan_max(v, __shfl_xor_sync(0xffffffffu, v, d));
    return v;
}

__device__ __forceinline__ long long dense_line_start(unsigned int o, int len, int inner) {
    return (long long) (o / (unsigned int) inner) * len * inner + (o % (unsigned int) inner);
}

extern "C" {

// One block per line (grid-stride over lines): the maximum, the sum of e^(x - max) (kept in dst), then
// the scaled write; with isLog, x - max - ln(sum).
__global__ void softmax_f32(const float* __restrict__ src, long long sOff, Layout L, int len, int sStep,
                              float* __restrict__ dst, long long dOff, int inner, int lineBase, int nLines, int isLog) {
    __shared__ float red[32];
    for (unsigned int o = blockIdx.x; o < (unsigned int) nLines; o += gridDim.x) {
        long long base, unused;
        layout_offsets(L, o, base, unused);
        const float* p = src + sOff + base;
        float* q = dst + dOff + dense_line_start((unsigned int) lineBase + o, len, inner);
        float m = -INFINITY;
        for (int i = threadIdx.x; i < len; i += blockDim.x) m = nan_max(m, p[(long long) i * sStep]);
        m = block_max(m, red);
        float s = 0.0f;
        for (int i = threadIdx.x; i < len; i += blockDim.x) {
            float e = expf(p[(long long) i * sStep] - m);
            if (!isLog) q[(long long) i * inner] = e;
            s += e;
        }
        s = block_sum(s, red);
        if (isLog) {
            float ls = logf(s);
            for (int i = threadIdx.x; i < len; i += blockDim.x) q[(long long) i * inner] = p[(long long) i * sStep] - m - ls;
        } else {
            float scale = 1.0f / s;
            for (int i = threadIdx.x; i < len; i += blockDim.x) q[(long long) i * inner] *= scale;
        }
    }
}

// dst = y * (g - sum(g * y)), or with isLog g - e^y * sum(g); y uses strides s0, g strides s1.
__global__ void softmax_backward_f32(const float* __restrict__ y, long long yOff, const float* __restrict__ g,
                                       long long gOff, Layout L, int len, int yStep, int gStep,
                                       float* __restrict__ dst, long long dOff, int inner, int lineBase, int nLines, int isLog) {
    __shared__ float red[32];
    for (unsigned int o = blockIdx.x; o < (unsigned int) nLines; o += gridDim.x) {
        long long by, bg;
        layout_offsets(L, o, by, bg);
        const float* py = y + yOff + by;
        const float* pg = g + gOff + bg;
        float* q = dst + dOff + dense_line_start((unsigned int) lineBase + o, len, inner);
        float s = 0.0f;
        for (int i = threadIdx.x; i < len; i += blockDim.x) {
            float gv = pg[(long long) i * gStep];
            s += isLog ? gv : gv * py[(long long) i * yStep];
        }
        s = block_sum(s, red);
        for (int i = threadIdx.x; i < len; i += blockDim.x) {
            float yv = py[(long long) i * yStep];
            float gv = pg[(long long) i * gStep];
            q[(long long) i * inner] = isLog ? gv - expf(yv) * s : yv * (gv - s);
        }
    }
}

// One block per row of x ([rows, cols], row stride xStride, unit column stride): mean, biased variance
// of the centred values, then dst = (x - mean) * rstd * w + b (dense); mean and rstd saved per row.
__global__ void layer_norm_f32(const float* __restrict__ x, long long xOff, int xStride, int rows, int cols,
                                 const float* __restrict__ w, long long wOff, int hasW,
                                 const float* __restrict__ b, long long bOff, int hasB, float eps,
                                 float* __restrict__ dst, long long dOff, float* __restrict__ mean,
                                 long long meanOff, float* __restrict__ rstd, long long rstdOff) {
    __shared__ float red[32];
    for (unsigned int r = blockIdx.x; r < (unsigned int) rows; r += gridDim.x) {
        const float* p = x + xOff + (long long) r * xStride;
        float* q = dst + dOff + (long long) r * cols;
        float s = 0.0f;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) s += p[j];
        float mu = block_sum(s, red) / cols;
        float v = 0.0f;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) {
            float c = p[j] - mu;
            v += c * c;
        }
        float rs = 1.0f / sqrtf(block_sum(v, red) / cols + eps);
        for (int j = threadIdx.x; j < cols; j += blockDim.x) {
            float yv = (p[j] - mu) * rs;
            if (hasW) yv *= w[wOff + j];
            if (hasB) yv += b[bOff + j];
            q[j] = yv;
        }
        if (threadIdx.x == 0) {
            mean[meanOff + r] = mu;
            rstd[rstdOff + r] = rs;
        }
    }
}

// One block per row: dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)), gw = g * w, xhat = (x - mean) * rstd.
__global__ void layer_norm_backward_f32(const float* __restrict__ x, long long xOff, int xStride,
                                          const float* __restrict__ g, long long gOff, int gStride, int rows, int cols,
                                          const float* __restrict__ mean, long long meanOff,
                                          const float* __restrict__ rstd, long long rstdOff,
                                          const float* __restrict__ w, long long wOff, int hasW,
                                          float* __restrict__ dx, long long dxOff) {
    __shared__ float red[32];
    for (unsigned int r = blockIdx.x; r < (unsigned int) rows; r += gridDim.x) {
        const float* px = x + xOff + (long long) r * xStride;
        const float* pg = g + gOff + (long long) r * gStride;
        float mu = mean[meanOff + r];
        float rs = rstd[rstdOff + r];
        float sg = 0.0f, sgx = 0.0f;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) {
            float gw = hasW ? pg[j] * w[wOff + j] : pg[j];
            sg += gw;
            sgx += gw * ((px[j] - mu) * rs);
        }
        float mg = block_sum(sg, red) / cols;
        float mgx = block_sum(sgx, red) / cols;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) {
            float gw = hasW ? pg[j] * w[wOff + j] : pg[j];
            float xhat = (px[j] - mu) * rs;
            dx[dxOff + (long long) r * cols + j] = rs * (gw - mg - xhat * mgx);
        }
    }
}

// One thread per column: dw[j] = sum over rows of g * xhat, db[j] = sum of g (each when asked).
__global__ void layer_norm_param_grads_f32(const float* __restrict__ x, long long xOff, int xStride,
                                             const float* __restrict__ g, long long gOff, int gStride, int rows,
                                             int cols, const float* __restrict__ mean, long long meanOff,
                                             const float* __restrict__ rstd, long long rstdOff,
                                             float* __restrict__ dw, long long dwOff, int hasDw,
                                             float* __restrict__ db, long long dbOff, int hasDb) {
    for (unsigned int j = blockIdx.x * blockDim.x + threadIdx.x; j < (unsigned int) cols; j += blockDim.x * gridDim.x) {
        float sw = 0.0f, sb = 0.0f;
        for (int r = 0; r < rows; ++r) {
            float gv = g[gOff + (long long) r * gStride + j];
            sw += gv * ((x[xOff + (long long) r * xStride + j] - mean[meanOff + r]) * rstd[rstdOff + r]);
            sb += gv;
        }
        if (hasDw) dw[dwOff + j] = sw;
        if (hasDb) db[dbOff + j] = sb;
    }
}

// One block per channel c (grid-stride over channels) of x viewed as [n, channels, spatial] (strides xN, xC,
// xS): with training the batch mean and the biased variance of the centred values over the m = n * spatial
// values (then thread 0 updates the running statistics present: r = (1 - momentum) * r + momentum * stat,
// the variance unbiased), else the running statistics; then dst = (x - mean) * scale + b (dense [n, channels,
// spatial]) with scale = invstd * w, as the CPU; mean and invstd saved per channel.
__global__ void batch_norm_f32(const float* __restrict__ x, long long xOff, int xN, int xC, int xS, int n,
                               int channels, int spatial,
                               const float* __restrict__ w, long long wOff, int wStep, int hasW,
                               const float* __restrict__ b, long long bOff, int bStep, int hasB,
                               float* rm, long long rmOff, int rmStep, int hasRm,
                               float* rv, long long rvOff, int rvStep, int hasRv,
                               int training, float momentum, float eps, float* __restrict__ dst, long long dOff,
                               float* __restrict__ mean, long long meanOff, float* __restrict__ invstd,
                               long long invOff) {
    __shared__ float red[32];
    long long m = (long long) n * spatial;
    for (unsigned int c = blockIdx.x; c < (unsigned int) channels; c += gridDim.x) {
        const float* p = x + xOff + (long long) c * xC;
        float mu, inv;
        if (training) {
            float s = 0.0f;
            for (long long e = threadIdx.x; e < m; e += blockDim.x) {
                s += p[(e / spatial) * xN + (e % spatial) * xS];
            }
            mu = block_sum(s, red) / m;
            float v = 0.0f;
            for (long long e = threadIdx.x; e < m; e += blockDim.x) {
                float d = p[(e / spatial) * xN + (e % spatial) * xS] - mu;
                v += d * d;
            }
            float sq = block_sum(v, red);
            inv = 1.0f / sqrtf(sq / m + eps);
            if (threadIdx.x == 0) {
                if (hasRm) {
                    float* r = rm + rmOff + (long long) c * rmStep;
                    *r = (1.0f - momentum) * *r + momentum * mu;
                }
                if (hasRv) {
                    float* r = rv + rvOff + (long long) c * rvStep;
                    *r = (1.0f - momentum) * *r + momentum * (sq / (m - 1));
                }
            }
        } else {
            mu = rm[rmOff + (long long) c * rmStep];
            inv = 1.0f / sqrtf(rv[rvOff + (long long) c * rvStep] + eps);
        }
        float scale = hasW ? inv * w[wOff + (long long) c * wStep] : inv;
        float shift = hasB ? b[bOff + (long long) c * bStep] : 0.0f;
        for (long long e = threadIdx.x; e < m; e += blockDim.x) {
            long long i = e / spatial, j = e % spatial;
            dst[dOff + (i * channels + c) * spatial + j] = (p[i * xN + j * xS] - mu) * scale + shift;
        }
        if (threadIdx.x == 0) {
            mean[meanOff + c] = mu;
            invstd[invOff + c] = inv;
        }
    }
}

// One block per channel: sg = sum(g), sgx = sum(g * (x - mean)) over the channel's m values (when a gradient
// needs them); dw = sgx * invstd, db = sg; dx = (g - sg / m - (x - mean) * invstd^2 * sgx / m) * invstd * w with
// training, else g * invstd * w (dense [n, channels, spatial]).
__global__ void batch_norm_backward_f32(const float* __restrict__ x, long long xOff, int xN, int xC, int xS,
                                        const float* __restrict__ g, long long gOff, int gN, int gC, int gS,
                                        int n, int channels, int spatial,
                                        const float* __restrict__ mean, long long meanOff,
                                        const float* __restrict__ invstd, long long invOff,
                                        const float* __restrict__ w, long long wOff, int wStep, int hasW,
                                        int training, float* __restrict__ dx, long long dxOff, int hasDx,
                                        float* __restrict__ dw, long long dwOff, int hasDw,
                                        float* __restrict__ db, long long dbOff, int hasDb) {
    __shared__ float red[32];
    long long m = (long long) n * spatial;
    int sums = hasDw || hasDb || (training && hasDx);
    for (unsigned int c = blockIdx.x; c < (unsigned int) channels; c += gridDim.x) {
        const float* px = x + xOff + (long long) c * xC;
        const float* pg = g + gOff + (long long) c * gC;
        float mu = mean[meanOff + c];
        float inv = invstd[invOff + c];
        float sg = 0.0f, sgx = 0.0f;
        if (sums) {
            for (long long e = threadIdx.x; e < m; e += blockDim.x) {
                long long i = e / spatial, j = e % spatial;
                float gv = pg[i * gN + j * gS];
                sg += gv;
                sgx += gv * (px[i * xN + j * xS] - mu);
            }
            sg = block_sum(sg, red);
            sgx = block_sum(sgx, red);
        }
        if (threadIdx.x == 0) {
            if (hasDw) dw[dwOff + c] = sgx * inv;
            if (hasDb) db[dbOff + c] = sg;
        }
        if (!hasDx) continue;
        float scale = hasW ? inv * w[wOff + (long long) c * wStep] : inv;
        float gMean = sg / m;
        float k = sgx / m * inv * inv;
        for (long long e = threadIdx.x; e < m; e += blockDim.x) {
            long long i = e / spatial, j = e % spatial;
            float gv = pg[i * gN + j * gS];
            dx[dxOff + (i * channels + c) * spatial + j] =
                training ? (gv - gMean - (px[i * xN + j * xS] - mu) * k) * scale : gv * scale;
        }
    }
}

}  // extern "C"

// One thread per line, an O(len) scan from the end when reverse: float32 accumulated in double (A double),
// int64 in int64 with wrap-around (A long long), in the CPU backend's order.
#define CAIRN_CUMSUM(T, A)                                                                                     \
    extern "C" __global__ void cumsum_##T(const T* __restrict__ src, long long sOff, Layout L, int len, int sStep,  \
                                          T* __restrict__ dst, long long dOff, int inner, int lineBase, int nLines, \
                                          int reverse) {                                                        \
        CAIRN_GRID_LOOP(o, nLines) {                                                                           \
            long long base, unused;                                                                            \
            layout_offsets(L, o, base, unused);                                                                \
            const T* p = src + sOff + base;                                                                    \
            T* q = dst + dOff + dense_line_start((unsigned int) lineBase + o, len, inner);                     \
            A acc = 0;                                                                                         \
            for (int k = 0; k < len; ++k) {                                                                    \
                int i = reverse ? len - 1 - k : k;                                                             \
                acc = cumsum_add(acc, p[(long long) i * sStep]);                                               \
                q[(long long) i * inner] = (T) acc;                                                            \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \
    CAIRN_REGISTER(cumsum_##T)

__device__ __forceinline__ double cumsum_add(double acc, float x) { return acc + x; }
__device__ __forceinline__ long long cumsum_add(long long acc, long long x) { return wrap_add(acc, x); }

CAIRN_CUMSUM(f32, double)
CAIRN_CUMSUM(i64, long long)
