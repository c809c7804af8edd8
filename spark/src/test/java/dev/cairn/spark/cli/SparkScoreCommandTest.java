package dev.cairn.spark.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.samples.Cli;
import dev.cairn.spark.CairnTransformer;
import dev.cairn.spark.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code cairn spark-score} on Parquet, JSON and CSV, through the samples' command line. */
class SparkScoreCommandTest {
    static SparkSession spark;
    static Path weights;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.get();
        weights = SparkTestSession.mlpWeights();
    }

    /** 300 rows: id, a string column, and f0..f19 in a shuffled column order (f10 before f2). */
    static Dataset<Row> input() {
        List<String> cols = new ArrayList<>(List.of("id", "concat('row-', id) as name"));
        for (int j : new int[] {10, 2, 0, 1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19}) {
            cols.add("cast((hash(id, " + j + ") % 1000) / 500.0 as float) as f" + j);
        }
        return spark.range(0, 300, 1, 2).selectExpr(cols.toArray(new String[0]));
    }

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static List<Row> sorted(Dataset<Row> df) {
        List<Row> rows = new ArrayList<>(df.collectAsList());
        rows.sort(Comparator.comparingLong(r -> Long.parseLong(String.valueOf((Object) r.getAs("id")))));
        return rows;
    }

    @ParameterizedTest
    @ValueSource(strings = {"parquet", "json", "csv"})
    void scoresEachFormatKeepingTheOtherColumns(String format) {
        String in = tmp.resolve("in." + format).toString();
        var w = input().write();
        if (format.equals("csv")) {
            w = w.option("header", "true");
        }
        w.format(format).save(in);
        String out = tmp.resolve("out").toString();
        Result r = run("spark-score", "--model", "mlp", "--weights", weights.toString(), "--input", in, "--output", out,
                "--batch-rows", "64", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("scored 300 rows (0 bad, policy fail) with mlp"), r.out());

        String[] features = new String[20];
        for (int j = 0; j < 20; j++) {
            features[j] = "f" + j;
        }
        List<Row> want = sorted(new CairnTransformer().setModel("mlp").setWeightsPath(weights.toString())
                .setInputCols(features).setOutputCol("p").transform(input()));
        var reader = spark.read().format(format);
        if (format.equals("csv")) {
            reader = reader.option("header", "true");
        }
        List<Row> got = sorted(reader.load(out));
        assertEquals(300, got.size());
        for (int i = 0; i < 300; i++) {
            Row g = got.get(i);
            Row e = want.get(i);
            assertEquals("row-" + i, g.getAs("name"));
            float[] p = new float[10];
            if (format.equals("csv")) {
                for (int k = 0; k < 10; k++) {
                    p[k] = Float.parseFloat(g.getAs("prediction_" + k));
                }
            } else {
                List<Object> l = g.getList(g.fieldIndex(SparkScoreCommand.OUTPUT));
                for (int k = 0; k < 10; k++) {
                    p[k] = ((Number) l.get(k)).floatValue();
                }
            }
            List<Object> el = e.getList(e.fieldIndex("p"));
            float[] q = new float[10];
            for (int k = 0; k < 10; k++) {
                q[k] = (Float) el.get(k);
            }
            // CSV and JSON print floats as text that reads back to the same float
            assertArrayEquals(q, p, 0f, format + " row " + i);
        }
        if (format.equals("csv")) {
            assertEquals(List.of("id", "name", "f10", "f2"), List.of(spark.read().option("header", "true").csv(out).columns()).subList(0, 4));
        }
    }

    @Test
    void errorsAreOneLine() {
        String in = tmp.resolve("in.parquet").toString();
        input().drop("f7").write().parquet(in);
        Result r = run("spark-score", "--model", "mlp", "--weights", weights.toString(), "--input", in, "--output",
                tmp.resolve("o").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: " + in + ": feature column f7 is missing"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        Result usage = run("spark-score", "--model", "mlp", "--weights", weights.toString(), "--input", in, "--output",
                tmp.resolve("o").toString(), "--format", "orc");
        assertEquals(2, usage.code());
        assertTrue(usage.err().contains("--format must be parquet, csv or json, got 'orc'"), usage.err());
    }
}
