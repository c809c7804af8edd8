// cuda_host_emu.h - runs Cairn's CUDA C kernels on the host CPU, for tests on machines without a GPU.
//
// Each src/main/cuda/*.cu file is compiled by the host C++ compiler with this header force-included
// (g++ -include cuda_host_emu.h); kernel_host.cpp is the driver that executes launches. A block's
// CUDA threads are fibers (ucontext) on one OS thread: each runs until it reaches __syncthreads(),
// a warp shuffle or its end, so a missing barrier shows up as a wrong result (the next thread has
// not run yet), and barrier misuse (a __syncthreads() some threads never reach, a shuffle while
// other lanes of the warp wait elsewhere or have exited) stops the run with a message. What is
// emulated: threadIdx, blockIdx, blockDim, gridDim, __shared__ (one copy per block, as blocks run
// one after another), __syncthreads, __syncwarp, __shfl{,_up,_down,_xor}_sync on full warps, and
// atomics (trivially atomic: fibers never interleave inside one). Buffers are typed (float, long long,
// int, bool as unsigned char); a pointer parameter of another element type fails the launch. What is not: timing, memory
// coherence subtleties beyond barriers, partial-warp masks, device-specific float accuracy (the
// host's libm computes expf/logf/powf; nvcc's are within 2 ulp of them).
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#define __global__
#define __host__
#define __device__ static
#define __forceinline__ inline
#define __noinline__
#define __shared__ static
#define __constant__ static
#define __launch_bounds__(...)

struct uint3 {
    unsigned int x, y, z;
};
struct dim3 {
    unsigned int x, y, z;
};

namespace cairn_emu {

// The indices of the running fiber and its launch. Plain globals: one OS thread runs everything.
extern uint3 threadIdx_, blockIdx_;
extern dim3 blockDim_, gridDim_;

// Barriers; they switch to the scheduler (kernel_host.cpp).
void syncthreads();
void syncwarp(unsigned mask);
// Shuffle support: the calling lane's 64-bit slot, and the slot of lane `lane` of the caller's warp.
uint64_t* shfl_slot_self();
const uint64_t* shfl_slot_of(int lane);
int lane_id();
[[noreturn]] void fail(const std::string& message);

template <class T>
T shfl_impl(unsigned mask, T v, int src) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffle of a type over 8 bytes");
    uint64_t bits = 0;
    memcpy(&bits, &v, sizeof(T));
    *shfl_slot_self() = bits;
    syncwarp(mask);  // every lane has published its value
    T r;
    memcpy(&r, shfl_slot_of(src), sizeof(T));
    syncwarp(mask);  // every lane has read before any slot is reused
    return r;
}

inline void check_width(int width) {
    if (width <= 0 || width > 32 || (width & (width - 1)) != 0) {
        fail("shuffle width " + std::to_string(width) + " is not a power of two in [1, 32]");
    }
}

}  // namespace cairn_emu

#define threadIdx (cairn_emu::threadIdx_)
#define blockIdx (cairn_emu::blockIdx_)
#define blockDim (cairn_emu::blockDim_)
#define gridDim (cairn_emu::gridDim_)
#define warpSize 32
#define __syncthreads() cairn_emu::syncthreads()

inline void __syncwarp(unsigned mask = 0xffffffffu) {
    cairn_emu::syncwarp(mask);
}

template <class T>
T __shfl_sync(unsigned mask, T v, int srcLane, int width = 32) {
    cairn_emu::check_width(width);
    int lane = cairn_emu::lane_id();
    return cairn_emu::shfl_impl(mask, v, (lane & ~(width - 1)) + (srcLane & (width - 1)));
}

template <class T>
T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    cairn_emu::check_width(width);
    int lane = cairn_emu::lane_id();
    int src = (lane & (width - 1)) + (int) delta < width ? lane + (int) delta : lane;
    return cairn_emu::shfl_impl(mask, v, src);
}

template <class T>
T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    cairn_emu::check_width(width);
    int lane = cairn_emu::lane_id();
    int src = (lane & (width - 1)) >= (int) delta ? lane - (int) delta : lane;
    return cairn_emu::shfl_impl(mask, v, src);
}

template <class T>
T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
    cairn_emu::check_width(width);
    int lane = cairn_emu::lane_id();
    int src = lane ^ laneMask;
    if ((src & ~(width - 1)) != (lane & ~(width - 1))) src = lane;
    return cairn_emu::shfl_impl(mask, v, src);
}

// ---- bit casts and intrinsics ----
inline float __int_as_float(int i) {
    float f;
    memcpy(&f, &i, 4);
    return f;
}
inline int __float_as_int(float f) {
    int i;
    memcpy(&i, &f, 4);
    return i;
}
inline float __uint_as_float(unsigned int i) {
    float f;
    memcpy(&f, &i, 4);
    return f;
}
inline unsigned int __float_as_uint(float f) {
    unsigned int i;
    memcpy(&i, &f, 4);
    return i;
}
inline float rsqrtf(float x) {
    return 1.0f / sqrtf(x);
}
inline float __fdividef(float a, float b) {
    return a / b;
}
inline float __expf(float x) {
    return expf(x);
}
inline float __logf(float x) {
    return logf(x);
}
inline float __saturatef(float x) {
    return x != x ? 0.0f : (x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x));
}
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned int min(unsigned int a, unsigned int b) { return a < b ? a : b; }
inline unsigned int max(unsigned int a, unsigned int b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }

// ---- atomics: trivially atomic, as fibers switch only at barriers ----
template <class T>
T atomicAdd(T* p, T v) {
    T old = *p;
    *p = old + v;
    return old;
}
template <class T>
T atomicSub(T* p, T v) {
    T old = *p;
    *p = old - v;
    return old;
}
template <class T>
T atomicExch(T* p, T v) {
    T old = *p;
    *p = v;
    return old;
}
template <class T>
T atomicMax(T* p, T v) {
    T old = *p;
    if (v > old) *p = v;
    return old;
}
template <class T>
T atomicMin(T* p, T v) {
    T old = *p;
    if (v < old) *p = v;
    return old;
}
template <class T>
T atomicCAS(T* p, T compare, T v) {
    T old = *p;
    if (old == compare) *p = v;
    return old;
}

// ---- kernel registration: the driver looks kernels up by their extern "C" name ----
namespace cairn_emu {

// One launch argument as the Java side wrote it: 'i' int, 'l' long long, 'f' float, 'p' device
// pointer (a buffer number), 's' a struct of ints passed by value.
struct Arg {
    char tag;
    long long i;
    float f;
    int buffer;
    std::vector<int> ints;
};

// Resolves a buffer number to its host address, checking that the buffer holds elements of `type`
// ('f' float, 'l' long long, 'i' int, 'b' bool as unsigned char) (kernel_host.cpp).
void* buffer_address(int buffer, char type, int index);

template <class T>
struct ElementTag;
template <>
struct ElementTag<float> {
    static constexpr char tag = 'f';
};
template <>
struct ElementTag<long long> {
    static constexpr char tag = 'l';
};
template <>
struct ElementTag<int> {
    static constexpr char tag = 'i';
};
template <>
struct ElementTag<unsigned char> {
    static constexpr char tag = 'b';
};

template <class T, class Enable = void>
struct Conv {
    static T get(const Arg& a, int index) {
        static_assert(std::is_trivially_copyable<T>::value && std::is_class<T>::value,
                      "kernel parameter type not supported by the emulator");
        if (a.tag != 's' || a.ints.size() * sizeof(int) != sizeof(T)) {
            fail("parameter " + std::to_string(index) + " is a struct of " + std::to_string(sizeof(T) / sizeof(int))
                 + " ints, but the launch passed " + (a.tag == 's' ? std::to_string(a.ints.size()) + " ints"
                 : std::string("a '") + a.tag + "' value"));
        }
        T t;
        memcpy(&t, a.ints.data(), sizeof(T));
        return t;
    }
};
inline void expect(const Arg& a, char tag, int index, const char* type) {
    if (a.tag != tag) {
        fail("parameter " + std::to_string(index) + " is " + type + ", but the launch passed a '" + a.tag
             + "' value (i=int, l=long long, f=float, p=pointer, s=struct)");
    }
}
template <>
struct Conv<int> {
    static int get(const Arg& a, int index) {
        expect(a, 'i', index, "int");
        return (int) a.i;
    }
};
template <>
struct Conv<long long> {
    static long long get(const Arg& a, int index) {
        expect(a, 'l', index, "long long");
        return a.i;
    }
};
template <>
struct Conv<float> {
    static float get(const Arg& a, int index) {
        expect(a, 'f', index, "float");
        return a.f;
    }
};
template <class T>
struct Conv<T*, void> {
    static T* get(const Arg& a, int index) {
        using E = typename std::remove_cv<T>::type;
        expect(a, 'p', index, "a pointer");
        return (T*) buffer_address(a.buffer, ElementTag<E>::tag, index);
    }
};

using Thunk = std::function<void()>;
using Binder = Thunk (*)(void* kernel, const std::vector<Arg>& args);
struct Entry {
    void* kernel;
    Binder bind;
    int arity;
};
std::map<std::string, Entry>& registry();

template <class... P, std::size_t... I>
std::tuple<P...> convert(const std::vector<Arg>& args, std::index_sequence<I...>) {
    return std::tuple<P...>(Conv<typename std::decay<P>::type>::get(args[I], (int) I)...);
}

template <class... P>
Thunk bind(void* kernel, const std::vector<Arg>& args) {
    if (args.size() != sizeof...(P)) {
        fail("the kernel takes " + std::to_string(sizeof...(P)) + " parameters, the launch passed "
             + std::to_string(args.size()));
    }
    auto f = reinterpret_cast<void (*)(P...)>(kernel);
    auto t = convert<P...>(args, std::index_sequence_for<P...>{});
    return [f, t]() { std::apply(f, t); };
}

template <class... P>
int register_kernel(const char* name, void (*kernel)(P...)) {
    registry()[name] = Entry{reinterpret_cast<void*>(kernel), &bind<P...>, (int) sizeof...(P)};
    return 0;
}

}  // namespace cairn_emu

#define CAIRN_EMU_REGISTER(k) static int cairn_emu_registered_##k = cairn_emu::register_kernel(#k, &k);
// Kernels generated by macros (one per op and dtype) register themselves through cairn_common.cuh's hook.
#define CAIRN_REGISTER(k) CAIRN_EMU_REGISTER(k)
