package dev.cairn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.backend.BinaryOp;
import dev.cairn.backend.Epilogue;
import dev.cairn.backend.GemmOperand;
import dev.cairn.backend.ReduceOp;
import dev.cairn.backend.Storage;
import dev.cairn.backend.StridedView;
import dev.cairn.backend.UnaryOp;
import dev.cairn.backend.Window;
import dev.cairn.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Cairn's CUDA kernels, executed on the host CPU (see {@link HostKernels} and {@code src/test/emu}),
 * launched by the backend's own launch code ({@link CudaKernels}) and compared element by element
 * with the CPU backend on shapes that hit every edge tile, tail, grid-stride loop and launch-chunk
 * loop. Two emulated devices: one SM with a gridDim.y/z limit of 1 (the 128x128 GEMM kernel, row
 * chunks of one launch each, the batch loop inside the kernel, grid-stride loops everywhere) and a
 * large one with CUDA's real limits (the 64x64 GEMM kernel, one block per tile).
 *
 * <p>To test a new kernel: launch it through a {@link CudaKernels} method on {@link #small()} or
 * {@link #large()}, {@code sync()}, and compare with the CPU backend through {@link #assertSame}.
 */
class HostKernelsTest {
    static final CpuBackend CPU = new CpuBackend();
    static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f, 2f};

    static EmulatedDevice small() {
        return new EmulatedDevice(1, 1);
    }

    static EmulatedDevice large() {
        return new EmulatedDevice(100_000, KernelLauncher.GRID_YZ_LIMIT);
    }

    /** Random values with NaN, infinities and signed zeros mixed in (one in {@code specialsOneIn}). */
    static float[] values(Random rnd, int n, int specialsOneIn) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = specialsOneIn > 0 && rnd.nextInt(specialsOneIn) == 0 ? SPECIALS[rnd.nextInt(SPECIALS.length)]
                    : (float) (rnd.nextGaussian() * 3);
        }
        return x;
    }

    static float[] cpuDown(Storage s) {
        float[] r = new float[s.size()];
        CPU.download(s, 0, r, 0, r.length);
        return r;
    }

    /**
     * Each element of {@code actual} equals {@code expected}: bit for bit where {@code ulps} is 0 (NaN
     * payloads aside), within {@code ulps} units in the last place otherwise, or within {@code absTol[i]}
     * where given (sums whose order differs). An element the kernel never wrote fails by name.
     */
    static void assertSame(float[] expected, float[] actual, int ulps, float[] absTol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.floatToRawIntBits(a) == EmulatedDevice.UNWRITTEN) {
                fail(what + ": element " + i + " was never written (expected " + e + ")");
            }
            if (Float.isNaN(e) || Float.isNaN(a)) {
                if (Float.isNaN(e) != Float.isNaN(a)) {
                    fail(what + ": element " + i + ": expected " + e + " got " + a);
                }
                continue;
            }
            if (Float.floatToIntBits(e) == Float.floatToIntBits(a)) {
                continue;
            }
            boolean ok;
            if (absTol != null) {
                ok = e == a || Math.abs(e - a) <= absTol[i];
            } else if (ulps > 0 && !Float.isInfinite(e) && !Float.isInfinite(a)) {
                ok = Math.abs(e - a) <= ulps * Math.ulp(Math.max(Math.abs(e), Math.abs(a)));
            } else {
                ok = false;
            }
            if (!ok) {
                fail(what + ": element " + i + ": expected " + e + " (0x" + Integer.toHexString(Float.floatToIntBits(e))
                        + ") got " + a + " (0x" + Integer.toHexString(Float.floatToIntBits(a)) + ")");
            }
        }
    }

    /**
     * Per-element tolerances {@code rel * |e|} (plus the smallest normal float): for kernels whose float32
     * formula the CPU evaluates in another order or in double precision (GELU, line sums).
     */
    static float[] relative(float[] expected, float rel) {
        float[] t = new float[expected.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = Float.isFinite(expected[i]) ? rel * Math.abs(expected[i]) + Float.MIN_NORMAL : 0f;
        }
        return t;
    }

    /** A view of the same numbers over another storage. */
    static StridedView on(Storage s, StridedView v) {
        return new StridedView(s, v.offset(), v.shape(), v.strides());
    }

    /** Views over a buffer of {@code len} floats: dense, transposed, rank 9 (two launches), expanded, long. */
    static List<StridedView> views() {
        List<StridedView> v = new ArrayList<>();
        v.add(StridedView.contiguous(null, 5, new int[] {37, 29}));
        v.add(new StridedView(null, 5, new int[] {29, 37}, new int[] {1, 29}));
        int[] nine = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        v.add(new StridedView(null, 3, nine, new int[] {1, 2, 4, 8, 16, 32, 64, 128, 256}));  // nothing merges
        v.add(new StridedView(null, 7, new int[] {4, 6}, new int[] {0, 1}));
        v.add(new StridedView(null, 1, new int[] {3, 0, 5}, new int[] {0, 5, 1}));  // empty
        v.add(StridedView.contiguous(null, 0, new int[] {20_011}));  // more than 32 blocks of 256 on one SM
        return v;
    }

    static final int VIEW_BUFFER = 20_011;

    @Test
    void unaryOpsMatchTheCpuBackend() {
        Random rnd = new Random(11);
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            float[] x = values(rnd, VIEW_BUFFER, 6);
            Storage cin = CPU.upload(0, x, 0, x.length);
            Storage ein = dev.upload(x);
            List<Runnable> checks = new ArrayList<>();
            for (UnaryOp op : UnaryOp.values()) {
                for (float s : new float[] {0.5f, 2f, -1.25f, 0f, Float.NaN}) {
                    for (StridedView v : views()) {
                        int n = v.numel();
                        Storage cout = CPU.allocate(0, n);
                        EmulatedDevice.HostStorage eout = dev.allocate(n);
                        CPU.unary(op, s, on(cin, v), cout);
                        CudaKernels.unary(dev, op, s, on(ein, v), eout);
                        boolean transcendental = op == UnaryOp.EXP || op == UnaryOp.LOG || op == UnaryOp.POW_SCALAR
                                || op == UnaryOp.TANH || op == UnaryOp.SIGMOID || op == UnaryOp.SIN || op == UnaryOp.COS;
                        int ulps = op == UnaryOp.ERF ? 8 : transcendental ? 2 : 0;
                        String what = op + "(" + s + ") on " + java.util.Arrays.toString(v.shape()) + " strides "
                                + java.util.Arrays.toString(v.strides());
                        boolean gelu = op == UnaryOp.GELU || op == UnaryOp.GELU_TANH;
                        checks.add(() -> {
                            float[] e = cpuDown(cout);
                            assertSame(e, eout.data, ulps, gelu ? relative(e, 1e-4f) : null, what);
                        });
                    }
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    @Test
    void stridedCopyIntoSlicesMatchesTheCpuBackend() {
        Random rnd = new Random(13);
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            float[] x = values(rnd, VIEW_BUFFER, 6);
            Storage cin = CPU.upload(0, x, 0, x.length);
            Storage ein = dev.upload(x);
            // destinations: a slice of a [37, 40] matrix along dim 1 (as cat along the last dimension writes),
            // rows 5.. of a dense block (cat along dim 0), and a transposed destination
            int[][] dstStrides = {{40, 1}, {29, 1}, {1, 37}};
            int[] dstOffsets = {7, 5 * 29, 0};
            for (StridedView v : views()) {
                if (v.rank() != 2 || v.shape()[0] != 37 || v.shape()[1] != 29) {
                    continue;
                }
                for (int k = 0; k < dstStrides.length; k++) {
                    int size = 37 * 40 + 200;
                    float[] zeros = new float[size];
                    Storage cout = CPU.upload(0, zeros, 0, size);
                    EmulatedDevice.HostStorage eout = (EmulatedDevice.HostStorage) dev.upload(zeros);
                    StridedView dv = new StridedView(null, dstOffsets[k], v.shape(), dstStrides[k]);
                    CPU.copy(on(cin, v), on(cout, dv));
                    CudaKernels.copy(dev, on(ein, v), on(eout, dv));
                    dev.sync();
                    assertSame(cpuDown(cout), eout.data, 0, null, "copy into strides "
                            + java.util.Arrays.toString(dstStrides[k]));
                }
            }
        }
    }

    @Test
    void binaryOpsBroadcastLikeTheCpuBackend() {
        Random rnd = new Random(12);
        int len = 4000;
        // (shape, a strides, a offset, b strides, b offset)
        record Case(int[] shape, int[] sa, int oa, int[] sb, int ob) {
        }
        List<Case> cases = List.of(
                new Case(new int[] {37, 29}, new int[] {29, 1}, 3, new int[] {29, 1}, 11),   // dense
                new Case(new int[] {37, 29}, new int[] {29, 1}, 0, new int[] {0, 1}, 2),     // b: a row, broadcast
                new Case(new int[] {29, 37}, new int[] {1, 29}, 1, new int[] {1, 0}, 0),     // a transposed, b a column
                new Case(new int[] {3, 4, 5}, new int[] {20, 5, 1}, 0, new int[] {0, 0, 0}, 9),  // b a scalar
                new Case(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2}, new int[] {1, 2, 4, 8, 16, 32, 64, 128, 256}, 0,
                        new int[] {256, 0, 64, 0, 16, 0, 4, 0, 1}, 5),                     // rank 9, mixed
                new Case(new int[] {6, 0}, new int[] {0, 1}, 0, new int[] {0, 1}, 0),        // empty
                new Case(new int[] {1, 3001}, new int[] {3001, 1}, 0, new int[] {0, 1}, 7)); // long, dense after merge
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            float[] xa = values(rnd, len, 5);
            float[] xb = values(rnd, len, 5);
            for (int i = 0; i < 50; i++) {
                xb[rnd.nextInt(len)] = xa[rnd.nextInt(len)];  // some equal pairs for EQ, MAXIMUM, MINIMUM
            }
            Storage ca = CPU.upload(0, xa, 0, len);
            Storage cb = CPU.upload(0, xb, 0, len);
            Storage ea = dev.upload(xa);
            Storage eb = dev.upload(xb);
            List<Runnable> checks = new ArrayList<>();
            for (BinaryOp op : BinaryOp.values()) {
                for (Case c : cases) {
                    StridedView va = new StridedView(null, c.oa(), c.shape(), c.sa());
                    StridedView vb = new StridedView(null, c.ob(), c.shape(), c.sb());
                    int n = va.numel();
                    Storage cout = CPU.allocate(0, n);
                    EmulatedDevice.HostStorage eout = dev.allocate(n);
                    CPU.binary(op, on(ca, va), on(cb, vb), cout);
                    CudaKernels.binary(dev, op, on(ea, va), on(eb, vb), eout);
                    String what = op + " on " + java.util.Arrays.toString(c.shape()) + " a strides "
                            + java.util.Arrays.toString(c.sa()) + " b strides " + java.util.Arrays.toString(c.sb());
                    boolean gelu = op == BinaryOp.GELU_BACKWARD || op == BinaryOp.GELU_TANH_BACKWARD;
                    checks.add(() -> {
                        float[] e = cpuDown(cout);
                        assertSame(e, eout.data, op == BinaryOp.POW ? 2 : 0, gelu ? relative(e, 1e-4f) : null, what);
                    });
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    @Test
    void reductionsFollowTheNanAndTieRulesOnEveryPath() {
        Random rnd = new Random(13);
        // (shape, strides, offset, dim)
        record Case(int[] shape, int[] strides, int offset, int dim) {
        }
        List<Case> cases = List.of(
                new Case(new int[] {7, 1000}, new int[] {1000, 1}, 0, 1),       // block per output, 1024 threads
                new Case(new int[] {1000, 7}, new int[] {7, 1}, 3, 0),          // block per output, strided slice
                new Case(new int[] {300, 200}, new int[] {200, 1}, 0, 0),       // thread per output (coalesced)
                new Case(new int[] {5, 16}, new int[] {16, 1}, 1, 1),           // thread per output (short)
                new Case(new int[] {3, 33, 4}, new int[] {132, 4, 1}, 2, 1),    // block of 64, strided
                new Case(new int[] {4, 17}, new int[] {1, 4}, 0, 1),            // block of 32, transposed view
                new Case(new int[] {9, 1}, new int[] {1, 1}, 0, 1),             // length 1
                new Case(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 40},
                        new int[] {40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 1}, 0, 9));  // rank 9 after: 2 launches
        int len = 60_011;
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            for (int variant = 0; variant < 3; variant++) {
                float[] x = new float[len];
                for (int i = 0; i < len; i++) {
                    x[i] = switch (variant) {
                        case 0 -> (float) rnd.nextGaussian();
                        case 1 -> rnd.nextInt(40) == 0 ? Float.NaN : rnd.nextInt(5) - 2f;  // ties and NaN
                        default -> rnd.nextInt(9) == 0 ? SPECIALS[rnd.nextInt(SPECIALS.length)] : rnd.nextInt(3);
                    };
                }
                Storage cin = CPU.upload(0, x, 0, len);
                Storage ein = dev.upload(x);
                List<Runnable> checks = new ArrayList<>();
                // float32 results; ARGMAX/ARGMIN write int64 positions (HostTypedKernelsTest); PROD of these
                // values leaves float's range, HostRowKernelsTest checks it on values near 1
                for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN}) {
                    for (Case c : cases) {
                        StridedView v = new StridedView(null, c.offset(), c.shape(), c.strides());
                        int n = v.numel() / c.shape()[c.dim()];
                        Storage cout = CPU.allocate(0, n);
                        EmulatedDevice.HostStorage eout = dev.allocate(n);
                        CPU.reduce(op, on(cin, v), c.dim(), cout);
                        CudaKernels.reduce(dev, op, on(ein, v), c.dim(), eout);
                        int redLen = c.shape()[c.dim()];
                        String what = op + " along " + c.dim() + " of " + java.util.Arrays.toString(c.shape())
                                + " strides " + java.util.Arrays.toString(c.strides()) + " (data variant " + variant + ")";
                        checks.add(() -> {
                            float[] e = cpuDown(cout);
                            float[] tol = null;
                            if (op == ReduceOp.SUM) {
                                tol = new float[n];
                                java.util.Arrays.fill(tol, 1e-5f * redLen * 4f);
                            }
                            assertSame(e, eout.data, 0, tol, what);
                        });
                    }
                }
                dev.sync();
                checks.forEach(Runnable::run);
            }
        }
    }

    @Test
    void windowKernelsMatchTheCpuBackendBitForBit() {
        Random rnd = new Random(18);
        // batch, channels, in H/W, kernel, stride, padding, dilation, out H/W (past the edge for ceil mode
        // and padding="same"), and whether the image is read through a transposed (H <-> W) view
        record Case(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                    int outH, int outW, boolean transposed) {
            Window window() {
                return new Window(c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, outH, outW);
            }
        }
        List<Case> cases = List.of(
                new Case(2, 3, 7, 6, 3, 2, 2, 3, 1, 1, 2, 1, 3, 2, false),     // stride, padding, dilation
                new Case(1, 2, 5, 9, 2, 3, 1, 2, 0, 1, 1, 1, 4, 5, true),      // odd sizes, transposed view
                new Case(3, 1, 6, 7, 3, 3, 2, 2, 1, 1, 1, 1, 4, 4, false),     // ceil mode: last window past the edge
                new Case(2, 4, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1, 4, 4, false),     // LeNet's pooling
                new Case(1, 3, 9, 8, 4, 3, 1, 1, 1, 1, 1, 1, 9, 8, true),      // padding="same" with an even kernel
                new Case(2, 2, 11, 4, 5, 1, 1, 1, 2, 0, 1, 1, 11, 4, false));  // overlapping windows
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            List<Runnable> checks = new ArrayList<>();
            for (Case c : cases) {
                Window w = c.window();
                int planes = c.n() * c.c();
                int len = planes * c.h() * c.w();
                // ties and NaN now and then, so that the first-maximum and NaN rules are exercised
                float[] x = new float[len + 3];
                for (int i = 0; i < x.length; i++) {
                    x[i] = rnd.nextInt(50) == 0 ? Float.NaN : rnd.nextInt(4) == 0 ? rnd.nextInt(3) : (float) rnd.nextGaussian();
                }
                int[] shape = {c.n(), c.c(), c.h(), c.w()};
                int[] strides = c.transposed() ? new int[] {c.c() * c.h() * c.w(), c.h() * c.w(), 1, c.h()}
                        : new int[] {c.c() * c.h() * c.w(), c.h() * c.w(), c.w(), 1};
                StridedView image = new StridedView(null, 3, shape, strides);
                Storage cx = CPU.upload(0, x, 0, x.length);
                Storage ex = dev.upload(x);
                String what = " of " + c;

                int colsLen = planes * c.kh() * c.kw() * w.positions();
                Storage cCols = CPU.allocate(0, colsLen);
                EmulatedDevice.HostStorage eCols = dev.allocate(colsLen);
                CPU.unfold(on(cx, image), w, cCols);
                CudaKernels.unfold(dev, on(ex, image), w, eCols);
                checks.add(() -> assertSame(cpuDown(cCols), eCols.data, 0, null, "unfold" + what));

                // fold of independent columns (finite), then of columns broadcast along L (stride 0)
                float[] cols = values(rnd, colsLen, 0);
                int[] colShape = {c.n(), c.c() * c.kh() * c.kw(), w.positions()};
                StridedView colView = StridedView.contiguous(null, 0, colShape);
                StridedView expanded = new StridedView(null, 1, colShape,
                        new int[] {c.c() * c.kh() * c.kw(), 1, 0});
                Storage cc = CPU.upload(0, cols, 0, colsLen);
                Storage ec = dev.upload(cols);
                for (StridedView v : List.of(colView, expanded)) {
                    Storage cImg = CPU.allocate(0, len);
                    EmulatedDevice.HostStorage eImg = dev.allocate(len);
                    CPU.fold(on(cc, v), w, cImg);
                    CudaKernels.fold(dev, on(ec, v), w, eImg);
                    checks.add(() -> assertSame(cpuDown(cImg), eImg.data, 0, null, "fold" + what + " strides "
                            + java.util.Arrays.toString(v.strides())));
                }

                int outLen = planes * w.positions();
                Storage cOut = CPU.allocate(0, outLen);
                Storage cIdx = CPU.allocate(0, outLen);
                EmulatedDevice.HostStorage eOut = dev.allocate(outLen);
                EmulatedDevice.HostStorage eIdx = dev.allocate(outLen);
                CPU.maxPool2d(on(cx, image), w, cOut, cIdx);
                CudaKernels.maxPool2d(dev, on(ex, image), w, eOut, eIdx);
                checks.add(() -> assertSame(cpuDown(cOut), eOut.data, 0, null, "maxPool2d" + what));
                checks.add(() -> assertSame(cpuDown(cIdx), eIdx.data, 0, null, "maxPool2d indices" + what));

                // the gradient, read through a transposed view of the output's shape; indices from the CPU run
                float[] g = values(rnd, outLen, 0);
                float[] idx = cpuDown(cIdx);
                int[] outShape = {c.n(), c.c(), c.outH(), c.outW()};
                StridedView gView = new StridedView(null, 0, outShape,
                        new int[] {c.c() * w.positions(), w.positions(), 1, c.outH()});
                StridedView iView = StridedView.contiguous(null, 0, outShape);
                Storage cg = CPU.upload(0, g, 0, outLen);
                Storage ci = CPU.upload(0, idx, 0, outLen);
                Storage eg = dev.upload(g);
                Storage ei = dev.upload(idx);
                Storage cGrad = CPU.allocate(0, len);
                EmulatedDevice.HostStorage eGrad = dev.allocate(len);
                CPU.maxPool2dBackward(on(cg, gView), on(ci, iView), w, cGrad);
                CudaKernels.maxPool2dBackward(dev, on(eg, gView), on(ei, iView), w, eGrad);
                checks.add(() -> assertSame(cpuDown(cGrad), eGrad.data, 0, null, "maxPool2d backward" + what));
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    @Test
    void directConvolutionMatchesTheCpuBackendBitForBit() {
        Random rnd = new Random(19);
        // batch, channels, in H/W, out channels, groups, kernel, stride, padding, dilation, transposed (H <-> W)
        // input view, bias
        record Case(int n, int c, int h, int w, int o, int groups, int kh, int kw, int sh, int sw, int ph, int pw,
                    int dh, int dw, boolean transposed, boolean bias) {
            Window window() {
                int outH = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
                int outW = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
                return new Window(c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, outH, outW);
            }
        }
        List<Case> cases = List.of(
                new Case(3, 1, 8, 8, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, false, true),     // convnet's first conv
                new Case(2, 16, 8, 8, 16, 4, 3, 3, 2, 2, 1, 1, 1, 1, false, true),    // grouped, strided
                new Case(2, 16, 2, 2, 32, 1, 1, 1, 1, 1, 0, 0, 1, 1, false, false),   // 1x1 without bias
                new Case(1, 6, 14, 14, 16, 1, 5, 5, 1, 1, 0, 0, 1, 1, true, true),    // LeNet's second, transposed view
                new Case(2, 4, 9, 7, 6, 2, 3, 2, 2, 3, 1, 0, 2, 1, false, true),      // mixed stride and dilation
                new Case(1, 3, 11, 13, 5, 1, 3, 3, 3, 1, 1, 1, 1, 2, true, false));   // odd sizes
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            List<Runnable> checks = new ArrayList<>();
            for (Case c : cases) {
                Window w = c.window();
                int len = c.n() * c.c() * c.h() * c.w();
                float[] x = values(rnd, len + 3, 0);
                int[] shape = {c.n(), c.c(), c.h(), c.w()};
                int[] strides = c.transposed() ? new int[] {c.c() * c.h() * c.w(), c.h() * c.w(), 1, c.h()}
                        : new int[] {c.c() * c.h() * c.w(), c.h() * c.w(), c.w(), 1};
                StridedView image = new StridedView(null, 3, shape, strides);
                int[] wShape = {c.o(), c.c() / c.groups(), c.kh(), c.kw()};
                int wLen = c.o() * (c.c() / c.groups()) * c.kh() * c.kw();
                // weight and bias at offsets 2 and 1 of their storages
                float[] wt = values(rnd, wLen + 2, 0);
                float[] b = values(rnd, c.o() + 1, 0);
                StridedView wView = StridedView.contiguous(null, 2, wShape);
                StridedView bView = c.bias() ? StridedView.contiguous(null, 1, new int[] {c.o()}) : null;
                int outLen = c.n() * c.o() * w.positions();
                Storage cOut = CPU.allocate(0, outLen);
                EmulatedDevice.HostStorage eOut = dev.allocate(outLen);
                CPU.conv2d(on(CPU.upload(0, x, 0, x.length), image), w, c.groups(), on(CPU.upload(0, wt, 0, wt.length), wView),
                        bView == null ? null : on(CPU.upload(0, b, 0, b.length), bView), cOut);
                CudaKernels.conv2d(dev, on(dev.upload(x), image), w, c.groups(), on(dev.upload(wt), wView),
                        bView == null ? null : on(dev.upload(b), bView), eOut);
                checks.add(() -> assertSame(cpuDown(cOut), eOut.data, 0, null, "conv2d of " + c));
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    /** One GEMM case: sizes, layouts (padding, offsets, transposes, batch strides) and epilogue. */
    record GemmCase(int batch, int m, int n, int k, boolean ta, boolean tb, int padA, int padB, int padC,
                    boolean broadcastB, int epilogue, boolean specials) {
        int lda() {
            return (ta ? m : k) + padA;
        }

        int ldb() {
            return (tb ? k : n) + padB;
        }

        int ldc() {
            return n + padC;
        }

        int aRows() {
            return ta ? k : m;
        }

        int bRows() {
            return tb ? n : k;
        }

        int aBatch() {
            return Math.max(1, aRows()) * lda() + 3;
        }

        int bBatch() {
            return broadcastB ? 0 : Math.max(1, bRows()) * ldb() + 1;
        }

        int cBatch() {
            return m * ldc() + 2;
        }

        @Override
        public String toString() {
            return "batch " + batch + ", " + m + "x" + n + "x" + k + (ta ? ", A^T" : "") + (tb ? ", B^T" : "")
                    + ", ld " + lda() + "/" + ldb() + "/" + ldc() + (broadcastB ? ", B broadcast" : "")
                    + (epilogue == 0 ? "" : epilogue == 1 ? ", bias" : ", bias+ReLU") + (specials ? ", inf/NaN" : "");
        }
    }

    static List<GemmCase> gemmCases() {
        List<GemmCase> cases = new ArrayList<>();
        int[][] edges = {{1, 1, 1}, {63, 65, 15}, {64, 64, 16}, {65, 63, 17}, {127, 129, 8}, {128, 1, 33},
            {129, 130, 9}, {1, 200, 70}, {200, 1, 3}, {17, 19, 0}, {257, 5, 7}};
        int e = 0;
        for (int[] s : edges) {
            for (int t = 0; t < 4; t++) {
                cases.add(new GemmCase(1 + (e % 3), s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, e % 2, (e + 1) % 3,
                        e % 4, e % 5 == 4, e % 3, false));
                e++;
            }
        }
        Random rnd = new Random(14);
        for (int i = 0; i < 24; i++) {
            cases.add(new GemmCase(1 + rnd.nextInt(3), 1 + rnd.nextInt(150), 1 + rnd.nextInt(150), rnd.nextInt(60),
                    rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3),
                    rnd.nextInt(4) == 0, rnd.nextInt(3), i % 6 == 5));
        }
        return cases;
    }

    @Test
    void ownGemmMatchesTheCpuBackendForEveryTransposeTileEdgeAndEpilogue() {
        List<GemmCase> cases = gemmCases();
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            Random rnd = new Random(15);
            List<Runnable> checks = new ArrayList<>();
            for (GemmCase c : cases) {
                checks.add(queueGemm(dev, rnd, c, false));
            }
            dev.sync();
            checks.forEach(Runnable::run);
            long kernels128 = dev.history.stream().filter(l -> l.kernel().equals("cairn_sgemm_128")).count();
            long kernels64 = dev.history.stream().filter(l -> l.kernel().equals("cairn_sgemm_64")).count();
            if (dev.smCount() == 1) {
                assertTrue(kernels128 > cases.size() && kernels64 == 0,
                        "one SM: every GEMM on 128x128 tiles, the tall ones in several launches: " + kernels128);
            } else {
                assertTrue(kernels64 == cases.size() && kernels128 == 0, "many SMs: 64x64 tiles: " + kernels64);
            }
        }
    }

    @Test
    void epiloguePassAfterCublasMatchesTheFusedEpilogue() {
        Random rnd = new Random(16);
        for (EmulatedDevice dev : new EmulatedDevice[] {small(), large()}) {
            List<Runnable> checks = new ArrayList<>();
            for (GemmCase c : gemmCases()) {
                if (c.epilogue() != 0) {
                    checks.add(queueGemm(dev, rnd, c, true));
                }
            }
            dev.sync();
            checks.forEach(Runnable::run);
        }
    }

    /**
     * Queues case {@code c} on {@code dev} (the own kernel, or with {@code epiloguePass} the CPU's plain
     * product followed by the kernel's bias/ReLU pass, as after cuBLAS) and computes the CPU result;
     * returns the check to run after {@code sync()}.
     */
    static Runnable queueGemm(EmulatedDevice dev, Random rnd, GemmCase c, boolean epiloguePass) {
        int offA = 2;
        int offB = 1;
        int offC = 3;
        int lenA = offA + c.batch() * c.aBatch();
        int lenB = offB + Math.max(1, c.broadcastB() ? 1 : c.batch()) * (Math.max(1, c.bRows()) * c.ldb() + 1);
        int lenC = offC + c.batch() * c.cBatch();
        float[] a = values(rnd, lenA, c.specials() ? 40 : 0);
        float[] b = values(rnd, lenB, c.specials() ? 40 : 0);
        float[] c0 = values(rnd, lenC, 0);  // the elements outside the matrices must keep these
        float[] bias = values(rnd, c.n() + 4, 0);
        Storage ca = CPU.upload(0, a, 0, lenA);
        Storage cb = CPU.upload(0, b, 0, lenB);
        Storage cc = CPU.upload(0, c0, 0, lenC);
        Storage cbias = CPU.upload(0, bias, 0, bias.length);
        Epilogue cpuEpi = c.epilogue() == 0 ? Epilogue.NONE : new Epilogue(cbias, 4, c.epilogue() == 2);
        CPU.gemm(c.batch(), c.m(), c.n(), c.k(), new GemmOperand(ca, offA, c.lda(), c.ta(), c.aBatch()),
                new GemmOperand(cb, offB, c.ldb(), c.tb(), c.bBatch()), new GemmOperand(cc, offC, c.ldc(), false, c.cBatch()),
                cpuEpi);
        float[] expected = cpuDown(cc);
        // Tolerance: a few ulps of sum |a||b| per element of C.
        float[] tol = new float[lenC];
        for (int bt = 0; bt < c.batch(); bt++) {
            for (int i = 0; i < c.m(); i++) {
                for (int j = 0; j < c.n(); j++) {
                    double s = 0;
                    for (int kk = 0; kk < c.k(); kk++) {
                        float x = a[offA + bt * c.aBatch() + (c.ta() ? kk * c.lda() + i : i * c.lda() + kk)];
                        float y = b[offB + bt * c.bBatch() + (c.tb() ? j * c.ldb() + kk : kk * c.ldb() + j)];
                        s += Math.abs((double) x * y);
                    }
                    tol[offC + bt * c.cBatch() + i * c.ldc() + j] = (float) (s * 1e-6 + 1e-30);
                }
            }
        }
        EmulatedDevice.HostStorage ec;
        EmulatedDevice.HostStorage ebias = dev.upload(bias);
        Epilogue emuEpi = c.epilogue() == 0 ? Epilogue.NONE : new Epilogue(ebias, 4, c.epilogue() == 2);
        GemmOperand outC;
        if (epiloguePass) {
            // The plain product (what cuBLAS would leave), then the kernel's second pass.
            Storage plain = CPU.upload(0, c0, 0, lenC);
            CPU.gemm(c.batch(), c.m(), c.n(), c.k(), new GemmOperand(ca, offA, c.lda(), c.ta(), c.aBatch()),
                    new GemmOperand(cb, offB, c.ldb(), c.tb(), c.bBatch()),
                    new GemmOperand(plain, offC, c.ldc(), false, c.cBatch()), Epilogue.NONE);
            ec = dev.upload(cpuDown(plain));
            outC = new GemmOperand(ec, offC, c.ldc(), false, c.cBatch());
            CudaKernels.epilogue(dev, c.batch(), c.m(), c.n(), outC, emuEpi);
            java.util.Arrays.fill(tol, 0f);
        } else {
            ec = dev.upload(c0);
            outC = new GemmOperand(ec, offC, c.ldc(), false, c.cBatch());
            CudaKernels.ownGemm(dev, c.batch(), c.m(), c.n(), c.k(), new GemmOperand(dev.upload(a), offA, c.lda(), c.ta(),
                    c.aBatch()), new GemmOperand(dev.upload(b), offB, c.ldb(), c.tb(), c.bBatch()), outC, emuEpi);
        }
        String what = (epiloguePass ? "epilogue pass, " : "own GEMM, ") + c + " on " + dev.smCount() + " SM(s)";
        return () -> assertSame(expected, ec.data, 0, tol, what);
    }

    // ---- the harness catches what it is for ----

    @Test
    void aReadPastTheEndOfABufferFailsWithTheBufferAndElement() {
        EmulatedDevice dev = large();
        EmulatedDevice.HostStorage in = dev.upload(new float[1000]);
        EmulatedDevice.HostStorage out = dev.allocate(5000);
        // n beyond the source: the kernel reads past its end.
        dev.launch("unary_identity_f32_dense", 20, 1, 1, 256, new KernelArgs().f(0f).ptr(in).l(0).ptr(out).l(0).i(5000));
        AssertionError e = assertThrows(AssertionError.class, dev::sync);
        assertTrue(e.getMessage().contains("past the end of buffer 0") && e.getMessage().contains("unary_identity_f32_dense"),
                e.getMessage());
    }

    @Test
    void aWriteBeforeTheStartOfABufferFails() {
        EmulatedDevice dev = large();
        EmulatedDevice.HostStorage out = dev.allocate(100);
        dev.launch("fill_f32", 1, 1, 1, 256, new KernelArgs().ptr(out).l(-3).i(10).f(1f));
        AssertionError e = assertThrows(AssertionError.class, dev::sync);
        assertTrue(e.getMessage().contains("before the start of buffer 0"), e.getMessage());
    }

    @Test
    void argumentsThatDoNotMatchTheCSignatureFail() {
        EmulatedDevice dev = large();
        EmulatedDevice.HostStorage out = dev.allocate(100);
        dev.launch("fill_f32", 1, 1, 1, 256, new KernelArgs().ptr(out).l(0).l(100).f(1f));
        AssertionError e = assertThrows(AssertionError.class, dev::sync);
        assertTrue(e.getMessage().contains("parameter 2 is int"), e.getMessage());
        dev.launch("fill_f32", 1, 1, 1, 256, new KernelArgs().ptr(out).l(0).i(100));
        e = assertThrows(AssertionError.class, dev::sync);
        assertTrue(e.getMessage().contains("takes 4 parameters, the launch passed 3"), e.getMessage());
        dev.launch("cairn_no_such_kernel", 1, 1, 1, 256, new KernelArgs());
        e = assertThrows(AssertionError.class, dev::sync);
        assertTrue(e.getMessage().contains("no kernel of that name"), e.getMessage());
    }

    @Test
    void aBlockThatIsNotWholeWarpsCannotReduceWithFullWarpShuffles() {
        EmulatedDevice dev = large();
        EmulatedDevice.HostStorage in = dev.upload(new float[100]);
        EmulatedDevice.HostStorage out = dev.allocate(1);
        int[] layout = Layout.of(new int[0], new int[0], null).packInner();
        dev.launch("reduce_sum_f32_f32_block", 1, 1, 1, 48, new KernelArgs().ptr(in).l(0).ints(layout).i(100).i(1)
                .ptr(out).l(0).i(1));
        AssertionError e = assertThrows(AssertionError.class, dev::sync);
        assertTrue(e.getMessage().contains("not a multiple of 32"), e.getMessage());
    }

    @Test
    void everyKernelOfTheSourcesIsRegistered() throws Exception {
        java.nio.file.Path exe = HostKernels.executable();
        List<String> declared = new ArrayList<>();
        for (var cu : HostKernels.cudaSources()) {
            declared.addAll(HostKernels.kernelNames(cu));
        }
        Process p = new ProcessBuilder(exe.toString(), "--list").start();
        String listed = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        for (String k : declared) {
            assertTrue(listed.contains(k + " "), k + " missing from " + listed);
        }
        for (String k : KernelNames.expected()) {
            assertTrue(listed.contains(k + " "), "the macro-generated kernel " + k + " is not registered");
        }
    }
}
