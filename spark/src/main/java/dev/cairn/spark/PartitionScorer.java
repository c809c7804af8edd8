package dev.cairn.spark;

import dev.cairn.autograd.GradMode;
import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores one partition: takes the JVM's cached model for the task's device, reads rows in batches
 * of {@code batchRows}, runs each batch as one {@code [rows, features]} tensor under no-grad in its
 * own {@link TensorScope}, and appends the outputs (and the argmax, when asked) to each row. Rows are
 * pulled lazily, so a partition is never held in memory, and the output keeps the input's order.
 * Serializable (it is the task's closure); each call works on its own state.
 */
final class PartitionScorer implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PartitionScorer.class);
    private static final int LOGGED_BAD_ROWS = 5;

    private final ModelSpec spec;
    private final WeightsSource weights;
    private final Broadcast<SerializableConfiguration> hadoopConf;
    private final FeatureReader reader;
    private final int numFeatures;
    private final String device;
    private final int batchRows;
    private final BadRowPolicy policy;
    private final boolean withPrediction;
    private final LongAccumulator badRows;
    private final LongAccumulator scoredRows;

    PartitionScorer(ModelSpec spec, WeightsSource weights, Broadcast<SerializableConfiguration> hadoopConf,
            FeatureReader reader, int numFeatures, String device, int batchRows, BadRowPolicy policy,
            boolean withPrediction, LongAccumulator badRows, LongAccumulator scoredRows) {
        this.spec = spec;
        this.weights = weights;
        this.hadoopConf = hadoopConf;
        this.reader = reader;
        this.numFeatures = numFeatures;
        this.device = device;
        this.batchRows = batchRows;
        this.policy = policy;
        this.withPrediction = withPrediction;
        this.badRows = badRows;
        this.scoredRows = scoredRows;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        Device d = DeviceChoice.choose(device);
        LoadedModel model = ModelCache.get(spec, weights, d, numFeatures, hadoopConf.value().value());
        TaskContext tc = TaskContext.get();
        return new Batches(input, model, tc == null ? 0 : tc.partitionId());
    }

    /** argmax of {@code v[from, from + n)} as PyTorch's: the first maximum, NaN counting as the maximum. */
    static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            float x = v[from + i];
            float b = v[from + best];
            if (Float.isNaN(b)) {
                break;
            }
            if (Float.isNaN(x) || x > b) {
                best = i;
            }
        }
        return best;
    }

    /** The output rows of one partition, computed a batch at a time. */
    private final class Batches implements Iterator<Row> {
        private final Iterator<Row> input;
        private final LoadedModel model;
        private final int partition;
        private final int width;
        private final int outWidth;
        private final float[] features;
        private final Row[] batch;
        private final String[] problems;
        private final ArrayDeque<Row> ready = new ArrayDeque<>();
        private long position;      // rows of this partition read so far
        private long skipped;

        Batches(Iterator<Row> input, LoadedModel model, int partition) {
            this.input = input;
            this.model = model;
            this.partition = partition;
            this.width = model.inputWidth();
            this.outWidth = model.outputWidth();
            this.features = new float[batchRows * width];
            this.batch = new Row[batchRows];
            this.problems = new String[batchRows];
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && input.hasNext()) {
                scoreNextBatch();
            }
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        private void scoreNextBatch() {
            int n = 0;
            int good = 0;
            while (n < batchRows && input.hasNext()) {
                Row row = input.next();
                String problem = reader.read(row, features, good * width, width);
                if (problem != null) {
                    bad(position, problem);
                }
                position++;
                if (problem == null || policy == BadRowPolicy.KEEP) {
                    batch[n] = row;
                    problems[n] = problem;
                    n++;
                    if (problem == null) {
                        good++;
                    }
                }
            }
            float[] out = good == 0 ? new float[0] : run(good);
            scoredRows.add(good);
            int k = 0;
            for (int i = 0; i < n; i++) {
                ready.add(problems[i] == null ? withOutput(batch[i], out, k++) : withOutput(batch[i], null, 0));
                batch[i] = null;
                problems[i] = null;
            }
        }

        private float[] run(int rows) {
            float[] data = rows == batchRows ? features : Arrays.copyOf(features, rows * width);
            try (GradMode.Scope ng = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
                Tensor x = Tensor.of(model.device(), data, rows, width);
                Tensor y = model.module().call(x);
                int[] shape = y.shape();
                if (shape.length != 2 || shape[0] != rows || shape[1] != outWidth) {
                    throw new CairnException("model " + spec + " returned shape " + Arrays.toString(shape) + " for a ["
                            + rows + ", " + width + "] batch; expected [" + rows + ", " + outWidth + "]");
                }
                return y.toFloatArray();
            }
        }

        private Row withOutput(Row row, float[] out, int index) {
            int n = row.size();
            Object[] values = new Object[n + (withPrediction ? 2 : 1)];
            for (int i = 0; i < n; i++) {
                values[i] = row.get(i);
            }
            if (out != null) {
                values[n] = Arrays.copyOfRange(out, index * outWidth, (index + 1) * outWidth);
                if (withPrediction) {
                    values[n + 1] = argmax(out, index * outWidth, outWidth);
                }
            }
            return RowFactory.create(values);
        }

        private void bad(long pos, String problem) {
            String where = "row " + pos + " of partition " + partition + " (" + reader.describe() + ")";
            if (policy == BadRowPolicy.FAIL) {
                throw new CairnException("bad row: " + where + ": " + problem
                        + "; set badRowPolicy to skip (drop such rows) or keep (null output) to score the other rows");
            }
            badRows.add(1);
            if (++skipped <= LOGGED_BAD_ROWS) {
                LOG.warn("Cairn: {} bad row {}: {}{}", policy == BadRowPolicy.SKIP ? "skipping" : "keeping (null output)",
                        where, problem, skipped == LOGGED_BAD_ROWS ? " (no more bad rows of this partition are logged)" : "");
            }
        }
    }
}
