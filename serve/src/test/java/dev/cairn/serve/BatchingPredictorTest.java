package dev.cairn.serve;

import static dev.cairn.serve.TestModels.affine;
import static dev.cairn.serve.TestModels.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.serve.TestModels.Affine;
import dev.cairn.CairnException;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link BatchingPredictor}: batching across threads, isolation, back-pressure, timeouts, close, instances, swaps. */
class BatchingPredictorTest {
    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the request hung");
        }
        throw new AssertionError("the request succeeded");
    }

    private static float[] values(CompletableFuture<Tensor> f) throws Exception {
        try (Tensor t = f.get(30, TimeUnit.SECONDS)) {
            return t.toFloatArray();
        }
    }

    private static void awaitQueued(BatchingPredictor p, int n) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (p.queueDepth() < n) {
            if (System.nanoTime() > end) {
                throw new AssertionError("only " + p.queueDepth() + " of " + n + " requests were queued");
            }
            Thread.sleep(1);
        }
    }

    @Test
    void concurrentRequestsRunAsOneBatchAndEachCallerGetsItsOwnRows() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Affine model = new Affine(gate);
        try (BatchingPredictor p = BatchingPredictor.builder().model(model).rowShape(3).build()) {
            CompletableFuture<Tensor> first = p.submit(rows(0, 1, 3));
            model.awaitEntered(1); // the worker is busy: the next requests queue up
            int n = 10;
            List<CompletableFuture<Tensor>> futures = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            List<CompletableFuture<Tensor>> slots = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                slots.add(null);
            }
            for (int i = 0; i < n; i++) {
                int k = i;
                Thread t = new Thread(() -> {
                    try (Tensor x = rows(100 * k, 1 + k % 3, 3)) {
                        CompletableFuture<Tensor> f = p.submit(x); // x is closed at once: submit copied it
                        synchronized (slots) {
                            slots.set(k, f);
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            futures.addAll(slots);
            awaitQueued(p, n);
            model.gate = null;
            gate.countDown();
            assertArrayEquals(affine(0, 1, 3, 2), values(first));
            int total = 0;
            for (int i = 0; i < n; i++) {
                assertArrayEquals(affine(100 * i, 1 + i % 3, 3, 2), values(futures.get(i)), "request " + i);
                total += 1 + i % 3;
            }
            assertEquals(List.of(1, total), model.rowCounts(), "the ten queued requests ran as one batch");
        }
    }

    @Test
    void requestsOfDifferentShapesAreNeverMixed() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Affine model = new Affine(gate);
        try (BatchingPredictor p = BatchingPredictor.builder().model(model).build()) {
            CompletableFuture<Tensor> first = p.submit(rows(0, 1, 4));
            model.awaitEntered(1);
            List<CompletableFuture<Tensor>> fours = new ArrayList<>();
            List<CompletableFuture<Tensor>> fives = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fours.add(p.submit(rows(10 * i, 1, 4)));
                fives.add(p.submit(rows(-10 * i, 2, 5)));
            }
            model.gate = null;
            gate.countDown();
            values(first);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(affine(10 * i, 1, 4, 2), values(fours.get(i)));
                assertArrayEquals(affine(-10 * i, 2, 5, 2), values(fives.get(i)));
            }
            List<String> shapes = model.shapes.stream().map(java.util.Arrays::toString).toList();
            assertEquals(List.of("[1, 4]", "[3, 4]", "[6, 5]"), shapes);
        }
    }

    @Test
    void aRequestOfTheWrongShapeFailsAloneNamingTheExpectedShape() throws Exception {
        Affine model = new Affine();
        try (BatchingPredictor p = BatchingPredictor.builder().model(model).rowShape(4).name("affine").build()) {
            Throwable e = failure(p.submit(rows(0, 2, 5)));
            assertInstanceOf(ShapeException.class, e);
            assertTrue(e.getMessage().contains("model 'affine' expects input of shape [N, 4], got [2, 5]"), e.getMessage());
            assertInstanceOf(ShapeException.class, failure(p.submit(Tensor.scalar(1))));
            ShapeException thrown = assertThrows(ShapeException.class, () -> p.predict(Tensor.vector(1, 2, 3, 4)));
            assertTrue(thrown.getMessage().contains("[N, 4]"), thrown.getMessage());
            assertArrayEquals(affine(0, 2, 4, 2), p.predict(rows(0, 2, 4)).toFloatArray());
            assertEquals(List.of(2), model.rowCounts(), "bad requests never reach the model");
        }
    }

    @Test
    void aRequestThatMakesTheModelFailFailsAloneAndItsBatchStillRuns() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Affine model = new Affine(gate);
        try (BatchingPredictor p = BatchingPredictor.builder().model(model).rowShape(2).build()) {
            CompletableFuture<Tensor> first = p.submit(rows(0, 1, 2));
            model.awaitEntered(1);
            CompletableFuture<Tensor> a = p.submit(rows(1, 1, 2));
            CompletableFuture<Tensor> bad = p.submit(Tensor.of(new float[] {1, Float.NaN}, 1, 2));
            CompletableFuture<Tensor> b = p.submit(rows(5, 2, 2));
            awaitQueued(p, 3);
            model.gate = null;
            gate.countDown();
            values(first);
            assertArrayEquals(affine(1, 1, 2, 2), values(a));
            assertArrayEquals(affine(5, 2, 2, 2), values(b));
            Throwable e = failure(bad);
            assertInstanceOf(CairnException.class, e);
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            // the batch of 4 rows failed, then each request ran alone
            assertEquals(List.of(1, 4, 1, 1, 2), model.rowCounts());
        }
    }

    @Test
    void pastItsCapacityTheQueueRefusesAtOnce() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Affine model = new Affine(gate);
        try (BatchingPredictor p = BatchingPredictor.builder().model(model).queueCapacity(2).name("affine").build()) {
            CompletableFuture<Tensor> running = p.submit(rows(0, 1, 2));
            model.awaitEntered(1);
            CompletableFuture<Tensor> q1 = p.submit(rows(1, 1, 2));
            CompletableFuture<Tensor> q2 = p.submit(rows(2, 1, 2));
            CompletableFuture<Tensor> refused = p.submit(rows(3, 1, 2));
            assertTrue(refused.isCompletedExceptionally(), "refused without waiting");
            Throwable e = failure(refused);
            assertInstanceOf(OverloadException.class, e);
            assertTrue(e.getMessage().contains("overloaded") && e.getMessage().contains("queue capacity 2"), e.getMessage());
            assertEquals(2, p.queueDepth());
            model.gate = null;
            gate.countDown();
            values(running);
            assertArrayEquals(affine(1, 1, 2, 2), values(q1));
            assertArrayEquals(affine(2, 1, 2, 2), values(q2));
            assertArrayEquals(affine(3, 1, 2, 2), p.predict(rows(3, 1, 2)).toFloatArray(), "room again once drained");
        }
    }

    @Test
    void aTimedOutRequestFailsAndNeverRuns() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Affine model = new Affine(gate);
        try (BatchingPredictor p = BatchingPredictor.builder().model(model).timeout(Duration.ofSeconds(30)).build()) {
            CompletableFuture<Tensor> running = p.submit(rows(0, 1, 2));
            model.awaitEntered(1);
            CompletableFuture<Tensor> late = p.submit(rows(7, 1, 2), Duration.ofMillis(20));
            Throwable e = failure(late);
            assertInstanceOf(RequestTimeoutException.class, e);
            assertTrue(e.getMessage().contains("timed out after 20 ms"), e.getMessage());
            assertEquals(0, p.queueDepth(), "a timed-out request leaves the queue at once");
            model.gate = null;
            gate.countDown();
            values(running);
            assertArrayEquals(affine(1, 1, 2, 2), p.predict(rows(1, 1, 2)).toFloatArray());
            assertEquals(List.of(1, 1), model.rowCounts(), "the timed-out request never ran");
        }
    }

    @Test
    void aTimeoutWhileRunningDiscardsTheAnswerExactlyOnce() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Affine model = new Affine(gate);
        try (BatchingPredictor p = BatchingPredictor.builder().model(model).build()) {
            CompletableFuture<Tensor> f = p.submit(rows(0, 1, 2), Duration.ofMillis(20));
            model.awaitEntered(1);
            assertInstanceOf(RequestTimeoutException.class, failure(f));
            model.gate = null;
            gate.countDown();
            assertArrayEquals(affine(1, 1, 2, 2), p.predict(rows(1, 1, 2)).toFloatArray());
            assertInstanceOf(RequestTimeoutException.class, failure(f), "still the timeout: answered once");
        }
    }

    @Test
    void aCancelledRequestIsWithdrawn() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Affine model = new Affine(gate);
        try (BatchingPredictor p = BatchingPredictor.builder().model(model).build()) {
            CompletableFuture<Tensor> running = p.submit(rows(0, 1, 2));
            model.awaitEntered(1);
            CompletableFuture<Tensor> cancelled = p.submit(rows(9, 3, 2));
            assertTrue(cancelled.cancel(true));
            assertEquals(0, p.queueDepth());
            model.gate = null;
            gate.countDown();
            values(running);
            assertThrows(CancellationException.class, cancelled::join);
            assertArrayEquals(affine(1, 1, 2, 2), p.predict(rows(1, 1, 2)).toFloatArray());
            assertEquals(List.of(1, 1), model.rowCounts(), "the cancelled request never ran");
        }
    }

    @Test
    void closeAnswersEveryAcceptedRequestThenReleasesTheModel() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Affine model = new Affine(gate);
        BatchingPredictor p = BatchingPredictor.builder().model(model).maxBatchRows(1).build();
        CompletableFuture<Tensor> running = p.submit(rows(0, 1, 2));
        model.awaitEntered(1);
        List<CompletableFuture<Tensor>> queued = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            queued.add(p.submit(rows(i, 1, 2)));
        }
        Thread closer = new Thread(p::close);
        closer.start();
        while (!p.isClosed()) {
            Thread.sleep(1);
        }
        Throwable refused = failure(p.submit(rows(5, 1, 2)));
        assertInstanceOf(PredictorClosedException.class, refused);
        assertTrue(closer.isAlive(), "close waits for the accepted requests");
        model.gate = null;
        gate.countDown();
        closer.join(30_000);
        assertFalse(closer.isAlive());
        values(running);
        for (int i = 1; i <= 3; i++) {
            assertArrayEquals(affine(i, 1, 2, 2), values(queued.get(i - 1)));
        }
        assertTrue(model.scale.isClosed(), "close released the model's parameters");
        p.close(); // idempotent
    }

    @Test
    void severalInstancesRunBatchesAtTheSameTime() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<Affine> made = new ArrayList<>();
        AtomicReference<Affine> last = new AtomicReference<>();
        try (BatchingPredictor p = BatchingPredictor.builder().model(() -> {
            Affine a = new Affine(gate);
            made.add(a);
            last.set(a);
            return a;
        }).instances(2).maxBatchRows(1).build()) {
            assertEquals(2, made.size());
            CompletableFuture<Tensor> a = p.submit(rows(0, 1, 2));
            CompletableFuture<Tensor> b = p.submit(rows(10, 1, 2));
            made.get(0).awaitEntered(1);
            made.get(1).awaitEntered(1); // both instances are inside forward at once
            gate.countDown();
            assertArrayEquals(affine(0, 1, 2, 2), values(a));
            assertArrayEquals(affine(10, 1, 2, 2), values(b));
        }
    }

    @Test
    void eachBatchClosesItsTensorsSoServingDoesNotGrow() throws Exception {
        Affine model = new Affine();
        try (BatchingPredictor p = BatchingPredictor.builder().model(model).build()) {
            for (int i = 0; i < 20; i++) {
                try (Tensor y = p.predict(rows(i, 2, 3))) {
                    assertFalse(y.isClosed());
                }
            }
            assertEquals(60, model.seen.size());
            for (Tensor t : model.seen) {
                assertTrue(t.isClosed(), "every tensor of a batch is closed once the batch is answered");
            }
        }
    }

    @Test
    void aModelWithoutOneOutputRowPerInputRowRunsEachRequestAlone() throws Exception {
        try (BatchingPredictor p = BatchingPredictor.builder().model(TestModels.Total::new).rowShape(2).build()) {
            List<CompletableFuture<Tensor>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(p.submit(rows(i, 2, 2)));
            }
            for (int i = 0; i < 8; i++) {
                float expected = 4 * i + 6; // i + (i+1) + (i+2) + (i+3)
                assertArrayEquals(new float[] {expected}, values(fs.get(i)), "request " + i);
            }
        }
    }

    @Test
    void weightsSwappedWhileServingNeverFailOrMixARequest() throws Exception {
        AtomicInteger built = new AtomicInteger();
        List<Affine> instances = java.util.Collections.synchronizedList(new ArrayList<>());
        try (BatchingPredictor p = BatchingPredictor.builder().model(() -> {
            built.incrementAndGet();
            Affine a = new Affine();
            instances.add(a);
            return a;
        }).instances(2).rowShape(4).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger answered = new AtomicInteger();
            List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int k = c;
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        try (Tensor x = rows(k, 2, 4)) {
                            Prediction pr = p.submitPrediction(x, null).get(30, TimeUnit.SECONDS);
                            float scale = pr.modelVersion() % 2 == 1 ? 2f : 3f; // odd versions: 2, even: 3
                            float[] got = pr.output().toFloatArray();
                            pr.output().close();
                            if (!java.util.Arrays.equals(affine(k, 2, 4, scale), got)) {
                                problems.add("version " + pr.modelVersion() + " gave " + java.util.Arrays.toString(got));
                            }
                            answered.incrementAndGet();
                        } catch (Exception e) {
                            problems.add(e.toString());
                        }
                    }
                });
                clients.add(t);
                t.start();
            }
            for (int s = 0; s < 10; s++) {
                Thread.sleep(5);
                float scale = (p.modelVersion() + 1) % 2 == 1 ? 2f : 3f;
                long v = p.swapWeights(Map.of("scale", Tensor.scalar(scale)));
                assertEquals(s + 2, v);
            }
            Thread.sleep(5);
            stop.set(true);
            for (Thread t : clients) {
                t.join(30_000);
            }
            assertEquals(List.of(), problems);
            assertTrue(answered.get() > 0);
            assertEquals(2 + 10 * 2, built.get(), "each swap builds one instance per worker");
            for (int i = 0; i < instances.size() - 2; i++) {
                assertTrue(instances.get(i).scale.isClosed(), "a swapped-out instance is released");
            }
            assertFalse(instances.get(instances.size() - 1).scale.isClosed());
            assertThrows(CairnException.class, () -> p.swapWeights(Map.of("bogus", Tensor.scalar(1))));
            assertEquals(11, p.modelVersion(), "a failed swap changes nothing");
        }
    }

    @Test
    void builderErrorsSayWhatToDo() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BatchingPredictor.builder().build());
        assertTrue(e.getMessage().contains("model(factory)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BatchingPredictor.builder().maxBatchRows(0));
        assertThrows(IllegalArgumentException.class, () -> BatchingPredictor.builder().queueCapacity(-1));
        assertThrows(IllegalStateException.class, () -> BatchingPredictor.builder().model(new Affine()).instances(2).build());
    }
}
