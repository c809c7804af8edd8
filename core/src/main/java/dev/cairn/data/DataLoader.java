package dev.cairn.data;

import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.Tensor;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches of an {@link ArrayDataset}, like PyTorch's {@code DataLoader}: each {@link #iterator()} is one
 * epoch, in order or shuffled with a seeded generator (each epoch draws a new order from it, so the
 * sequence of epochs is reproducible from the seed), with an optional last partial batch
 * ({@code dropLast}). A background thread copies the examples of the next batches while the caller
 * trains on the current one ({@code prefetch} batches ahead; 0 for none); it ends with its epoch, when
 * an epoch is abandoned (a new {@link #iterator()} starts) or when the loader is {@link #close() closed},
 * so no thread outlives the loader. Tensors are made on the caller's thread and moved to the loader's
 * device there.
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(train).batchSize(256).shuffle(true).seed(0).build()) {
 *     for (int epoch = 0; epoch < 10; epoch++) {
 *         for (Batch b : loader) { ... }
 *     }
 * }
 * }</pre>
 *
 * Not thread-safe: use a loader from one thread.
 */
public final class DataLoader implements Iterable<Batch>, AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ArrayDataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Device device;
    private final int prefetch;
    private final SplittableRandom random;
    private Epoch current;
    private boolean closed;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.device = b.device;
        this.prefetch = b.prefetch;
        this.random = new SplittableRandom(b.seed);
    }

    /** A builder for a loader over {@code dataset}: batch size 1, no shuffling, seed 0, CPU, 2 batches prefetched. */
    public static Builder builder(ArrayDataset dataset) {
        return new Builder(dataset);
    }

    /** Settings of a {@link DataLoader}; PyTorch's defaults except the prefetching thread. */
    public static final class Builder {
        private final ArrayDataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private long seed;
        private Device device = Device.cpu();
        private int prefetch = 2;

        private Builder(ArrayDataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
        }

        /** Examples per batch, {@code >= 1}. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new CairnException("DataLoader: batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Whether each epoch visits the examples in a new random order. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The seed of the shuffling generator. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether a last batch smaller than the batch size is left out. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** The device batches are moved to. */
        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** How many batches the background thread prepares ahead, {@code >= 0}; 0 prepares them on the caller's thread. */
        public Builder prefetch(int batches) {
            if (batches < 0) {
                throw new CairnException("DataLoader: prefetch must be >= 0, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }

    public ArrayDataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch ({@code len(loader)}). */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Examples per epoch (fewer than the data set's with {@code dropLast}). */
    public int examplesPerEpoch() {
        return dropLast ? batchesPerEpoch() * batchSize : dataset.size();
    }

    /** Starts the next epoch (abandoning the current one, if it is not finished). */
    @Override
    public Iterator<Batch> iterator() {
        if (closed) {
            throw new CairnException("DataLoader is closed");
        }
        stopCurrent();
        int[] order = new int[dataset.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        current = new Epoch(order);
        return current;
    }

    /** Stops the background thread, if one runs; the loader cannot start epochs afterwards. Idempotent. */
    @Override
    public void close() {
        closed = true;
        stopCurrent();
    }

    private void stopCurrent() {
        if (current != null) {
            current.stop();
            current = null;
        }
    }

    /** Whether a background thread of this loader is running (for tests). */
    boolean workerAlive() {
        return current != null && current.worker != null && current.worker.isAlive();
    }

    /** A batch assembled on the host. */
    private record HostBatch(float[] features, float[] targets, int n) {
    }

    private static final HostBatch END = new HostBatch(null, null, 0);

    /** One pass over the data: assembles batches (on a worker thread when prefetching) and hands them out as tensors. */
    private final class Epoch implements Iterator<Batch> {
        private final int[] order;
        private final int batches = batchesPerEpoch();
        private final BlockingQueue<Object> queue;
        private final Thread worker;
        private volatile boolean stopped;
        private int handedOut;

        Epoch(int[] order) {
            this.order = order;
            if (prefetch > 0 && batches > 0) {
                queue = new ArrayBlockingQueue<>(prefetch + 1);
                worker = new Thread(this::produce, "cairn-data-loader-" + THREADS.incrementAndGet());
                worker.setDaemon(true);
                worker.start();
            } else {
                queue = null;
                worker = null;
            }
        }

        private HostBatch assemble(int b) {
            int start = b * batchSize;
            int n = Math.min(batchSize, order.length - start);
            int fs = dataset.featureSize();
            int ts = dataset.targetSize();
            float[] x = new float[n * fs];
            float[] y = new float[n * ts];
            for (int i = 0; i < n; i++) {
                dataset.copyFeatures(order[start + i], x, i * fs);
                dataset.copyTarget(order[start + i], y, i * ts);
            }
            return new HostBatch(x, y, n);
        }

        private void produce() {
            try {
                for (int b = 0; b < batches && !stopped; b++) {
                    queue.put(assemble(b));
                }
                queue.put(END);
            } catch (InterruptedException e) {
                // stopped: the epoch was abandoned or the loader closed
            } catch (RuntimeException | Error e) {
                queue.clear();
                queue.offer(e);
            }
        }

        @Override
        public boolean hasNext() {
            return !stopped && handedOut < batches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException(stopped ? "the epoch was abandoned or the loader closed"
                        : "the epoch has no more batches");
            }
            HostBatch hb;
            if (queue == null) {
                hb = assemble(handedOut);
            } else {
                Object o;
                try {
                    o = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CairnException("interrupted while waiting for the next batch", e);
                }
                if (o instanceof Throwable t) {
                    stop();
                    throw new CairnException("the data loader's background thread failed: " + t, t);
                }
                hb = (HostBatch) o;
            }
            handedOut++;
            if (handedOut == batches) {
                finish();
            }
            return new Batch(toTensor(hb.features(), hb.n(), dataset.featureShape()),
                    toTensor(hb.targets(), hb.n(), dataset.targetShape()));
        }

        private Tensor toTensor(float[] data, int n, int[] exampleShape) {
            int[] shape = new int[exampleShape.length + 1];
            shape[0] = n;
            System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
            Tensor t = Tensor.of(data, shape);
            return device.equals(Device.cpu()) ? t : moveAndClose(t);
        }

        private Tensor moveAndClose(Tensor t) {
            Tensor moved = t.to(device);
            if (moved != t) {
                t.close();
            }
            return moved;
        }

        /** Waits for the worker after the last batch (it has put its end marker and is ending). */
        private void finish() {
            if (worker != null) {
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void stop() {
            stopped = true;
            if (worker != null && worker.isAlive()) {
                worker.interrupt();
                boolean interrupted = false;
                while (worker.isAlive()) {
                    try {
                        worker.join();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
