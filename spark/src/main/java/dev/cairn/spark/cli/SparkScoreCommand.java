package dev.cairn.spark.cli;

import dev.cairn.autograd.GradMode;
import dev.cairn.io.ModuleFiles;
import dev.cairn.nn.Module;
import dev.cairn.spark.BadRowPolicy;
import dev.cairn.spark.CairnTransformer;
import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorScope;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cairn spark-score}: scores a Parquet, JSON or CSV data set with a Cairn model on Apache
 * Spark through {@link CairnTransformer}, and writes it back in the same format with the outputs
 * added. The features are the columns named {@code PREFIX0, PREFIX1, ...} (numeric order); every other
 * column is kept unchanged. The samples' {@code Cli} registers this command when the cairn-spark
 * module and Spark are on its classpath (bin/cairn puts them there for this command).
 */
@Command(name = "spark-score", mixinStandardHelpOptions = true,
        description = {"Score Parquet, JSON or CSV files with a model on Apache Spark.",
            "Features: the columns PREFIX0, PREFIX1, ... in numeric order; other columns are kept as they are.",
            "Output: the same format, a directory of part files, with an array<float> column 'prediction'",
            "(in CSV: columns prediction_0 ... prediction_{k-1})."})
public final class SparkScoreCommand implements Callable<Integer> {
    /** The output column. */
    public static final String OUTPUT = "prediction";

    @Option(names = "--model", required = true, paramLabel = "NAME",
            description = "A registered model (mlp, wide, ...) or a Module class name with a no-argument constructor.")
    String model;

    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "The safetensors weights (a local path, or file:, hdfs:, s3a: ...).")
    String weights;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "The data set: a file or a directory.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "The output directory (must not exist unless --overwrite).")
    String output;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*],"
            + " all cores; ignored when a Spark session is already running).")
    String master;

    @Option(names = "--format", paramLabel = "FMT", description = "parquet, csv or json (default: from the input's"
            + " extension, else parquet).")
    String format;

    @Option(names = "--feature-prefix", defaultValue = "f", paramLabel = "P", description = "Feature column prefix (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--batch-rows", defaultValue = "1024", paramLabel = "N", description = "Rows per model call (default: ${DEFAULT-VALUE}).")
    int batchRows;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "D", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--bad-rows", defaultValue = "fail", paramLabel = "POLICY",
            description = "fail (default), skip (drop and count) or keep (null prediction) for rows with null, NaN or missing features.")
    String badRows;

    @Option(names = "--overwrite", description = "Replace the output directory if it exists.")
    boolean overwrite;

    @Option(names = "--compare-in-process", description = "Also score the same rows in this process without Spark"
            + " (same batch size, rows read into memory first, reading not timed) and print both rates.")
    boolean compare;

    @Spec
    CommandSpec spec;

    private static final Pattern INDEX = Pattern.compile("\\d+");

    @Override
    public Integer call() {
        String fmt = format(spec, format, input);
        if (batchRows < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-rows must be >= 1, got " + batchRows);
        }
        BadRowPolicy policy;
        try {
            policy = BadRowPolicy.parse(badRows);
            new CairnTransformer().setDevice(device);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = ownSession ? newSession() : SparkSession.getDefaultSession().get();
        try {
            Dataset<Row> in = read(spark, fmt);
            String[] features = featureColumns(in.columns(), prefix, input);
            if (fmt.equals("csv")) {   // CSV values are strings: the features become floats, the rest stays as read
                for (String f : features) {
                    in = in.withColumn(f, in.col(f).cast(DataTypes.FloatType));
                }
            }
            CairnTransformer scorer = new CairnTransformer().setModel(model).setWeightsPath(weights).setInputCols(features)
                    .setOutputCol(OUTPUT).setBatchRows(batchRows).setDevice(device).setBadRowPolicy(policy);
            long t0 = System.nanoTime();
            Dataset<Row> scored = scorer.transform(in);
            if (fmt.equals("csv")) {
                int k = scorer.outputWidth(spark);
                List<Column> cols = new ArrayList<>();
                for (String c : in.columns()) {
                    cols.add(functions.col("`" + c + "`"));
                }
                for (int i = 0; i < k; i++) {
                    cols.add(functions.col(OUTPUT).getItem(i).as(OUTPUT + "_" + i));
                }
                scored = scored.select(cols.toArray(new Column[0]));
            }
            var writer = scored.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
            if (fmt.equals("csv")) {
                writer = writer.option("header", "true");
            }
            writer.format(fmt).save(output);
            double secs = (System.nanoTime() - t0) / 1e9;
            long rows = scorer.scoredRowCount();
            out.printf(Locale.ROOT, "scored %d rows (%d bad, policy %s) with %s in %.2f s on Spark %s (%s): %.0f rows/s;"
                    + " written to %s%n", rows, scorer.badRowCount(), policy.id(), model, secs, spark.version(),
                    spark.sparkContext().master(), rows / secs, output);
            out.flush();
            if (compare) {
                compareInProcess(in, features, out);
            }
            return 0;
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }

    /** A session on --master; else on spark-submit's master (spark.master); else local on all cores. */
    private SparkSession newSession() {
        SparkSession.Builder b = SparkSession.builder().appName("cairn spark-score");
        if (master != null) {
            b = b.master(master);
        } else if (System.getProperty("spark.master") == null) {
            b = b.master("local[*]").config("spark.ui.enabled", "false");
        }
        return b.getOrCreate();
    }

    /** Scores the same rows in this process without Spark, same batch size, and prints the rate. */
    private void compareInProcess(Dataset<Row> in, String[] features, PrintWriter out) {
        List<Column> cols = new ArrayList<>();
        for (String f : features) {
            cols.add(functions.col("`" + f + "`").cast(DataTypes.FloatType));
        }
        int w = features.length;
        float[] all = new float[1 << 20];
        int n = 0;
        for (Iterator<Row> it = in.select(cols.toArray(new Column[0])).toLocalIterator(); it.hasNext(); ) {
            Row r = it.next();
            if (all.length < (n + 1) * w) {
                all = Arrays.copyOf(all, all.length * 2);
            }
            for (int j = 0; j < w; j++) {
                all[n * w + j] = r.isNullAt(j) ? Float.NaN : r.getFloat(j);
            }
            n++;
        }
        Module net = dev.cairn.samples.models.Models.get(model).create().eval();
        ModuleFiles.load(net, Path.of(weights.startsWith("file:") ? java.net.URI.create(weights).getPath() : weights));
        long t0 = System.nanoTime();
        double checksum = 0;
        try (GradMode.Scope ng = GradMode.noGrad()) {
            for (int i = 0; i < n; i += batchRows) {
                int rows = Math.min(batchRows, n - i);
                try (TensorScope scope = TensorScope.open()) {
                    Tensor x = Tensor.of(Arrays.copyOfRange(all, i * w, (i + rows) * w), rows, w);
                    checksum += net.call(x).toFloatArray()[0];
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "in one process without Spark: scored %d rows with %s in %.2f s: %.0f rows/s (batch %d,"
                + " CPU, reading excluded; checksum %.3f)%n", n, model, secs, n / secs, batchRows, checksum);
        out.flush();
    }

    private Dataset<Row> read(SparkSession spark, String fmt) {
        DataFrameReader r = spark.read().format(fmt);
        if (fmt.equals("csv")) {
            r = r.option("header", "true");
        }
        return r.load(input);
    }

    /** The format named by --format, or taken from the input's extension, else parquet. */
    static String format(CommandSpec spec, String format, String input) {
        String f = format;
        if (f == null) {
            String lower = input.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
            f = lower.endsWith(".csv") ? "csv" : lower.endsWith(".json") || lower.endsWith(".jsonl") ? "json" : "parquet";
        }
        f = f.toLowerCase(Locale.ROOT);
        if (!f.equals("parquet") && !f.equals("csv") && !f.equals("json")) {
            throw new ParameterException(spec.commandLine(), "--format must be parquet, csv or json, got '" + format + "'");
        }
        return f;
    }

    /**
     * The columns {@code prefix0 ... prefix(n-1)} in numeric order.
     *
     * @throws CairnException when there are none or one is missing
     */
    public static String[] featureColumns(String[] columns, String prefix, String input) {
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        for (String c : columns) {
            if (c.startsWith(prefix)) {
                Matcher m = INDEX.matcher(c.substring(prefix.length()));
                if (m.matches()) {
                    int i;
                    try {
                        i = Integer.parseInt(m.group());
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    String prev = byIndex.put(i, c);
                    if (prev != null) {
                        throw new CairnException(input + ": columns '" + prev + "' and '" + c + "' are both feature " + i);
                    }
                }
            }
        }
        if (byIndex.isEmpty()) {
            throw new CairnException(input + ": no feature columns named " + prefix + "0, " + prefix + "1, ... (columns: "
                    + String.join(", ", columns) + "); set --feature-prefix");
        }
        for (int i = 0; i < byIndex.size(); i++) {
            if (!byIndex.containsKey(i)) {
                throw new CairnException(input + ": feature column " + prefix + i + " is missing (found "
                        + String.join(", ", byIndex.values()) + "); features must be " + prefix + "0 to " + prefix
                        + (byIndex.lastKey()));
            }
        }
        return byIndex.values().toArray(new String[0]);
    }
}
