package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.CompareOp;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.backend.cpu.CpuBackend;
import dev.cairn.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CUDA kernels of integer and bool tensors, comparisons, where, dtype conversions, fills, gather /
 * indexSelect / scatterAdd and the integer and int64-index reductions, executed on the host (see
 * {@link HostKernels}) through the backend's launch code ({@link CudaKernels}) and compared element by
 * element with the CPU backend (the reference) on dense, transposed, broadcast, rank-9 (two launches),
 * long (grid-stride) and empty views, with ties, NaN, infinities and integer extremes in the data.
 */
class HostTypedKernelsTest {
    static final CpuBackend CPU = HostKernelsTest.CPU;
    static final int N = 20_011;

    /** Random elements of {@code dtype}, small values (ties) mixed with specials and extremes. */
    static Object values(Random rnd, DType dtype, int n) {
        switch (dtype) {
            case FLOAT32 -> {
                float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e20f, -1e20f,
                    3e9f, -3e9f, 2.5f, -2.5f, 0.75f, -0.75f, 16777217f};
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = rnd.nextInt(5) == 0 ? specials[rnd.nextInt(specials.length)] : rnd.nextInt(7) - 3;
                }
                return x;
            }
            case INT64 -> {
                long[] specials = {Long.MAX_VALUE, Long.MIN_VALUE, (1L << 31) + 5, -(1L << 31) - 7, (1L << 53) + 1,
                    (1L << 24) + 1, 0};
                long[] x = new long[n];
                for (int i = 0; i < n; i++) {
                    x[i] = rnd.nextInt(6) == 0 ? specials[rnd.nextInt(specials.length)] : rnd.nextInt(7) - 3;
                }
                return x;
            }
            case INT32 -> {
                int[] specials = {Integer.MAX_VALUE, Integer.MIN_VALUE, (1 << 24) + 1, 0};
                int[] x = new int[n];
                for (int i = 0; i < n; i++) {
                    x[i] = rnd.nextInt(6) == 0 ? specials[rnd.nextInt(specials.length)] : rnd.nextInt(7) - 3;
                }
                return x;
            }
            case BOOL -> {
                boolean[] x = new boolean[n];
                for (int i = 0; i < n; i++) {
                    x[i] = rnd.nextBoolean();
                }
                return x;
            }
        }
        throw new AssertionError(dtype);
    }

    static Object cpuDown(Storage s) {
        Object r = switch (s.dtype()) {
            case FLOAT32 -> new float[s.size()];
            case INT64 -> new long[s.size()];
            case INT32 -> new int[s.size()];
            case BOOL -> new boolean[s.size()];
        };
        CPU.download(s, 0, r, 0, s.size());
        return r;
    }

    /** Equal element by element (floats bit for bit, NaN payloads aside); a never-written element fails by index. */
    static void assertSameValues(Object expected, EmulatedDevice.HostStorage actual, String what) {
        Object a;
        try {
            a = actual.values();
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
        switch (expected) {
            case float[] e -> HostKernelsTest.assertSame(e, (float[]) a, 0, null, what);
            case long[] e -> {
                long[] x = (long[]) a;
                for (int i = 0; i < e.length; i++) {
                    if (x[i] != e[i]) {
                        fail(what + ": element " + i + ": expected " + e[i] + " got " + x[i]
                                + (x[i] == EmulatedDevice.UNWRITTEN_LONG ? " (never written)" : ""));
                    }
                }
            }
            case int[] e -> {
                int[] x = (int[]) a;
                for (int i = 0; i < e.length; i++) {
                    if (x[i] != e[i]) {
                        fail(what + ": element " + i + ": expected " + e[i] + " got " + x[i]
                                + (x[i] == EmulatedDevice.UNWRITTEN_INT ? " (never written)" : ""));
                    }
                }
            }
            case boolean[] e -> assertArrayEquals(e, (boolean[]) a, what);
            default -> throw new AssertionError(expected.getClass());
        }
    }

    /** One elementwise case: a shape and the strides (and offsets) of up to three operands over a buffer of N. */
    record Case(String name, int[] shape, int[][] strides, int[] offsets) {
        StridedView view(Storage s, int operand) {
            return new StridedView(s, offsets[operand], shape, strides[operand]);
        }

        int numel() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    static List<Case> cases() {
        int[] nine = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        int[] nineT = {1, 2, 4, 8, 16, 32, 64, 128, 256};
        int[] nineC = {256, 128, 64, 32, 16, 8, 4, 2, 1};
        return List.of(
                new Case("dense", new int[] {37, 29}, new int[][] {{29, 1}, {29, 1}, {29, 1}}, new int[] {5, 0, 3}),
                new Case("transposed", new int[] {29, 37}, new int[][] {{1, 29}, {37, 1}, {1, 29}}, new int[] {5, 2, 0}),
                new Case("broadcast", new int[] {4, 6, 5}, new int[][] {{5, 0, 1}, {0, 5, 1}, {0, 0, 1}},
                        new int[] {1, 7, 2}),
                new Case("rank 9", nine, new int[][] {nineT, nineC, nineT}, new int[] {3, 0, 1}),
                new Case("empty", new int[] {3, 0, 5}, new int[][] {{0, 5, 1}, {0, 5, 1}, {0, 5, 1}}, new int[] {1, 1, 1}),
                new Case("long", new int[] {N - 11}, new int[][] {{1}, {1}, {1}}, new int[] {0, 11, 5}));
    }

    static EmulatedDevice[] devices() {
        return new EmulatedDevice[] {HostKernelsTest.small(), HostKernelsTest.large()};
    }

    @Test
    void comparisonsOfEveryDtypeMatchTheCpuBackend() {
        Random rnd = new Random(21);
        for (EmulatedDevice dev : devices()) {
            List<Runnable> checks = new ArrayList<>();
            for (DType t : DType.values()) {
                Object xa = values(rnd, t, N);
                Object xb = values(rnd, t, N);
                Storage ca = CPU.upload(0, t, xa, 0, N);
                Storage cb = CPU.upload(0, t, xb, 0, N);
                Storage ea = dev.upload(t, xa);
                Storage eb = dev.upload(t, xb);
                for (CompareOp op : CompareOp.values()) {
                    for (Case c : cases()) {
                        Storage cout = CPU.allocate(0, DType.BOOL, c.numel());
                        EmulatedDevice.HostStorage eout = dev.allocate(DType.BOOL, c.numel());
                        CPU.compare(op, c.view(ca, 0), c.view(cb, 1), cout);
                        CudaKernels.compare(dev, op, c.view(ea, 0), c.view(eb, 1), eout);
                        String what = "compare " + op + " on " + t + ", " + c.name();
                        checks.add(() -> assertSameValues(cpuDown(cout), eout, what));
                    }
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    @Test
    void whereOfEveryDtypeMatchesTheCpuBackend() {
        Random rnd = new Random(22);
        for (EmulatedDevice dev : devices()) {
            List<Runnable> checks = new ArrayList<>();
            Object cond = values(rnd, DType.BOOL, N);
            Storage cc = CPU.upload(0, DType.BOOL, cond, 0, N);
            Storage ec = dev.upload(DType.BOOL, cond);
            for (DType t : DType.values()) {
                Object xa = values(rnd, t, N);
                Object xb = values(rnd, t, N);
                Storage ca = CPU.upload(0, t, xa, 0, N);
                Storage cb = CPU.upload(0, t, xb, 0, N);
                Storage ea = dev.upload(t, xa);
                Storage eb = dev.upload(t, xb);
                for (Case c : cases()) {
                    Storage cout = CPU.allocate(0, t, c.numel());
                    EmulatedDevice.HostStorage eout = dev.allocate(t, c.numel());
                    CPU.where(c.view(cc, 0), c.view(ca, 1), c.view(cb, 2), cout);
                    CudaKernels.where(dev, c.view(ec, 0), c.view(ea, 1), c.view(eb, 2), eout);
                    String what = "where on " + t + ", " + c.name();
                    checks.add(() -> assertSameValues(cpuDown(cout), eout, what));
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    /** Every (from, to) pair, into dense storages and into a strided slice of a larger destination. */
    @Test
    void copiesConvertBetweenEveryPairOfDtypesAsTheCpuBackend() {
        Random rnd = new Random(23);
        for (EmulatedDevice dev : devices()) {
            List<Runnable> checks = new ArrayList<>();
            for (DType from : DType.values()) {
                Object x = values(rnd, from, N);
                Storage cs = CPU.upload(0, from, x, 0, N);
                Storage es = dev.upload(from, x);
                for (DType to : DType.values()) {
                    for (Case c : cases()) {
                        Storage cout = CPU.allocate(0, to, c.numel());
                        EmulatedDevice.HostStorage eout = dev.allocate(to, c.numel());
                        CPU.copy(c.view(cs, 0), StridedView.contiguous(cout, 0, c.shape()));
                        CudaKernels.copy(dev, c.view(es, 0), StridedView.contiguous(eout, 0, c.shape()));
                        String what = "copy " + from + " -> " + to + ", " + c.name();
                        checks.add(() -> assertSameValues(cpuDown(cout), eout, what));
                    }
                    // into columns 2..7 of a [4, 10] destination (a slice, as cat writes), from a transposed source
                    Object init = values(rnd, to, 40);
                    Storage cout = CPU.upload(0, to, init, 0, 40);
                    EmulatedDevice.HostStorage eout = dev.upload(to, init);
                    StridedView srcT = new StridedView(null, 3, new int[] {4, 6}, new int[] {1, 4});
                    CPU.copy(HostKernelsTest.on(cs, srcT), new StridedView(cout, 2, new int[] {4, 6}, new int[] {10, 1}));
                    CudaKernels.copy(dev, HostKernelsTest.on(es, srcT),
                            new StridedView(eout, 2, new int[] {4, 6}, new int[] {10, 1}));
                    String what = "copy " + from + " -> " + to + " into a slice";
                    checks.add(() -> assertSameValues(cpuDown(cout), eout, what));
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    @Test
    void fillsConvertTheValueAsTheCpuBackend() {
        for (EmulatedDevice dev : devices()) {
            List<Runnable> checks = new ArrayList<>();
            for (DType t : DType.values()) {
                for (float v : new float[] {2.7f, -2.7f, Float.NaN, 0f, -0f, 1e20f, -1e20f, 3e9f, 1f}) {
                    Storage cout = CPU.allocate(0, t, 700);
                    EmulatedDevice.HostStorage eout = dev.allocate(t, 700);
                    CPU.fill(cout, 0, 700, 0f);
                    CudaKernels.fill(dev, eout, 0, 700, 0f);
                    CPU.fill(cout, 3, 690, v);
                    CudaKernels.fill(dev, eout, 3, 690, v);
                    String what = "fill " + t + " with " + v;
                    checks.add(() -> assertSameValues(cpuDown(cout), eout, what));
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    @Test
    void integerUnaryAndBinaryOpsMatchTheCpuBackend() {
        Random rnd = new Random(24);
        for (EmulatedDevice dev : devices()) {
            List<Runnable> checks = new ArrayList<>();
            for (DType t : KernelNames.INTEGRAL) {
                Object xa = values(rnd, t, N);
                Object xb = values(rnd, t, N);
                Storage ca = CPU.upload(0, t, xa, 0, N);
                Storage cb = CPU.upload(0, t, xb, 0, N);
                Storage ea = dev.upload(t, xa);
                Storage eb = dev.upload(t, xb);
                for (Case c : cases()) {
                    for (UnaryOp op : KernelNames.INTEGRAL_UNARY) {
                        for (float s : new float[] {3f, -2f, 0f, 2.9f}) {
                            Storage cout = CPU.allocate(0, t, c.numel());
                            EmulatedDevice.HostStorage eout = dev.allocate(t, c.numel());
                            CPU.unary(op, s, c.view(ca, 0), cout);
                            CudaKernels.unary(dev, op, s, c.view(ea, 0), eout);
                            String what = "unary " + op + "(" + s + ") on " + t + ", " + c.name();
                            checks.add(() -> assertSameValues(cpuDown(cout), eout, what));
                        }
                    }
                    for (BinaryOp op : KernelNames.INTEGRAL_BINARY) {
                        Storage cout = CPU.allocate(0, t, c.numel());
                        EmulatedDevice.HostStorage eout = dev.allocate(t, c.numel());
                        CPU.binary(op, c.view(ca, 0), c.view(cb, 1), cout);
                        CudaKernels.binary(dev, op, c.view(ea, 0), c.view(eb, 1), eout);
                        String what = "binary " + op + " on " + t + ", " + c.name();
                        checks.add(() -> assertSameValues(cpuDown(cout), eout, what));
                    }
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    /** Elements of the reductions' source buffer (the rank-10 case spans 20480). */
    static final int REDUCE_LEN = 60_011;

    record ReduceCase(int[] shape, int[] strides, int offset, int dim) {
    }

    static List<ReduceCase> reduceCases() {
        return List.of(
                new ReduceCase(new int[] {7, 1000}, new int[] {1000, 1}, 0, 1),      // block per output
                new ReduceCase(new int[] {1000, 7}, new int[] {7, 1}, 3, 0),         // block per output, strided slice
                new ReduceCase(new int[] {300, 40}, new int[] {40, 1}, 0, 0),        // thread per output (coalesced)
                new ReduceCase(new int[] {5, 16}, new int[] {16, 1}, 1, 1),          // thread per output (short)
                new ReduceCase(new int[] {3, 33, 4}, new int[] {132, 4, 1}, 2, 1),   // block of 64, strided
                new ReduceCase(new int[] {4, 17}, new int[] {1, 4}, 0, 1),           // transposed view
                new ReduceCase(new int[] {9, 1}, new int[] {1, 1}, 0, 1),            // length 1
                new ReduceCase(new int[] {0, 5}, new int[] {5, 1}, 0, 1),            // no outputs
                new ReduceCase(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 40},
                        new int[] {40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 1}, 0, 9));  // two launches
    }

    /** Integer and bool sources (sums into int64, extremes in the source dtype, indices as int64). */
    @Test
    void integerReductionsMatchTheCpuBackend() {
        Random rnd = new Random(25);
        for (EmulatedDevice dev : devices()) {
            List<Runnable> checks = new ArrayList<>();
            for (DType t : KernelNames.INTEGRAL) {
                Object x = values(rnd, t, REDUCE_LEN);
                Storage cs = CPU.upload(0, t, x, 0, REDUCE_LEN);
                Storage es = dev.upload(t, x);
                for (ReduceOp op : ReduceOp.values()) {
                    DType out = KernelNames.reduceOutputs(op, t).get(0);
                    for (ReduceCase c : reduceCases()) {
                        StridedView v = new StridedView(null, c.offset(), c.shape(), c.strides());
                        int n = v.numel() / Math.max(1, c.shape()[c.dim()]);
                        if (c.shape()[c.dim()] == 0) {
                            continue;
                        }
                        Storage cout = CPU.allocate(0, out, n);
                        EmulatedDevice.HostStorage eout = dev.allocate(out, n);
                        CPU.reduce(op, HostKernelsTest.on(cs, v), c.dim(), cout);
                        CudaKernels.reduce(dev, op, HostKernelsTest.on(es, v), c.dim(), eout);
                        String what = op + " of " + t + " into " + out + " along " + c.dim() + " of "
                                + Arrays.toString(c.shape());
                        checks.add(() -> assertSameValues(cpuDown(cout), eout, what));
                    }
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    /** Float argmax/argmin written as int64: the CPU backend's float indices (first on ties, NaN wins), as longs. */
    @Test
    void floatArgmaxIntoInt64FollowsTheTieAndNanRules() {
        Random rnd = new Random(26);
        for (EmulatedDevice dev : devices()) {
            for (int variant = 0; variant < 2; variant++) {
                float[] x = new float[REDUCE_LEN];
                for (int i = 0; i < REDUCE_LEN; i++) {
                    x[i] = variant == 0 ? rnd.nextInt(40) == 0 ? Float.NaN : rnd.nextInt(3) - 1f
                            : rnd.nextInt(9) == 0 ? HostKernelsTest.SPECIALS[rnd.nextInt(HostKernelsTest.SPECIALS.length)]
                            : rnd.nextInt(3);
                }
                Storage cs = CPU.upload(0, x, 0, REDUCE_LEN);
                Storage es = dev.upload(x);
                List<Runnable> checks = new ArrayList<>();
                for (ReduceOp op : new ReduceOp[] {ReduceOp.ARGMAX, ReduceOp.ARGMIN}) {
                    for (ReduceCase c : reduceCases()) {
                        if (c.shape()[c.dim()] == 0) {
                            continue;
                        }
                        StridedView v = new StridedView(null, c.offset(), c.shape(), c.strides());
                        int n = v.numel() / c.shape()[c.dim()];
                        Storage cout = CPU.allocate(0, DType.INT64, n);
                        EmulatedDevice.HostStorage eout = dev.allocate(DType.INT64, n);
                        CPU.reduce(op, HostKernelsTest.on(cs, v), c.dim(), cout);
                        CudaKernels.reduce(dev, op, HostKernelsTest.on(es, v), c.dim(), eout);
                        String what = op + " of float32 into int64 along " + c.dim() + " of " + Arrays.toString(c.shape())
                                + " (variant " + variant + ")";
                        checks.add(() -> assertSameValues(cpuDown(cout), eout, what));
                    }
                }
                dev.sync();
                checks.forEach(Runnable::run);
            }
        }
    }

    /** Indices in [0, size), repeated and out of order. */
    static long[] indices(Random rnd, int n, int size) {
        long[] ix = new long[n];
        for (int i = 0; i < n; i++) {
            ix[i] = rnd.nextInt(size);
        }
        return ix;
    }

    /** A [6, 5, 4] source over a buffer: dense, or a permuted (non-contiguous) view. */
    static List<StridedView> sources() {
        return List.of(
                new StridedView(null, 3, new int[] {6, 5, 4}, new int[] {20, 4, 1}),
                new StridedView(null, 1, new int[] {6, 5, 4}, new int[] {1, 24, 6}),
                new StridedView(null, 0, new int[] {6, 5, 4}, new int[] {4, 0, 1}));  // broadcast along dim 1
    }

    @Test
    void gatherAndIndexSelectMatchTheCpuBackend() {
        Random rnd = new Random(27);
        for (EmulatedDevice dev : devices()) {
            List<Runnable> checks = new ArrayList<>();
            for (DType t : DType.values()) {
                Object x = values(rnd, t, 200);
                Storage cs = CPU.upload(0, t, x, 0, 200);
                Storage es = dev.upload(t, x);
                for (StridedView src : sources()) {
                    for (int dim = 0; dim < 3; dim++) {
                        int size = src.shape()[dim];
                        // gather: an index smaller than the source off dim, larger along it, stored transposed
                        int[] ishape = {4, 3, 2};
                        ishape[dim] = 7;
                        int in = ishape[0] * ishape[1] * ishape[2];
                        long[] ix = indices(rnd, in + 2, size);
                        StridedView iview = new StridedView(null, 2, ishape,
                                new int[] {1, ishape[0], ishape[0] * ishape[1]});
                        Storage ci = CPU.upload(0, DType.INT64, ix, 0, ix.length);
                        Storage ei = dev.upload(DType.INT64, ix);
                        Storage cout = CPU.allocate(0, t, in);
                        EmulatedDevice.HostStorage eout = dev.allocate(t, in);
                        CPU.gather(HostKernelsTest.on(cs, src), dim, HostKernelsTest.on(ci, iview), cout);
                        CudaKernels.gather(dev, HostKernelsTest.on(es, src), dim, HostKernelsTest.on(ei, iview), eout);
                        String what = "gather of " + t + " along " + dim + " of " + Arrays.toString(src.strides());
                        checks.add(() -> assertSameValues(cpuDown(cout), eout, what));
                        // indexSelect: a 1-D index of 9 (repeats, out of order) read with stride 2
                        long[] sel = indices(rnd, 19, size);
                        Storage cix = CPU.upload(0, DType.INT64, sel, 0, sel.length);
                        Storage eix = dev.upload(DType.INT64, sel);
                        StridedView sv = new StridedView(null, 1, new int[] {9}, new int[] {2});
                        int on = 6 * 5 * 4 / size * 9;
                        Storage cso = CPU.allocate(0, t, on);
                        EmulatedDevice.HostStorage eso = dev.allocate(t, on);
                        CPU.indexSelect(HostKernelsTest.on(cs, src), dim, HostKernelsTest.on(cix, sv), cso);
                        CudaKernels.indexSelect(dev, HostKernelsTest.on(es, src), dim, HostKernelsTest.on(eix, sv), eso);
                        String what2 = "indexSelect of " + t + " along " + dim + " of " + Arrays.toString(src.strides());
                        checks.add(() -> assertSameValues(cpuDown(cso), eso, what2));
                    }
                }
                // an empty index: nothing is read or written
                Storage ei = dev.upload(DType.INT64, new long[1]);
                EmulatedDevice.HostStorage eout = dev.allocate(t, 0);
                CudaKernels.gather(dev, StridedView.contiguous(es, 0, new int[] {6, 5}), 1,
                        new StridedView(ei, 0, new int[] {6, 0}, new int[] {0, 1}), eout);
                CudaKernels.indexSelect(dev, StridedView.contiguous(es, 0, new int[] {6, 5}), 0,
                        new StridedView(ei, 0, new int[] {0}, new int[] {1}), eout);
            }
            // rank 9 (two launches): index values 0 or 1 along dimension 3
            float[] x = HostKernelsTest.values(rnd, 512, 0);
            long[] ix = indices(rnd, 512, 2);
            int[] nine = {2, 2, 2, 2, 2, 2, 2, 2, 2};
            Storage cout = CPU.allocate(0, 512);
            EmulatedDevice.HostStorage eout = dev.allocate(512);
            CPU.gather(StridedView.contiguous(CPU.upload(0, x, 0, 512), 0, nine), 3,
                    StridedView.contiguous(CPU.upload(0, DType.INT64, ix, 0, 512), 0, nine), cout);
            CudaKernels.gather(dev, StridedView.contiguous(dev.upload(x), 0, nine), 3,
                    StridedView.contiguous(dev.upload(DType.INT64, ix), 0, nine), eout);
            checks.add(() -> assertSameValues(cpuDown(cout), eout, "gather along 3 of rank 9"));
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    /**
     * scatterAdd with repeated and out-of-order indices, a source larger than the index, a strided index and
     * a non-contiguous destination. Float values are multiples of 1/4, so every order of the atomic adds
     * gives the CPU's sum exactly.
     */
    @Test
    void scatterAddMatchesTheCpuBackendWithRepeatedIndices() {
        Random rnd = new Random(28);
        for (EmulatedDevice dev : devices()) {
            List<Runnable> checks = new ArrayList<>();
            for (DType t : DType.values()) {
                Object x = t == DType.FLOAT32 ? quarters(rnd, 300) : values(rnd, t, 300);
                Storage cs = CPU.upload(0, t, x, 0, 300);
                Storage es = dev.upload(t, x);
                for (int dstKind = 0; dstKind < 2; dstKind++) {
                    for (int dim = 0; dim < 3; dim++) {
                        StridedView dst = dstKind == 0 ? new StridedView(null, 2, new int[] {6, 5, 4}, new int[] {20, 4, 1})
                                : new StridedView(null, 0, new int[] {6, 5, 4}, new int[] {1, 30, 6});
                        int size = dst.shape()[dim];
                        int[] ishape = {5, 4, 3};
                        ishape[dim] = 11;  // more index rows than the destination has: repeats
                        int in = ishape[0] * ishape[1] * ishape[2];
                        long[] ix = indices(rnd, 2 * in, size);
                        StridedView iview = new StridedView(null, 1, ishape,
                                new int[] {2 * ishape[1] * ishape[2], 2 * ishape[2], 2});
                        int[] srcShape = {6, 5, 4};
                        srcShape[dim] = 11;
                        StridedView sview = StridedView.contiguous(null, 3, srcShape);
                        Object init = t == DType.FLOAT32 ? quarters(rnd, 200) : values(rnd, t, 200);
                        Storage cd = CPU.upload(0, t, init, 0, 200);
                        EmulatedDevice.HostStorage ed = dev.upload(t, init);
                        CPU.scatterAdd(HostKernelsTest.on(cs, sview), dim,
                                HostKernelsTest.on(CPU.upload(0, DType.INT64, ix, 0, ix.length), iview),
                                HostKernelsTest.on(cd, dst));
                        CudaKernels.scatterAdd(dev, HostKernelsTest.on(es, sview), dim,
                                HostKernelsTest.on(dev.upload(DType.INT64, ix), iview), HostKernelsTest.on(ed, dst));
                        String what = "scatterAdd of " + t + " along " + dim + " into " + Arrays.toString(dst.strides());
                        checks.add(() -> assertSameValues(cpuDown(cd), ed, what));
                    }
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    static float[] quarters(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (rnd.nextInt(41) - 20) / 4f;
        }
        return x;
    }

    /** An index that points outside the source's memory stops the emulated run with the buffer it overran. */
    @Test
    void anIndexOutsideTheSourceFailsInTheEmulation() {
        EmulatedDevice dev = HostKernelsTest.large();
        EmulatedDevice.HostStorage src = dev.upload(new float[12]);
        EmulatedDevice.HostStorage index = dev.upload(DType.INT64, new long[] {0, 2, 5, 1});
        EmulatedDevice.HostStorage out = dev.allocate(4 * 3);
        CudaKernels.gather(dev, StridedView.contiguous(src, 0, new int[] {4, 3}), 0,
                new StridedView(index, 0, new int[] {4, 3}, new int[] {1, 0}), out);
        AssertionError e = assertThrows(AssertionError.class, dev::sync);
        assertTrue(e.getMessage().contains("past the end of buffer") && e.getMessage().contains("gather_f32"),
                e.getMessage());
    }

    /** A launch whose pointer has another element type than the kernel's parameter fails by parameter. */
    @Test
    void aPointerOfTheWrongElementTypeFails() {
        EmulatedDevice dev = HostKernelsTest.large();
        EmulatedDevice.HostStorage ints = dev.upload(DType.INT32, new int[] {1, 2, 3});
        dev.launch("fill_i64", 1, 1, 1, 32, new KernelArgs().ptr(ints).l(0).i(3).l(7));
        AssertionError e = assertThrows(AssertionError.class, dev::sync);
        assertTrue(e.getMessage().contains("parameter 0 is a long long pointer") && e.getMessage().contains("int"),
                e.getMessage());
    }
}
