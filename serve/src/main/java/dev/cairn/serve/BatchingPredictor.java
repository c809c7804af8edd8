package dev.cairn.serve;

import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Module;
import dev.cairn.DType;
import dev.cairn.Device;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Module} for many threads at once by gathering their requests into batches, as
 * Triton's dynamic batcher does: concurrent requests of the same trailing shape and dtype are
 * concatenated along dimension 0 (up to {@code maxBatchRows} rows, waiting at most {@code maxDelay}
 * for company), run in one forward pass (eval mode, no grad, one {@link TensorScope} per batch) and
 * the output is split back so that each caller gets its own rows.
 *
 * <pre>{@code
 * try (var predictor = BatchingPredictor.builder()
 *         .model(() -> new MLP())          // one instance per worker; the predictor owns them
 *         .rowShape(20)                     // each request is [n, 20]; checked at submit
 *         .maxBatchRows(64).queueCapacity(256).timeout(Duration.ofSeconds(1))
 *         .build()) {
 *     CompletableFuture<Tensor> y = predictor.submit(x);   // from any thread
 *     Tensor z = predictor.predict(x2);                      // blocking
 * }
 * }</pre>
 *
 * <ul>
 *   <li>A bad request fails only itself: a request whose rows do not have the declared
 *       {@link Builder#rowShape row shape} fails with a {@link ShapeException} naming the expected
 *       shape, and a batch whose forward pass fails is rerun one request at a time, so only the
 *       requests that fail on their own are failed.</li>
 *   <li>Back-pressure: past {@code queueCapacity} waiting requests, {@code submit} returns at once a
 *       future failed with {@link OverloadException}. Nothing blocks, nothing is dropped silently.</li>
 *   <li>Each request may time out ({@link RequestTimeoutException}) or be cancelled through its
 *       future; a request is answered exactly once, and a cancelled or timed-out request that has not
 *       started is never run.</li>
 *   <li>Several model instances ({@link Builder#instances}) each have a worker thread taking batches
 *       from one shared queue.</li>
 *   <li>{@link #swap} and {@link #swapWeights} replace the model while serving: new instances are
 *       built and loaded first, then swapped in atomically between batches; every answer comes from
 *       one version ({@link Prediction#modelVersion}) and no request fails because of a swap.</li>
 *   <li>{@link #close} stops taking requests, answers every accepted one, then releases the
 *       instances' memory.</li>
 * </ul>
 *
 * <p>Answers are host (CPU) tensors owned by the caller. {@code submit} copies the request's rows,
 * so the caller may close or change its tensor as soon as {@code submit} returns. All methods are
 * thread-safe.
 */
public final class BatchingPredictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchingPredictor.class);
    private static final Request POISON = new Request(null, 0, null, 0, null);

    private final String name;
    private final Supplier<Module> factory;
    private final Device device;
    private final int maxBatchRows;
    private final long maxDelayNanos;
    private final int queueCapacity;
    private final Duration timeout;
    private final int[] rowShape;
    private final List<BatchListener> listeners = new CopyOnWriteArrayList<>();

    /** Waiting requests (and, at close, one poison pill per worker); bounded by {@link #permits}. */
    private final LinkedBlockingQueue<Request> queue;
    private final Semaphore permits;
    private final AtomicReferenceArray<Instance> slots;
    private final ReentrantLock[] runLocks;
    private final Thread[] workers;
    private final ScheduledExecutorService timer;
    private final ReentrantReadWriteLock accepting = new ReentrantReadWriteLock();
    private final Object swapLock = new Object();
    private final AtomicLong version = new AtomicLong(1);
    private volatile boolean batchable = true;
    private volatile boolean closed;
    private boolean terminated;

    /** A model instance and the version of its weights. */
    private record Instance(Module module, long version) {
    }

    /** Requests batched together must agree on this. */
    private record BatchKey(DType dtype, List<Integer> trailing) {
        static BatchKey of(Tensor t) {
            int[] s = t.shape();
            List<Integer> trailing = new ArrayList<>(s.length - 1);
            for (int i = 1; i < s.length; i++) {
                trailing.add(s[i]);
            }
            return new BatchKey(t.dtype(), List.copyOf(trailing));
        }
    }

    /** One submitted request: its own copy of the rows, and the future that answers it. */
    private record Request(Tensor rows, int rowCount, BatchKey key, long enqueuedNanos,
            CompletableFuture<Prediction> future) {
    }

    private BatchingPredictor(Builder b) {
        this.name = b.name;
        this.factory = b.factory;
        this.device = b.device;
        this.maxBatchRows = b.maxBatchRows;
        this.maxDelayNanos = b.maxDelay.toNanos();
        this.queueCapacity = b.queueCapacity;
        this.timeout = b.timeout;
        this.rowShape = b.rowShape == null ? null : b.rowShape.clone();
        if (b.listener != null) {
            listeners.add(b.listener);
        }
        this.queue = new LinkedBlockingQueue<>();
        this.permits = new Semaphore(queueCapacity);
        int n = b.instances;
        this.slots = new AtomicReferenceArray<>(n);
        this.runLocks = new ReentrantLock[n];
        List<Module> built = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                built.add(prepare(i == 0 && b.module != null ? b.module : factory.get()));
            }
        } catch (RuntimeException e) {
            built.forEach(BatchingPredictor::release);
            throw e;
        }
        for (int i = 0; i < n; i++) {
            slots.set(i, new Instance(built.get(i), 1));
            runLocks[i] = new ReentrantLock();
        }
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "cairn-predictor-" + name + "-timeouts");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        this.workers = new Thread[n];
        for (int i = 0; i < n; i++) {
            int index = i;
            workers[i] = new Thread(() -> workerLoop(index), "cairn-predictor-" + name + "-" + i);
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    /** A builder: {@code model} is required; everything else has a default. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- requests -------------------------------------------------------------------------

    /**
     * Queues {@code rows} (dimension 0 counts rows) and returns a future of the model's output rows for
     * them. Never blocks and never throws for a bad request: the future fails instead, with a
     * {@link ShapeException}, {@link OverloadException}, {@link PredictorClosedException},
     * {@link RequestTimeoutException} or the model's own exception. Cancelling the future withdraws
     * the request if it has not run yet.
     */
    public CompletableFuture<Tensor> submit(Tensor rows) {
        return submit(rows, timeout);
    }

    /** {@link #submit(Tensor)} with its own timeout ({@code null}: none). */
    public CompletableFuture<Tensor> submit(Tensor rows, Duration timeout) {
        CompletableFuture<Prediction> inner = submitPrediction(rows, timeout);
        CompletableFuture<Tensor> outer = new CompletableFuture<>();
        inner.whenComplete((p, e) -> {
            if (e == null) {
                if (!outer.complete(p.output())) {
                    p.output().close(); // the caller gave up on it
                }
            } else {
                outer.completeExceptionally(unwrap(e));
            }
        });
        outer.whenComplete((t, e) -> {
            if (e != null) {
                inner.cancel(false); // the caller cancelled or failed it: withdraw the request
            }
        });
        return outer;
    }

    /**
     * Like {@link #submit(Tensor, Duration)} but answers with the output and how it was produced (the
     * model version and the batch it ran in).
     */
    public CompletableFuture<Prediction> submitPrediction(Tensor rows, Duration timeout) {
        Objects.requireNonNull(rows, "rows");
        String problem = checkRows(rows);
        if (problem != null) {
            return CompletableFuture.failedFuture(new ShapeException(problem));
        }
        Tensor copy;
        try (var g = GradMode.noGrad()) {
            copy = TensorScope.forget(rows.detach().copy());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return enqueue(copy, timeout);
    }

    /**
     * Takes ownership of {@code rows} (closed once used) instead of copying them: for callers that made
     * the tensor only for this request, such as the HTTP server. A null timeout means the default.
     */
    CompletableFuture<Prediction> submitOwned(Tensor rows, Duration timeout) {
        if (timeout == null) {
            timeout = this.timeout;
        }
        String problem = checkRows(rows);
        if (problem != null) {
            rows.close();
            return CompletableFuture.failedFuture(new ShapeException(problem));
        }
        return enqueue(TensorScope.forget(rows), timeout);
    }

    /** Blocking {@link #submit(Tensor)}: the output rows, or the request's exception rethrown. */
    public Tensor predict(Tensor rows) {
        try {
            return submit(rows).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the prediction");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new CompletionException(c);
        }
    }

    private String checkRows(Tensor rows) {
        if (rows.dim() == 0) {
            return "model '" + name + "' takes rows along dimension 0" + expected() + ", got a 0-dim scalar";
        }
        if (rowShape != null) {
            int[] s = rows.shape();
            if (s.length != rowShape.length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), rowShape)) {
                return "model '" + name + "' expects input of shape " + expectedShape() + ", got "
                        + Arrays.toString(s);
            }
        }
        return null;
    }

    private String expected() {
        return rowShape == null ? "" : " (shape " + expectedShape() + ")";
    }

    private String expectedShape() {
        StringBuilder sb = new StringBuilder("[N");
        for (int d : rowShape) {
            sb.append(", ").append(d);
        }
        return sb.append(']').toString();
    }

    private CompletableFuture<Prediction> enqueue(Tensor rows, Duration timeout) {
        CompletableFuture<Prediction> f = new CompletableFuture<>();
        Request r = new Request(rows, rows.size(0), BatchKey.of(rows), System.nanoTime(), f);
        accepting.readLock().lock();
        try {
            if (closed) {
                rows.close();
                f.completeExceptionally(new PredictorClosedException("model '" + name + "' is closed and takes no new requests"));
                return f;
            }
            if (!permits.tryAcquire()) {
                rows.close();
                f.completeExceptionally(new OverloadException("model '" + name + "' is overloaded: " + queueCapacity
                        + " requests are already waiting (queue capacity " + queueCapacity + "); retry later"));
                return f;
            }
            queue.add(r);
        } finally {
            accepting.readLock().unlock();
        }
        if (timeout != null) {
            try {
                ScheduledFuture<?> t = timer.schedule(() -> {
                    // its place is freed before the answer is given: whoever sees the timeout sees the queue without it
                    withdraw(r);
                    f.completeExceptionally(new RequestTimeoutException(
                            "model '" + name + "': request timed out after " + timeout.toMillis() + " ms"));
                }, timeout.toNanos(), TimeUnit.NANOSECONDS);
                f.whenComplete((p, e) -> t.cancel(false));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the predictor is closing: the request is answered before close() returns anyway
            }
        }
        f.whenComplete((p, e) -> {
            if (e != null) { // cancelled (or failed) while waiting: free its place now
                withdraw(r);
            }
        });
        return f;
    }

    /** Takes a request no worker has taken yet out of the queue and frees its place; does nothing once taken. */
    private void withdraw(Request r) {
        if (queue.remove(r)) {
            permits.release();
            r.rows().close();
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    // ---- workers --------------------------------------------------------------------------

    private void workerLoop(int index) {
        Deque<Request> deferred = new ArrayDeque<>();
        boolean stopping = false;
        while (true) {
            Request first;
            if (!deferred.isEmpty()) {
                first = deferred.poll();
            } else if (stopping) {
                return;
            } else {
                try {
                    first = queue.take();
                } catch (InterruptedException e) {
                    continue; // workers stop only through close(), after the queue is drained
                }
                if (first == POISON) {
                    return;
                }
                permits.release();
            }
            if (first.future().isDone()) {
                first.rows().close();
                continue;
            }
            List<Request> batch = new ArrayList<>();
            batch.add(first);
            int rows = first.rowCount();
            if (batchable && rows < maxBatchRows) {
                for (Iterator<Request> it = deferred.iterator(); it.hasNext() && rows < maxBatchRows;) {
                    Request r = it.next();
                    if (r.key().equals(first.key()) && rows + r.rowCount() <= maxBatchRows) {
                        it.remove();
                        batch.add(r);
                        rows += r.rowCount();
                    }
                }
                long deadline = first.enqueuedNanos() + maxDelayNanos;
                while (rows < maxBatchRows && !stopping) {
                    Request r = queue.poll();
                    if (r == null) {
                        long wait = deadline - System.nanoTime();
                        if (wait <= 0) {
                            break;
                        }
                        try {
                            r = queue.poll(wait, TimeUnit.NANOSECONDS);
                        } catch (InterruptedException e) {
                            break;
                        }
                        if (r == null) {
                            break;
                        }
                    }
                    if (r == POISON) {
                        stopping = true;
                        continue;
                    }
                    permits.release();
                    if (r.future().isDone()) {
                        r.rows().close();
                    } else if (r.key().equals(first.key()) && rows + r.rowCount() <= maxBatchRows) {
                        batch.add(r);
                        rows += r.rowCount();
                    } else {
                        deferred.add(r); // another shape, or too many rows: it starts a later batch
                    }
                }
            }
            try {
                run(index, batch);
            } catch (Throwable t) { // never let a worker die with requests unanswered
                for (Request r : batch) {
                    r.future().completeExceptionally(t);
                }
            } finally {
                for (Request r : batch) {
                    r.rows().close();
                }
            }
        }
    }

    /** Runs one batch on instance {@code index}; on failure reruns its requests one by one. */
    private void run(int index, List<Request> batch) {
        batch.removeIf(r -> {
            if (r.future().isDone()) {
                r.rows().close();
                return true;
            }
            return false;
        });
        if (batch.isEmpty()) {
            return;
        }
        int rows = 0;
        int[] counts = new int[batch.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = batch.get(i).rowCount();
            rows += counts[i];
        }
        long t0 = System.nanoTime();
        List<Tensor> outs = null;
        long ver;
        Throwable failure = null;
        boolean splittable = true;
        ReentrantLock lock = runLocks[index];
        lock.lock();
        try (var g = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            Instance inst = slots.get(index);
            ver = inst.version();
            List<Tensor> parts = new ArrayList<>(batch.size());
            for (Request r : batch) {
                parts.add(r.rows());
            }
            Tensor x = parts.size() == 1 ? parts.get(0).to(device) : RowBatches.cat(parts, device);
            Tensor y = inst.module().call(x);
            if (y.dim() >= 1 && y.size(0) == rows) {
                outs = RowBatches.split(y, counts);
            } else if (batch.size() == 1) {
                outs = List.of(RowBatches.toHost(y)); // a model whose output is not per row (e.g. a sum)
            } else {
                splittable = false;
            }
            if (outs != null) {
                outs.forEach(scope::keep);
            }
        } catch (Throwable t) {
            failure = t;
            ver = 0;
        } finally {
            lock.unlock();
        }
        long nanos = System.nanoTime() - t0;
        for (BatchListener l : listeners) {
            l.batchRan(batch.size(), rows, nanos, failure != null || !splittable);
        }
        if (outs != null) {
            for (Request r : batch) {
                r.rows().close(); // before answering: once answered, nothing of the request is left
            }
            for (int i = 0; i < outs.size(); i++) {
                Prediction p = new Prediction(outs.get(i), ver, batch.size(), rows);
                if (!batch.get(i).future().complete(p)) {
                    outs.get(i).close(); // timed out or cancelled meanwhile
                }
            }
            return;
        }
        if (!splittable) {
            LOG.info("model '{}' does not return one output row per input row; running its requests one at a time", name);
            batchable = false;
        }
        if (batch.size() == 1) {
            batch.get(0).rows().close();
            batch.get(0).future().completeExceptionally(failure);
            return;
        }
        // isolate the request(s) at fault: each runs alone
        for (Request r : batch) {
            run(index, new ArrayList<>(List.of(r)));
        }
    }

    // ---- models ---------------------------------------------------------------------------

    private Module prepare(Module m) {
        Objects.requireNonNull(m, "the model factory returned null");
        return m.to(device).eval();
    }

    /** Frees the memory of an instance's parameters and buffers. */
    private static void release(Module m) {
        for (Tensor t : m.stateDict().values()) {
            t.close();
        }
    }

    /**
     * Replaces the model while serving: builds one new instance per worker with {@code newFactory}
     * (moved to the device, eval mode), then swaps each in between two batches and releases the old
     * one once its batch is done. Requests in flight finish on the old weights, later ones run on the
     * new; none fails. When building fails nothing changes. Returns the new model version.
     */
    public long swap(Supplier<Module> newFactory) {
        Objects.requireNonNull(newFactory, "newFactory");
        synchronized (swapLock) {
            if (closed) {
                throw new PredictorClosedException("model '" + name + "' is closed");
            }
            List<Module> fresh = new ArrayList<>(slots.length());
            try {
                for (int i = 0; i < slots.length(); i++) {
                    fresh.add(prepare(newFactory.get()));
                }
            } catch (RuntimeException e) {
                fresh.forEach(BatchingPredictor::release);
                throw e;
            }
            long v = version.incrementAndGet();
            for (int i = 0; i < slots.length(); i++) {
                Instance old = slots.getAndSet(i, new Instance(fresh.get(i), v));
                runLocks[i].lock(); // waits for a batch running on the old instance
                runLocks[i].unlock();
                release(old.module());
            }
            LOG.info("model '{}' now serves version {}", name, v);
            return v;
        }
    }

    /**
     * Replaces the weights while serving: new instances from the builder's factory load
     * {@code stateDict} strictly (a missing, unexpected or mis-shaped key is an error and nothing
     * changes), then {@link #swap} them in. Returns the new model version.
     */
    public long swapWeights(Map<String, ? extends Tensor> stateDict) {
        Objects.requireNonNull(stateDict, "stateDict");
        if (factory == null) {
            throw new IllegalStateException("model '" + name + "' was built from one module, not a factory: use swap(factory)");
        }
        return swap(() -> {
            Module m = factory.get();
            m.loadStateDict(stateDict, true);
            return m;
        });
    }

    /** Adds a listener told about every forward pass from now on (for metrics). */
    public void addListener(BatchListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added before. */
    public void removeListener(BatchListener listener) {
        listeners.remove(listener);
    }

    // ---- state ----------------------------------------------------------------------------

    /** The name used in messages and metrics. */
    public String name() {
        return name;
    }

    /** The device the model runs on. */
    public Device device() {
        return device;
    }

    /** The declared shape of one input row (a copy), or null when not declared. */
    public int[] rowShape() {
        return rowShape == null ? null : rowShape.clone();
    }

    /** The version of the weights now served (1, then one more per swap). */
    public long modelVersion() {
        return version.get();
    }

    /** Requests waiting to run. */
    public int queueDepth() {
        return queueCapacity - permits.availablePermits();
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    public int maxBatchRows() {
        return maxBatchRows;
    }

    public int instances() {
        return slots.length();
    }

    /** Whether requests are still concatenated: false once the model showed it does not return one output row per input row. */
    public boolean isBatching() {
        return batchable && maxBatchRows > 1;
    }

    /** Whether {@link #close} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops taking requests, waits until every accepted request is answered, then releases the model
     * instances. Idempotent; safe from any thread.
     */
    @Override
    public void close() {
        accepting.writeLock().lock();
        try {
            closed = true;
        } finally {
            accepting.writeLock().unlock();
        }
        synchronized (swapLock) {
            if (terminated) {
                return;
            }
            boolean interrupted = false;
            for (int i = 0; i < workers.length; i++) {
                while (true) {
                    try {
                        queue.put(POISON); // behind every accepted request
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            for (Thread w : workers) {
                while (true) {
                    try {
                        w.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            timer.shutdownNow();
            for (int i = 0; i < slots.length(); i++) {
                release(slots.get(i).module());
            }
            terminated = true;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "BatchingPredictor[" + name + ", device=" + device + ", instances=" + slots.length() + ", maxBatchRows="
                + maxBatchRows + ", maxDelay=" + Duration.ofNanos(maxDelayNanos) + ", queueCapacity=" + queueCapacity + "]";
    }

    /** Configures a {@link BatchingPredictor}. Not thread-safe; build once. */
    public static final class Builder {
        private Supplier<Module> factory;
        private Module module;
        private Device device = Device.cpu();
        private int instances = 1;
        private int maxBatchRows = 64;
        private Duration maxDelay = Duration.ZERO;
        private int queueCapacity = 1024;
        private Duration timeout;
        private int[] rowShape;
        private String name = "model";
        private BatchListener listener;

        private Builder() {
        }

        /**
         * How to make a model instance: called once per instance (and again by
         * {@link BatchingPredictor#swapWeights}). The predictor owns what it returns: it moves it to the
         * device, sets eval mode, and frees its memory on swap or close.
         */
        public Builder model(Supplier<Module> factory) {
            this.factory = Objects.requireNonNull(factory, "factory");
            this.module = null;
            return this;
        }

        /** One given instance (then {@code instances} must stay 1). The predictor takes ownership of it. */
        public Builder model(Module module) {
            this.module = Objects.requireNonNull(module, "module");
            this.factory = null;
            return this;
        }

        /** Where the model runs (default CPU). */
        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** Model instances, each with its own worker thread (default 1). */
        public Builder instances(int instances) {
            this.instances = positive("instances", instances);
            return this;
        }

        /** The most rows one forward pass gathers (default 64); 1 turns batching off. A larger request runs alone. */
        public Builder maxBatchRows(int rows) {
            this.maxBatchRows = positive("maxBatchRows", rows);
            return this;
        }

        /**
         * How long the oldest request of a batch may wait for company (default 0: a batch takes what is
         * queued when a worker is free, as Triton's dynamic batcher does by default).
         */
        public Builder maxDelay(Duration delay) {
            if (delay == null || delay.isNegative()) {
                throw new IllegalArgumentException("maxDelay must be >= 0, got " + delay);
            }
            this.maxDelay = delay;
            return this;
        }

        /** Requests that may wait (default 1024); past it {@code submit} fails fast with {@link OverloadException}. */
        public Builder queueCapacity(int capacity) {
            this.queueCapacity = positive("queueCapacity", capacity);
            return this;
        }

        /** Default per-request timeout from submit to answer (default none). */
        public Builder timeout(Duration timeout) {
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                throw new IllegalArgumentException("timeout must be > 0 (or null for none), got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** The shape of one input row, e.g. {@code rowShape(20)} for inputs {@code [N, 20]}; checked at submit. */
        public Builder rowShape(int... shape) {
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("rowShape sizes must be >= 0, got " + Arrays.toString(shape));
                }
            }
            this.rowShape = shape.clone();
            return this;
        }

        /** A name for messages, thread names and metrics (default "model"). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Told about every forward pass (for metrics). */
        public Builder listener(BatchListener listener) {
            this.listener = listener;
            return this;
        }

        /** Builds the instances, starts the workers. */
        public BatchingPredictor build() {
            if (factory == null && module == null) {
                throw new IllegalStateException("BatchingPredictor needs a model: call model(factory) or model(module)");
            }
            if (module != null && instances != 1) {
                throw new IllegalStateException("instances(" + instances + ") needs model(factory): one module cannot be "
                        + "several instances");
            }
            return new BatchingPredictor(this);
        }

        private static int positive(String what, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be >= 1, got " + v);
            }
            return v;
        }
    }
}
