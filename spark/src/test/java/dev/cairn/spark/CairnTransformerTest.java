package dev.cairn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.io.ModuleFiles;
import dev.cairn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CairnTransformer in Spark local mode gives what Cairn gives in one process, for every input kind. */
class CairnTransformerTest {
    static SparkSession spark;
    static Path weights;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.get();
        weights = SparkTestSession.mlpWeights();
    }

    /** {@code rows} rows of 20 features in {@code partitions} partitions: id, array<float> features, made from the id. */
    static Dataset<Row> data(long rows, int partitions) {
        return spark.range(0, rows, 1, partitions).selectExpr("id",
                "transform(sequence(0, 19), i -> cast((hash(id, i) % 1000) / 500.0 as float)) as features");
    }

    static CairnTransformer mlp() {
        return new CairnTransformer().setModel("mlp").setWeightsPath(weights.toString()).setInputCol("features")
                .setOutputCol("scores");
    }

    /** The rows of {@code df} by their {@code id} column (sorted here rather than by a Spark shuffle). */
    static List<Row> byId(Dataset<Row> df) {
        List<Row> rows = new ArrayList<>(df.collectAsList());
        rows.sort(java.util.Comparator.comparingLong(r -> ((Number) r.getAs("id")).longValue()));
        return rows;
    }

    static float[] floats(Row r, String col) {
        List<Object> l = r.getList(r.fieldIndex(col));
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (Float) l.get(i);
        }
        return f;
    }

    @Test
    void hundredThousandRowsEqualTheSingleProcessResultBitForBit() {
        Dataset<Row> out = mlp().setPredictionCol("label").setBatchRows(777).transform(data(100_000, 4));
        List<Row> rows = out.collectAsList();
        assertEquals(100_000, rows.size());
        float[][] x = new float[rows.size()][];
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            x[i] = floats(rows.get(i), "features");
            ids.add(rows.get(i).getLong(0));
        }
        assertEquals(100_000, ids.size(), "every id exactly once");
        // The reference groups rows differently (batches of 4096 from the start) to show that batching does not matter.
        float[][] want = Reference.score("mlp", weights, x, 4096);
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            float[] got = floats(r, "scores");
            assertArrayEquals(want[i], got, 0f, "row id " + r.getLong(0));
            assertEquals(Reference.argmax(want[i]), r.getInt(r.fieldIndex("label")), "label of row id " + r.getLong(0));
        }
        StructType schema = out.schema();
        assertEquals(List.of("id", "features", "scores", "label"), List.of(schema.fieldNames()));
        assertEquals(DataTypes.createArrayType(DataTypes.FloatType, false), schema.apply("scores").dataType());
        assertEquals(DataTypes.IntegerType, schema.apply("label").dataType());
    }

    @Test
    void matchesPyTorchOnTheGoldenInputs() {
        Map<String, Tensor> golden = SparkTestSession.golden("mlp-s1-b4");
        float[] in = golden.get("input").toFloatArray();
        float[] want = golden.get("output").toFloatArray();
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            double[] v = new double[20];
            for (int j = 0; j < 20; j++) {
                v[j] = in[r * 20 + j];
            }
            rows.add(RowFactory.create(r, Vectors.dense(v)));
        }
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("v", SQLDataTypes.VectorType());
        List<Row> out = byId(mlp().setInputCol("v").transform(spark.createDataFrame(rows, schema)));
        float tol = 0;
        for (float w : want) {
            tol = Math.max(tol, Math.abs(w));
        }
        tol = 1e-4f * (1 + tol);   // the golden cases' tolerance for another summation order
        for (int r = 0; r < 4; r++) {
            float[] got = floats(out.get(r), "scores");
            for (int j = 0; j < 10; j++) {
                assertEquals(want[r * 10 + j], got[j], tol, "row " + r + " output " + j);
            }
        }
    }

    @Test
    void vectorDoubleArrayAndNumericColumnsGiveTheSameAsFloatArrays() {
        Dataset<Row> base = data(2_000, 2).cache();
        List<Row> want = byId(mlp().transform(base));

        List<String> cols = new ArrayList<>(List.of("id"));
        String[] names = new String[20];
        for (int j = 0; j < 20; j++) {
            names[j] = "f" + j;
            // a mix of numeric types: double, float, and decimal columns
            String type = j % 3 == 0 ? "double" : j % 3 == 1 ? "float" : "decimal(12,6)";
            cols.add("cast(features[" + j + "] as " + type + ") as f" + j);
        }
        Dataset<Row> wide = base.selectExpr(cols.toArray(new String[0]));
        Dataset<Row> byColumns = mlp().setInputCol("").setInputCols(names).transform(wide);

        Dataset<Row> doubles = base.selectExpr("id", "transform(features, x -> cast(x as double)) as features");
        Dataset<Row> byDoubles = mlp().transform(doubles);

        Dataset<Row> vectors = new VectorAssembler().setInputCols(names).setOutputCol("v").transform(wide);
        Dataset<Row> byVectors = mlp().setInputCol("v").transform(vectors);

        List<Row> c = byId(byColumns);
        List<Row> d = byId(byDoubles);
        List<Row> v = byId(byVectors);
        for (int i = 0; i < want.size(); i++) {
            float[] w = floats(want.get(i), "scores");
            assertArrayEquals(w, floats(d.get(i), "scores"), 0f, "array<double> row " + i);
            assertArrayEquals(w, floats(v.get(i), "scores"), 0f, "vector row " + i);
            // decimal(12,6) columns round the features, so compare those rows loosely
            assertArrayEquals(w, floats(c.get(i), "scores"), 1e-4f, "numeric columns row " + i);
        }
        base.unpersist();
    }

    @Test
    void sparseVectorsAreScoredAsTheirDenseValues() {
        StructType schema = new StructType().add("v", SQLDataTypes.VectorType());
        double[] dense = new double[20];
        dense[3] = 1.5;
        dense[17] = -2;
        List<Row> rows = List.of(RowFactory.create(Vectors.sparse(20, new int[] {3, 17}, new double[] {1.5, -2})),
                RowFactory.create(Vectors.dense(dense)));
        List<Row> out = mlp().setInputCol("v").transform(spark.createDataFrame(rows, schema)).collectAsList();
        assertArrayEquals(floats(out.get(1), "scores"), floats(out.get(0), "scores"), 0f);
    }

    @Test
    void aModuleClassByNameWithItsWidthFromTheFirstLinearLayer() throws IOException {
        TwoLayerNet net = new TwoLayerNet();
        Path w = tmp.resolve("two.safetensors");
        ModuleFiles.save(net, w);
        CairnTransformer t = new CairnTransformer().setModel(TwoLayerNet.class.getName()).setWeightsPath(w.toUri().toString())
                .setInputCol("features");
        List<Row> out = byId(t.transform(data(50, 2)));
        assertEquals(50, out.size());
        float[][] x = new float[50][];
        for (int i = 0; i < 50; i++) {
            x[i] = floats(out.get(i), "features");
        }
        net.eval();
        try (var ng = dev.cairn.autograd.GradMode.noGrad()) {
            for (int i = 0; i < 50; i++) {
                float[] want = net.call(Tensor.of(x[i], 1, 20)).toFloatArray();
                assertArrayEquals(want, floats(out.get(i), "output"), 0f, "row " + i);
            }
        }
        assertEquals(3, t.outputWidth(spark));
    }

    @Test
    void pipelineSavesAndLoadsWithTheTransformer() throws IOException {
        String[] names = new String[20];
        for (int j = 0; j < 20; j++) {
            names[j] = "f" + j;
        }
        List<String> exprs = new ArrayList<>(List.of("id"));
        for (int j = 0; j < 20; j++) {
            exprs.add("features[" + j + "] as f" + j);
        }
        Dataset<Row> df = data(500, 2).selectExpr(exprs.toArray(new String[0]));
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new VectorAssembler().setInputCols(names).setOutputCol("v"),
            mlp().setInputCol("v").setPredictionCol("label").setBatchRows(64).setDevice("cpu")});
        PipelineModel model = pipeline.fit(df);
        List<Row> before = byId(model.transform(df));
        String dir = tmp.resolve("pipeline").toString();
        model.write().save(dir);
        PipelineModel loaded = PipelineModel.load(dir);
        CairnTransformer t = (CairnTransformer) loaded.stages()[1];
        assertEquals(64, t.getBatchRows());
        assertEquals("cpu", t.getDevice());
        assertEquals("label", t.getPredictionCol());
        List<Row> after = byId(loaded.transform(df));
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(floats(before.get(i), "scores"), floats(after.get(i), "scores"), 0f);
            assertEquals(before.get(i).getInt(before.get(i).fieldIndex("label")), after.get(i).getInt(after.get(i).fieldIndex("label")));
        }
    }

    @Test
    void weightsGivenAsBytesAreBroadcastAndSavedWithTheTransformer() throws IOException {
        byte[] bytes = Files.readAllBytes(weights);
        CairnTransformer t = new CairnTransformer().setModel("mlp").setWeightsBytes(bytes).setInputCol("features");
        Dataset<Row> df = data(300, 2);
        List<Row> want = byId(mlp().transform(df));
        List<Row> got = byId(t.transform(df));
        String dir = tmp.resolve("t").toString();
        t.write().save(dir);
        assertTrue(Files.exists(tmp.resolve("t").resolve(CairnTransformerIO.WEIGHTS_FILE)));
        CairnTransformer loaded = CairnTransformer.load(dir);
        assertEquals("", loaded.getWeightsPath());
        assertArrayEquals(bytes, loaded.getWeightsBytes());
        List<Row> again = byId(loaded.transform(df));
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(floats(want.get(i), "scores"), floats(got.get(i), "output"), 0f);
            assertArrayEquals(floats(want.get(i), "scores"), floats(again.get(i), "output"), 0f);
        }
    }

    @Test
    void theModelIsBuiltOncePerJvmForTheSameWeights() {
        int before = ModelCache.size();
        mlp().transform(data(100, 2)).count();
        mlp().setBatchRows(7).transform(data(100, 2)).count();
        assertTrue(ModelCache.size() - before <= 1, "one cache entry for the same model, weights and device");
    }

    @Test
    void argmaxIsPyTorchs() {
        assertEquals(1, PartitionScorer.argmax(new float[] {0, 3, 3, 1}, 0, 4));
        assertEquals(2, PartitionScorer.argmax(new float[] {0, 3, Float.NaN, 5}, 0, 4));
        assertEquals(3, PartitionScorer.argmax(new float[] {9, -1, 2, 4, 7}, 1, 4));
    }

    @Test
    void keepPolicyGivesNullOutputs() {
        Dataset<Row> df = data(10, 1).selectExpr("id", "if(id = 3, null, features) as features");
        CairnTransformer t = mlp().setPredictionCol("label").setBadRowPolicy(BadRowPolicy.KEEP);
        List<Row> out = byId(t.transform(df));
        assertEquals(10, out.size());
        assertNull(out.get(3).get(out.get(3).fieldIndex("scores")));
        assertNull(out.get(3).get(out.get(3).fieldIndex("label")));
        assertEquals(10, floats(out.get(4), "scores").length);
        assertEquals(1, t.badRowCount());
        assertEquals(9, t.scoredRowCount());
    }
}
