// kernel_host.cpp - the driver that runs a queue of CUDA kernel launches on the host CPU.
//
//   cairn-kernel-host IN OUT
//
// IN (little-endian, written by EmulatedDevice.java): int magic 0x31484b43 ("CKH1"); int buffers;
// per buffer: int n, byte type ('f' float, 'l' int64, 'i' int32, 'b' bool as one byte), n elements; int launches; per launch: int nameLength, name bytes, int gx, gy, gz,
// bx, by, bz, int args; per argument a tag byte and its value: 'i' int32, 'l' int64, 'f' float32,
// 'p' int32 buffer number, 's' int32 count + int32[count] (a struct passed by value).
// OUT: int buffers; per buffer: int n, byte type, n elements (the contents after every launch ran).
//
// Each buffer lies at the end of its own pages with an inaccessible page after it (and before its
// pages), so a read or write past its end stops the run with a message naming the launch, block,
// thread, buffer and element; the bytes between the page start and the buffer are a sentinel
// checked after every launch (a write before the start). Exit status 0 on success, 2 on a launch
// error (message on stderr), 3 on an out-of-bounds access.
#include "cuda_host_emu.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

// Switching between fibers: on x86-64 a minimal switch of the callee-saved registers and the stack
// pointer (glibc's swapcontext also saves the signal mask, a system call per switch, which made the
// emulation ~20x slower); elsewhere ucontext.
#if defined(__x86_64__) && !defined(CAIRN_EMU_UCONTEXT)
#define CAIRN_FAST_SWITCH 1
// cairn_switch(void** saveSp, void* loadSp): saves the callee-saved registers on the current stack,
// stores its pointer in *saveSp, switches to loadSp and restores the registers saved there.
extern "C" void cairn_switch(void** saveSp, void* loadSp);
asm(R"(
    .text
    .p2align 4
    .globl cairn_switch
    .type cairn_switch, @function
cairn_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size cairn_switch, .-cairn_switch
)");
#else
#define CAIRN_FAST_SWITCH 0
#endif

namespace cairn_emu {

uint3 threadIdx_, blockIdx_;
dim3 blockDim_, gridDim_;

std::map<std::string, Entry>& registry() {
    static std::map<std::string, Entry> r;
    return r;
}

namespace {

constexpr unsigned char SENTINEL = 0xa5;  // every byte between the page start and a buffer

struct Buffer {
    char* region = nullptr;   // pre-guard page, data pages, post-guard page
    size_t regionBytes = 0;
    char* data = nullptr;     // ends exactly at the post-guard page
    char* dataPages = nullptr;
    long long n = 0;
    char type = 'f';
    int elem = 4;
};

int elementBytes(char type) {
    switch (type) {
        case 'f': return 4;
        case 'l': return 8;
        case 'i': return 4;
        case 'b': return 1;
        default: return 0;
    }
}

const char* typeName(char type) {
    switch (type) {
        case 'f': return "float";
        case 'l': return "long long";
        case 'i': return "int";
        case 'b': return "bool (unsigned char)";
        default: return "?";
    }
}

std::vector<Buffer> buffers;
size_t pageSize;

enum State { READY, AT_BLOCK, AT_WARP, DONE };

struct Fiber {
#if CAIRN_FAST_SWITCH
    void* sp = nullptr;
#else
    ucontext_t ctx;
#endif
    char* stack = nullptr;
    State state = DONE;
    unsigned warpMask = 0;
};

constexpr size_t STACK_BYTES = 256 * 1024;
#if CAIRN_FAST_SWITCH
void* schedulerSp = nullptr;
#else
ucontext_t schedulerContext;
#endif
std::vector<Fiber> fibers;
std::vector<uint64_t> slots;
int current = -1;
int threadsPerBlock = 0;
const Thunk* body = nullptr;
std::string launchName;
int launchNumber = -1;

std::string where() {
    std::ostringstream s;
    s << "launch #" << launchNumber << " " << launchName << " (grid " << gridDim_.x << "x" << gridDim_.y << "x"
      << gridDim_.z << ", block " << blockDim_.x << "x" << blockDim_.y << "x" << blockDim_.z << ")";
    if (current >= 0) {
        s << " in block (" << blockIdx_.x << "," << blockIdx_.y << "," << blockIdx_.z << ") thread " << current;
    }
    return s.str();
}

void setThread(int i) {
    current = i;
    threadIdx_.x = i % blockDim_.x;
    threadIdx_.y = (i / blockDim_.x) % blockDim_.y;
    threadIdx_.z = i / (blockDim_.x * blockDim_.y);
}

void fiberMain(int index) {
    (*body)();
    fibers[index].state = DONE;
    // Returning resumes uc_link, the scheduler (ucontext); the fast switch's trampoline switches back.
}

#if CAIRN_FAST_SWITCH
// A fiber's first switch "returns" into the trampoline, which runs the thread and never returns.
[[noreturn]] void trampoline() {
    int me = current;
    fiberMain(me);
    cairn_switch(&fibers[me].sp, schedulerSp);
    __builtin_unreachable();
}

void startFiber(Fiber& f) {
    uintptr_t top = ((uintptr_t) (f.stack + STACK_BYTES)) & ~(uintptr_t) 15;
    void** sp = (void**) top;
    *--sp = nullptr;                        // the trampoline's (unused) return address
    *--sp = (void*) &trampoline;            // where cairn_switch's ret goes
    for (int r = 0; r < 6; r++) *--sp = nullptr;  // rbp, rbx, r12-r15
    f.sp = sp;
}

void enterFiber(int i) {
    cairn_switch(&schedulerSp, fibers[i].sp);
}
#else
void startFiber(Fiber& f, int i) {
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = f.stack;
    f.ctx.uc_stack.ss_size = STACK_BYTES;
    f.ctx.uc_link = &schedulerContext;
    makecontext(&f.ctx, (void (*)()) fiberMain, 1, i);
}

void enterFiber(int i) {
    swapcontext(&schedulerContext, &fibers[i].ctx);
}
#endif

int lanesInWarp(int warp) {
    int first = warp * 32;
    return std::min(32, threadsPerBlock - first);
}

void runBlock() {
    for (int i = 0; i < threadsPerBlock; i++) {
        Fiber& f = fibers[i];
#if CAIRN_FAST_SWITCH
        startFiber(f);
#else
        startFiber(f, i);
#endif
        f.state = READY;
    }
    int nWarps = (threadsPerBlock + 31) / 32;
    for (int pass = 0;; pass++) {
        // Run every ready thread up to its next barrier; alternate the order so that neither the
        // first nor the last thread always runs ahead.
        for (int j = 0; j < threadsPerBlock; j++) {
            int i = pass % 2 == 0 ? j : threadsPerBlock - 1 - j;
            if (fibers[i].state == READY) {
                setThread(i);
                enterFiber(i);
            }
        }
        current = -1;
        int done = 0, atBlock = 0;
        for (int i = 0; i < threadsPerBlock; i++) {
            done += fibers[i].state == DONE;
            atBlock += fibers[i].state == AT_BLOCK;
        }
        if (done == threadsPerBlock) {
            return;
        }
        bool released = false;
        for (int w = 0; w < nWarps; w++) {
            int lanes = lanesInWarp(w), waiting = 0;
            for (int l = 0; l < lanes; l++) waiting += fibers[w * 32 + l].state == AT_WARP;
            if (waiting == 0) continue;
            if (waiting != lanes) {
                std::ostringstream s;
                s << where() << ": warp " << w << " of block (" << blockIdx_.x << "," << blockIdx_.y << ","
                  << blockIdx_.z << "): " << waiting << " of its " << lanes
                  << " lanes wait in a shuffle/__syncwarp while the others have exited or wait in __syncthreads";
                fail(s.str());
            }
            unsigned full = lanes == 32 ? 0xffffffffu : ((1u << lanes) - 1u);
            for (int l = 0; l < lanes; l++) {
                if (fibers[w * 32 + l].warpMask != 0xffffffffu && fibers[w * 32 + l].warpMask != full) {
                    fail(where() + ": a shuffle/__syncwarp with a partial lane mask (not emulated)");
                }
                if (lanes != 32 && fibers[w * 32 + l].warpMask == 0xffffffffu) {
                    std::ostringstream s;
                    s << where() << ": a full-warp shuffle (mask 0xffffffff) in a warp of only " << lanes
                      << " threads (blockDim " << threadsPerBlock << " is not a multiple of 32)";
                    fail(s.str());
                }
                fibers[w * 32 + l].state = READY;
            }
            released = true;
        }
        if (released) continue;
        if (atBlock > 0) {
            if (done > 0) {
                std::ostringstream s;
                s << where() << ": __syncthreads() reached by " << atBlock << " threads of block (" << blockIdx_.x
                  << "," << blockIdx_.y << "," << blockIdx_.z << ") after " << done << " others had exited";
                fail(s.str());
            }
            for (int i = 0; i < threadsPerBlock; i++) fibers[i].state = READY;
            continue;
        }
        fail(where() + ": no thread can proceed (emulator deadlock)");
    }
}

void yieldWith(State s) {
    if (current < 0) fail("a barrier outside a kernel");
    int me = current;
    fibers[me].state = s;
#if CAIRN_FAST_SWITCH
    cairn_switch(&fibers[me].sp, schedulerSp);
#else
    swapcontext(&fibers[me].ctx, &schedulerContext);
#endif
}

void segv(int sig, siginfo_t* info, void*) {
    char* a = (char*) info->si_addr;
    std::ostringstream s;
    s << "error: " << where() << ": " << (sig == SIGSEGV ? "segmentation fault" : "bus error") << " at "
      << (void*) a;
    for (size_t b = 0; b < buffers.size(); b++) {
        Buffer& B = buffers[b];
        char* end = B.data + B.n * B.elem;
        if (a >= end && a < end + pageSize) {
            s << ": past the end of buffer " << b << " (" << B.n << " " << typeName(B.type) << " elements), element "
              << (a - B.data) / B.elem;
        } else if (a >= B.region && a < B.dataPages) {
            s << ": before the start of buffer " << b << ", element -" << (B.data - a + B.elem - 1) / B.elem;
        }
    }
    s << "\n";
    std::string m = s.str();
    ssize_t ignored = write(2, m.data(), m.size());
    (void) ignored;
    _exit(3);
}

template <class T>
T readValue(std::istream& in) {
    T v;
    in.read(reinterpret_cast<char*>(&v), sizeof(T));
    if (!in) {
        fprintf(stderr, "error: the launch file ends early\n");
        exit(2);
    }
    return v;
}

void allocate(Buffer& b, long long n, char type) {
    b.type = type;
    b.elem = elementBytes(type);
    if (b.elem == 0) fail(std::string("unknown buffer type '") + type + "'");
    size_t bytes = (size_t) n * b.elem;
    size_t dataPages = (bytes + pageSize - 1) / pageSize * pageSize;
    if (dataPages == 0) dataPages = pageSize;
    b.regionBytes = dataPages + 2 * pageSize;
    b.region = (char*) mmap(nullptr, b.regionBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b.region == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    b.dataPages = b.region + pageSize;
    if (mprotect(b.dataPages, dataPages, PROT_READ | PROT_WRITE) != 0) {
        perror("mprotect");
        exit(2);
    }
    b.data = b.dataPages + dataPages - bytes;
    b.n = n;
    memset(b.dataPages, SENTINEL, (size_t) (b.data - b.dataPages));
}

void checkSlack(int launch) {
    for (size_t i = 0; i < buffers.size(); i++) {
        Buffer& b = buffers[i];
        for (unsigned char* p = (unsigned char*) b.dataPages; p < (unsigned char*) b.data; p++) {
            if (*p != SENTINEL) {
                fprintf(stderr, "error: launch #%d %s wrote element -%ld before the start of buffer %zu\n", launch,
                        launchName.c_str(), (long) (((unsigned char*) b.data - p + b.elem - 1) / b.elem), i);
                exit(3);
            }
        }
    }
}

}  // namespace

[[noreturn]] void fail(const std::string& message) {
    fprintf(stderr, "error: %s\n", message.c_str());
    exit(2);
}

void* buffer_address(int buffer, char type, int index) {
    if (buffer < 0 || (size_t) buffer >= buffers.size()) {
        fail(where() + ": pointer argument names buffer " + std::to_string(buffer) + " of "
             + std::to_string(buffers.size()));
    }
    if (buffers[buffer].type != type) {
        fail(where() + ": parameter " + std::to_string(index) + " is a " + typeName(type) + " pointer, but buffer "
             + std::to_string(buffer) + " holds " + typeName(buffers[buffer].type) + " elements");
    }
    return buffers[buffer].data;
}

void syncthreads() {
    yieldWith(AT_BLOCK);
}

void syncwarp(unsigned mask) {
    fibers[current].warpMask = mask;
    yieldWith(AT_WARP);
}

uint64_t* shfl_slot_self() {
    return &slots[current];
}

const uint64_t* shfl_slot_of(int lane) {
    int index = (current / 32) * 32 + lane;
    if (index >= threadsPerBlock) {
        fail(where() + ": shuffle from lane " + std::to_string(lane) + " which does not exist in this warp");
    }
    return &slots[index];
}

int lane_id() {
    return current % 32;
}

}  // namespace cairn_emu

int main(int argc, char** argv) {
    using namespace cairn_emu;
    if (argc == 2 && std::string(argv[1]) == "--list") {
        for (auto& e : registry()) printf("%s %d\n", e.first.c_str(), e.second.arity);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s IN OUT | --list\n", argv[0]);
        return 2;
    }
    pageSize = (size_t) sysconf(_SC_PAGESIZE);
    static char altStack[1 << 16];
    stack_t ss{};
    ss.ss_sp = altStack;
    ss.ss_size = sizeof altStack;
    sigaltstack(&ss, nullptr);
    struct sigaction sa {};
    sa.sa_sigaction = segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, nullptr);
    sigaction(SIGBUS, &sa, nullptr);

    std::ifstream in(argv[1], std::ios::binary);
    if (!in) fail(std::string("cannot read ") + argv[1]);
    if (readValue<int32_t>(in) != 0x31484b43) fail("not a launch file");
    int nBuffers = readValue<int32_t>(in);
    buffers.resize(nBuffers);
    for (int b = 0; b < nBuffers; b++) {
        int n = readValue<int32_t>(in);
        char type = readValue<char>(in);
        allocate(buffers[b], n, type);
        in.read(buffers[b].data, (std::streamsize) n * buffers[b].elem);
    }
    int nLaunches = readValue<int32_t>(in);
    for (int l = 0; l < nLaunches; l++) {
        int nameLength = readValue<int32_t>(in);
        std::string name(nameLength, '\0');
        in.read(&name[0], nameLength);
        launchName = name;
        launchNumber = l;
        gridDim_.x = readValue<int32_t>(in);
        gridDim_.y = readValue<int32_t>(in);
        gridDim_.z = readValue<int32_t>(in);
        blockDim_.x = readValue<int32_t>(in);
        blockDim_.y = readValue<int32_t>(in);
        blockDim_.z = readValue<int32_t>(in);
        int nArgs = readValue<int32_t>(in);
        std::vector<Arg> args(nArgs);
        for (Arg& a : args) {
            a.tag = readValue<char>(in);
            switch (a.tag) {
                case 'i': a.i = readValue<int32_t>(in); break;
                case 'l': a.i = readValue<int64_t>(in); break;
                case 'f': a.f = readValue<float>(in); break;
                case 'p': a.buffer = readValue<int32_t>(in); break;
                case 's': {
                    int n = readValue<int32_t>(in);
                    a.ints.resize(n);
                    for (int& v : a.ints) v = readValue<int32_t>(in);
                    break;
                }
                default: fail(where() + ": unknown argument tag");
            }
        }
        auto it = registry().find(name);
        if (it == registry().end()) fail(where() + ": no kernel of that name in src/main/cuda");
        // The limits of every current GPU (compute capability 7.5 - 10.x).
        long long threads = (long long) blockDim_.x * blockDim_.y * blockDim_.z;
        if (gridDim_.x < 1 || gridDim_.y < 1 || gridDim_.z < 1 || gridDim_.x > 2147483647u || gridDim_.y > 65535
            || gridDim_.z > 65535) {
            fail(where() + ": grid dimensions outside [1, 2^31-1] x [1, 65535] x [1, 65535]");
        }
        if (threads < 1 || threads > 1024 || blockDim_.z > 64) {
            fail(where() + ": block of " + std::to_string(threads) + " threads (CUDA allows 1 to 1024, z <= 64)");
        }
        Thunk thunk;
        try {
            thunk = it->second.bind(it->second.kernel, args);
        } catch (const std::exception& e) {
            fail(where() + ": " + e.what());
        }
        body = &thunk;
        threadsPerBlock = (int) threads;
        if (fibers.size() < (size_t) threadsPerBlock) {
            size_t old = fibers.size();
            fibers.resize(threadsPerBlock);
            for (size_t i = old; i < fibers.size(); i++) fibers[i].stack = (char*) malloc(STACK_BYTES);
        }
        slots.assign(threadsPerBlock, 0);
        for (unsigned z = 0; z < gridDim_.z; z++) {
            for (unsigned y = 0; y < gridDim_.y; y++) {
                for (unsigned x = 0; x < gridDim_.x; x++) {
                    blockIdx_.x = x;
                    blockIdx_.y = y;
                    blockIdx_.z = z;
                    runBlock();
                }
            }
        }
        current = -1;
        checkSlack(l);
    }
    std::ofstream out(argv[2], std::ios::binary);
    int32_t nb = nBuffers;
    out.write(reinterpret_cast<char*>(&nb), 4);
    for (Buffer& b : buffers) {
        int32_t n = (int32_t) b.n;
        out.write(reinterpret_cast<char*>(&n), 4);
        out.write(&b.type, 1);
        out.write(b.data, (std::streamsize) b.n * b.elem);
    }
    if (!out) fail(std::string("cannot write ") + argv[2]);
    return 0;
}
