// Writes the benchmark inputs of `cairn spark-score`. `weights MODEL OUT`: the sample model's initial
// weights (Generator seed 7, as `cairn bench model`) as safetensors. `ROWS FEATURES PARTS OUT`: ROWS rows of an id column and FEATURES float
// columns f0..f{FEATURES-1} (uniform in [-1, 1), seeded, so every run writes the same data), as Parquet
// in PARTS files. Run by scripts/spark-bench.sh with Spark on the classpath:
//   java -cp "$(cat spark/target/spark-classpath.txt)" scripts/spark_bench_data.java ROWS FEATURES PARTS OUT
//   java -cp "$(cat spark/target/spark-classpath.txt)" scripts/spark_bench_data.java weights MODEL OUT
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

public final class spark_bench_data {
    public static void main(String[] args) {
        if (args.length == 3 && args[0].equals("weights")) {
            dev.cairn.tensor.Generator.manualSeed(7);
            dev.cairn.io.ModuleFiles.save(dev.cairn.samples.models.Models.get(args[1]).create(), java.nio.file.Path.of(args[2]));
            return;
        }
        if (args.length != 4) {
            System.err.println("usage: spark_bench_data ROWS FEATURES PARTS OUT");
            System.exit(2);
        }
        long rows = Long.parseLong(args[0]);
        int features = Integer.parseInt(args[1]);
        int parts = Integer.parseInt(args[2]);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("spark-bench data")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            List<String> cols = new ArrayList<>(List.of("id"));
            for (int j = 0; j < features; j++) {
                cols.add("cast(rand(" + (1000 + j) + ") * 2 - 1 as float) as f" + j);
            }
            spark.range(0, rows, 1, parts).selectExpr(cols.toArray(new String[0])).write().mode("overwrite").parquet(args[3]);
        } finally {
            spark.stop();
        }
    }
}
