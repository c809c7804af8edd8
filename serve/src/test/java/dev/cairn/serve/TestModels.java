package dev.cairn.serve;

import dev.cairn.nn.Module;
import dev.cairn.nn.Parameter;
import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Small models whose outputs are known exactly, for the predictor and server tests. */
final class TestModels {
    private TestModels() {
    }

    /**
     * {@code y = x * scale + 1} elementwise, {@code scale} a parameter (2 unless loaded otherwise). Records
     * the shape of every forward pass and the tensors it saw; fails on a NaN input; can hold its passes
     * at a gate until the test releases them.
     */
    static final class Affine extends Module {
        final Parameter scale = registerParameter("scale", Tensor.scalar(2f));
        final List<int[]> shapes = Collections.synchronizedList(new ArrayList<>());
        final List<Tensor> seen = Collections.synchronizedList(new ArrayList<>());
        /** Released once per pass that entered the gate. */
        final Semaphore entered = new Semaphore(0);
        volatile CountDownLatch gate;

        Affine() {
        }

        Affine(CountDownLatch gate) {
            this.gate = gate;
        }

        @Override
        public Tensor forward(Tensor x) {
            shapes.add(x.shape());
            seen.add(x);
            CountDownLatch g = gate;
            if (g != null) {
                entered.release();
                try {
                    if (!g.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never opened the gate");
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            for (float v : x.toFloatArray()) {
                if (Float.isNaN(v)) {
                    throw new CairnException("Affine: NaN in the input");
                }
            }
            Tensor y = x.mul(scale);
            seen.add(y);
            Tensor z = y.add(1);
            seen.add(z);
            return z;
        }

        /** Row counts of the passes so far. */
        List<Integer> rowCounts() {
            synchronized (shapes) {
                return shapes.stream().map(s -> s[0]).toList();
            }
        }

        void awaitEntered(int passes) throws InterruptedException {
            if (!entered.tryAcquire(passes, 30, TimeUnit.SECONDS)) {
                throw new AssertionError("the model was not entered " + passes + " times");
            }
        }
    }

    /** The sum of all elements (a 0-dim scalar): its output is not one row per input row. */
    static final class Total extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.sum();
        }
    }

    /** {@code rows} rows of {@code width} values start, start+1, ... */
    static Tensor rows(float start, int rows, int width) {
        float[] d = new float[rows * width];
        for (int i = 0; i < d.length; i++) {
            d[i] = start + i;
        }
        return Tensor.of(d, rows, width);
    }

    /** The expected output of {@link Affine} with scale 2 for {@link #rows}. */
    static float[] affine(float start, int rows, int width, float scale) {
        float[] d = new float[rows * width];
        for (int i = 0; i < d.length; i++) {
            d[i] = (start + i) * scale + 1;
        }
        return d;
    }
}
