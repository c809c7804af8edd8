package dev.cairn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Task failures, bad rows, schema errors and bad weights. */
class CairnTransformerFailureTest {
    static SparkSession spark;

    /** How many tasks the injected fault has failed (local mode: the tasks run in this JVM). */
    static final AtomicInteger INJECTED = new AtomicInteger();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.get();
        SparkTestSession.mlpWeights();
    }

    static Dataset<Row> data(long rows, int partitions) {
        return CairnTransformerTest.data(rows, partitions);
    }

    static CairnTransformer mlp() {
        CairnTransformerTest.weights = SparkTestSession.mlpWeights();
        return CairnTransformerTest.mlp();
    }

    /** Fails the first attempt of partition 1 half-way through its rows, after they were scored. */
    static final class FailOnce implements FilterFunction<Row> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean call(Row r) {
            TaskContext tc = TaskContext.get();
            if (tc.partitionId() == 1 && tc.attemptNumber() == 0 && r.getLong(0) == 3_500) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException("injected task failure");
            }
            return true;
        }
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndNoRowIsLostOrDuplicated() {
        CairnTransformerTest.spark = spark;
        Dataset<Row> scored = mlp().setBatchRows(100).transform(data(8_000, 4));
        List<Row> want = CairnTransformerTest.byId(scored);
        INJECTED.set(0);
        List<Row> got = CairnTransformerTest.byId(scored.filter(new FailOnce()));
        assertEquals(1, INJECTED.get(), "the fault was injected once");
        assertEquals(8_000, got.size());
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < got.size(); i++) {
            assertTrue(ids.add(got.get(i).getLong(0)), "id " + got.get(i).getLong(0) + " twice");
            assertArrayEquals(CairnTransformerTest.floats(want.get(i), "scores"), CairnTransformerTest.floats(got.get(i), "scores"), 0f);
        }
    }

    @Test
    void aBadRowFailsTheJobNamingItsPositionAndTheProblem() {
        CairnTransformerTest.spark = spark;
        Dataset<Row> df = data(20, 1).selectExpr("id", "if(id = 13, slice(features, 1, 19), features) as features");
        SparkException e = assertThrows(SparkException.class, () -> mlp().transform(df).collectAsList());
        String msg = String.valueOf(e.getMessage());
        assertTrue(msg.contains("bad row: row 13 of partition 0 (input column 'features'): 'features' has 19 features,"
                + " the model takes 20; set badRowPolicy to skip"), msg);
    }

    @Test
    void skipDropsAndCountsNullShortNaNAndInfiniteRows() {
        CairnTransformerTest.spark = spark;
        Dataset<Row> df = data(100, 2).selectExpr("id",
                "case when id = 5 then null when id = 6 then slice(features, 1, 3)"
                        + " when id = 7 then transform(features, (x, i) -> if(i = 4, float('NaN'), x))"
                        + " when id = 8 then transform(features, (x, i) -> if(i = 0, float('inf'), x))"
                        + " when id = 9 then transform(features, (x, i) -> if(i = 2, cast(null as float), x))"
                        + " else features end as features");
        CairnTransformer t = mlp().setBadRowPolicy("skip");
        List<Row> out = CairnTransformerTest.byId(t.transform(df));
        assertEquals(95, out.size());
        for (Row r : out) {
            assertTrue(r.getLong(0) < 5 || r.getLong(0) > 9);
        }
        assertEquals(5, t.badRowCount());
        assertEquals(95, t.scoredRowCount());

        CairnTransformer lenient = mlp().setBadRowPolicy("skip").setAllowNonFinite(true);
        assertEquals(97, lenient.transform(df).count(), "NaN and inf rows are scored when allowed");
        assertEquals(3, lenient.badRowCount());
    }

    @Test
    void schemaErrorsAreClearBeforeAnyJob() {
        CairnTransformerTest.spark = spark;
        Dataset<Row> df = data(10, 1).selectExpr("id", "features", "cast(id as string) as name");
        assertMessage(IllegalArgumentException.class, "inputCol: no column 'missing' in the input; its columns are [id, features, name]",
                () -> mlp().setInputCol("missing").transformSchema(df.schema()));
        assertMessage(IllegalArgumentException.class, "inputCol 'name' has type string; it must be array<float>, array<double> or an ML vector",
                () -> mlp().setInputCol("name").transformSchema(df.schema()));
        assertMessage(IllegalArgumentException.class, "inputCols: column 'name' has type string; every input column must be numeric",
                () -> mlp().setInputCol("").setInputCols("id", "name").transformSchema(df.schema()));
        assertMessage(IllegalArgumentException.class, "both inputCol ('features') and inputCols [id] are set",
                () -> mlp().setInputCols("id").transformSchema(df.schema()));
        assertMessage(IllegalArgumentException.class, "no input set",
                () -> mlp().setInputCol("").transformSchema(df.schema()));
        assertMessage(IllegalArgumentException.class, "outputCol 'name' already exists in the input",
                () -> mlp().setOutputCol("name").transformSchema(df.schema()));
        assertMessage(IllegalArgumentException.class, "predictionCol 'scores' already exists in the input (it is the outputCol)",
                () -> mlp().setPredictionCol("scores").transformSchema(df.schema()));
        assertMessage(IllegalArgumentException.class, "no weights set",
                () -> new CairnTransformer().setModel("mlp").setInputCol("features").transformSchema(df.schema()));
        assertMessage(CairnException.class, "unknown model 'nope': not a registered model (mlp, ",
                () -> mlp().setModel("nope").transformSchema(df.schema()));
        assertMessage(CairnException.class, "model class java.lang.String is not a dev.cairn.nn.Module",
                () -> mlp().setModel("java.lang.String").transformSchema(df.schema()));
        assertMessage(IllegalArgumentException.class, "inputCols names 1 columns but model mlp takes 20 features per row",
                () -> mlp().setInputCol("").setInputCols("id").transform(df));
        assertMessage(IllegalArgumentException.class, "device must be auto, cpu or cuda, got 'gpu'", () -> mlp().setDevice("gpu"));
        assertMessage(IllegalArgumentException.class, "batchRows must be >= 1, got 0", () -> mlp().setBatchRows(0));
        assertMessage(IllegalArgumentException.class, "badRowPolicy must be fail, skip or keep, got 'ignore'",
                () -> mlp().setBadRowPolicy("ignore"));
    }

    @Test
    void missingOrHostileWeightsFailOnceWithOneClearErrorOnTheDriver() throws IOException {
        CairnTransformerTest.spark = spark;
        Dataset<Row> df = data(10, 1);
        Path missing = tmp.resolve("none.safetensors");
        assertMessage(CairnException.class, "weights file file:" + missing + " does not exist",
                () -> mlp().setWeightsPath(missing.toString()).transform(df));

        Path huge = tmp.resolve("huge-header.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array());
        assertMessage(CairnException.class, "exceeds the limit", () -> mlp().setWeightsPath(huge.toString()).transform(df));

        Path truncated = tmp.resolve("truncated.safetensors");
        byte[] good = Files.readAllBytes(SparkTestSession.mlpWeights());
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
        CairnException e = assertThrows(CairnException.class, () -> mlp().setWeightsPath(truncated.toString()).transform(df));
        assertTrue(e.getMessage().contains("file:" + truncated), e.getMessage());
        assertTrue(!e.getMessage().contains("cairn-weights-"), "names the user's file, not the temporary copy: " + e.getMessage());

        Path junk = tmp.resolve("junk.safetensors");
        byte[] json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99]}}".getBytes(StandardCharsets.UTF_8);
        Files.write(junk, ByteBuffer.allocate(8 + json.length + 8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).array());
        assertMessage(CairnException.class, "junk.safetensors", () -> mlp().setWeightsPath(junk.toString()).transform(df));

        Path other = tmp.resolve("two.safetensors");
        dev.cairn.io.ModuleFiles.save(new TwoLayerNet(), other);
        assertMessage(CairnException.class, "model mlp, weights file:" + other,
                () -> mlp().setWeightsPath(other.toString()).transform(df));

        assertMessage(CairnException.class, "is a directory", () -> mlp().setWeightsPath(tmp.toString()).transform(df));
    }

    static <T extends Throwable> void assertMessage(Class<T> type, String part, org.junit.jupiter.api.function.Executable body) {
        T e = assertThrows(type, body);
        assertTrue(String.valueOf(e.getMessage()).contains(part), "expected '" + part + "' in: " + e.getMessage());
    }
}
