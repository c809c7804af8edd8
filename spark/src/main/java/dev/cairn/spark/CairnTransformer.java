package dev.cairn.spark;

import dev.cairn.Device;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReadable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

/**
 * A Spark ML {@link Transformer} that scores rows with a Cairn model: batch inference on a Spark
 * cluster, on the executors' CPUs or the GPUs Spark assigned them.
 *
 * <pre>{@code
 * CairnTransformer scorer = new CairnTransformer()
 *     .setModel("mlp")                                  // or "com.example.MyNet" (a Module with a no-arg constructor)
 *     .setWeightsPath("hdfs:///models/mlp.safetensors") // read through Hadoop's FileSystem: file:, hdfs:, s3a: ...
 *     .setInputCol("features")                          // array<float>, array<double> or an ML vector; or setInputCols(...)
 *     .setOutputCol("scores")                           // array<float>
 *     .setPredictionCol("label");                       // optional: the argmax, as an int
 * Dataset<Row> scored = scorer.transform(df);
 * }</pre>
 *
 * <p>{@link #transform} validates on the driver first: the schema, the model, and the weights (read,
 * hashed, and loaded into the model once), so that a wrong column, a missing or hostile weights file
 * or a shape mismatch fails with one clear error before any task starts. Each executor JVM then
 * builds the model once (cached by model, weights path and content hash, and device) and scores its
 * partitions in batches of {@code batchRows} rows. Bad rows follow {@link BadRowPolicy}; rows dropped
 * or kept under {@code skip}/{@code keep} are counted in an accumulator, see {@link #badRowCount()}.
 *
 * <p>It saves and loads with {@link MLWritable}/{@link MLReadable}, alone or inside a
 * {@code Pipeline}; weights given as bytes are saved with it. Like every Spark ML stage, an instance
 * is configured on one thread and then may be used by several.
 */
public final class CairnTransformer extends Transformer implements MLWritable {
    private static final long serialVersionUID = 1L;

    /** The default {@link #batchRows()}. */
    public static final int DEFAULT_BATCH_ROWS = 1024;

    private final String uid;
    private final Param<String> model;
    private final Param<String> weightsPath;
    private final Param<String> inputCol;
    private final StringArrayParam inputCols;
    private final Param<String> outputCol;
    private final Param<String> predictionCol;
    private final IntParam batchRows;
    private final IntParam numFeatures;
    private final Param<String> device;
    private final Param<String> badRowPolicy;
    private final BooleanParam allowNonFinite;

    private byte[] weightsBytes;
    private String weightsBytesHash;
    private transient LongAccumulator lastBadRows;
    private transient LongAccumulator lastScoredRows;

    /** A transformer with a fresh uid. */
    public CairnTransformer() {
        this(Identifiable$.MODULE$.randomUID("cairn"));
    }

    /** A transformer with the given uid (Spark ML uses this constructor when it copies and loads stages). */
    public CairnTransformer(String uid) {
        this.uid = uid;
        model = new Param<>(this, "model", "the model: a registered name (mlp, wide, ...) or the class name of a Module"
                + " with a public no-argument constructor");
        weightsPath = new Param<>(this, "weightsPath", "the safetensors weights, a path read through Hadoop's FileSystem"
                + " (file:, hdfs:, s3a: ...); or give the bytes with setWeightsBytes");
        inputCol = new Param<>(this, "inputCol", "the features column: array<float>, array<double> or an ML vector");
        inputCols = new StringArrayParam(this, "inputCols", "numeric feature columns, one feature each, in order");
        outputCol = new Param<>(this, "outputCol", "the output column: array<float> of the model's outputs");
        predictionCol = new Param<>(this, "predictionCol", "if not empty, an int column with the argmax of the outputs");
        batchRows = new IntParam(this, "batchRows", "rows per model call (>= 1)");
        numFeatures = new IntParam(this, "numFeatures", "features per row; 0 takes the registered width or the first"
                + " Linear layer's");
        device = new Param<>(this, "device", "auto, cpu or cuda: with auto, the GPU Spark assigned to the task when CUDA"
                + " can run there, else the CPU");
        badRowPolicy = new Param<>(this, "badRowPolicy", "fail (the job, naming the row), skip (drop and count it) or"
                + " keep (null output, counted)");
        allowNonFinite = new BooleanParam(this, "allowNonFinite", "whether NaN and infinite features are scored rather"
                + " than treated as bad rows");
        setDefault(outputCol, "output");
        setDefault(predictionCol, "");
        setDefault(inputCol, "");
        setDefault(inputCols, new String[0]);
        setDefault(weightsPath, "");
        setDefault(batchRows, DEFAULT_BATCH_ROWS);
        setDefault(numFeatures, 0);
        setDefault(device, "auto");
        setDefault(badRowPolicy, BadRowPolicy.FAIL.id());
        setDefault(allowNonFinite, false);
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- params (Spark ML finds them through these public methods) -------------------------------

    public Param<String> model() {
        return model;
    }

    public Param<String> weightsPath() {
        return weightsPath;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public StringArrayParam inputCols() {
        return inputCols;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public IntParam batchRows() {
        return batchRows;
    }

    public IntParam numFeatures() {
        return numFeatures;
    }

    public Param<String> device() {
        return device;
    }

    public Param<String> badRowPolicy() {
        return badRowPolicy;
    }

    public BooleanParam allowNonFinite() {
        return allowNonFinite;
    }

    // ---- setters and getters ---------------------------------------------------------------------

    /** The model: a registered name ({@code mlp}, {@code wide}...) or a Module class name. */
    public CairnTransformer setModel(String value) {
        return (CairnTransformer) set(model, value);
    }

    public String getModel() {
        return isDefined(model) ? $(model) : null;
    }

    /** The safetensors weights file, read through Hadoop's FileSystem; clears bytes set earlier. */
    public CairnTransformer setWeightsPath(String value) {
        weightsBytes = null;
        weightsBytesHash = null;
        return (CairnTransformer) set(weightsPath, value);
    }

    public String getWeightsPath() {
        return $(weightsPath);
    }

    /**
     * The safetensors weights as bytes, broadcast to the executors (for weights the driver made or
     * read itself); clears {@link #setWeightsPath}. Saved with the transformer.
     */
    public CairnTransformer setWeightsBytes(byte[] safetensors) {
        if (safetensors == null || safetensors.length == 0) {
            throw new IllegalArgumentException("weights bytes must not be empty; give the bytes of a safetensors file");
        }
        weightsBytes = safetensors.clone();
        weightsBytesHash = WeightsSource.hash(weightsBytes);
        clear(weightsPath);
        return this;
    }

    /** The weights bytes (a copy), or null when the weights come from {@link #getWeightsPath()}. */
    public byte[] getWeightsBytes() {
        return weightsBytes == null ? null : weightsBytes.clone();
    }

    public CairnTransformer setInputCol(String value) {
        return (CairnTransformer) set(inputCol, value);
    }

    public String getInputCol() {
        return $(inputCol);
    }

    public CairnTransformer setInputCols(String... value) {
        return (CairnTransformer) set(inputCols, value.clone());
    }

    public String[] getInputCols() {
        return $(inputCols).clone();
    }

    public CairnTransformer setOutputCol(String value) {
        return (CairnTransformer) set(outputCol, value);
    }

    public String getOutputCol() {
        return $(outputCol);
    }

    /** An int column with the argmax of each row's outputs; empty for none (the default). */
    public CairnTransformer setPredictionCol(String value) {
        return (CairnTransformer) set(predictionCol, value);
    }

    public String getPredictionCol() {
        return $(predictionCol);
    }

    public CairnTransformer setBatchRows(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("batchRows must be >= 1, got " + value);
        }
        return (CairnTransformer) set(batchRows, value);
    }

    public int getBatchRows() {
        return (Integer) $(batchRows);
    }

    /** The features per row; 0 (the default) takes the registered width or the first Linear layer's. */
    public CairnTransformer setNumFeatures(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("numFeatures must be >= 0 (0: infer), got " + value);
        }
        return (CairnTransformer) set(numFeatures, value);
    }

    public int getNumFeatures() {
        return (Integer) $(numFeatures);
    }

    /** {@code auto}, {@code cpu} or {@code cuda}; see {@link #device()}. */
    public CairnTransformer setDevice(String value) {
        return (CairnTransformer) set(device, DeviceChoice.validate(value));
    }

    public String getDevice() {
        return $(device);
    }

    public CairnTransformer setBadRowPolicy(BadRowPolicy value) {
        return (CairnTransformer) set(badRowPolicy, value.id());
    }

    /** {@code fail}, {@code skip} or {@code keep}. */
    public CairnTransformer setBadRowPolicy(String value) {
        return setBadRowPolicy(BadRowPolicy.parse(value));
    }

    public BadRowPolicy getBadRowPolicy() {
        return BadRowPolicy.parse($(badRowPolicy));
    }

    public CairnTransformer setAllowNonFinite(boolean value) {
        return (CairnTransformer) set(allowNonFinite, value);
    }

    public boolean getAllowNonFinite() {
        return (Boolean) $(allowNonFinite);
    }

    /**
     * How many bad rows the last {@link #transform} skipped or kept, as counted so far: read it after
     * an action on the result. Spark counts a retried task's rows again, so after task failures the
     * count can be higher than the number of bad rows. 0 before any transform.
     */
    public long badRowCount() {
        return lastBadRows == null ? 0 : lastBadRows.sum();
    }

    /**
     * How many rows the last {@link #transform} ran through the model, as counted so far (read it
     * after an action; a retried task's rows count again). 0 before any transform.
     */
    public long scoredRowCount() {
        return lastScoredRows == null ? 0 : lastScoredRows.sum();
    }

    // ---- Transformer -----------------------------------------------------------------------------

    @Override
    public StructType transformSchema(StructType schema) {
        ModelSpec.resolve(getModel());
        if (getWeightsPath().isEmpty() && weightsBytes == null) {
            throw new IllegalArgumentException("no weights set: setWeightsPath(\"hdfs:///.../model.safetensors\") or"
                    + " setWeightsBytes(bytes) (an untrained model would score differently on every executor)");
        }
        FeatureReader.forSchema(schema, getInputCol(), getInputCols(), getAllowNonFinite());
        BadRowPolicy.parse($(badRowPolicy));
        DeviceChoice.validate(getDevice());
        String out = getOutputCol();
        String pred = getPredictionCol();
        if (out == null || out.isEmpty()) {
            throw new IllegalArgumentException("outputCol must name the output column");
        }
        if (Arrays.asList(schema.fieldNames()).contains(out)) {
            throw new IllegalArgumentException("outputCol '" + out + "' already exists in the input; choose another name");
        }
        boolean nullable = getBadRowPolicy() == BadRowPolicy.KEEP;
        StructType result = schema.add(new StructField(out, DataTypes.createArrayType(DataTypes.FloatType, false), nullable,
                org.apache.spark.sql.types.Metadata.empty()));
        if (!pred.isEmpty()) {
            if (pred.equals(out) || Arrays.asList(schema.fieldNames()).contains(pred)) {
                throw new IllegalArgumentException("predictionCol '" + pred + "' already exists in the input"
                        + (pred.equals(out) ? " (it is the outputCol)" : "") + "; choose another name");
            }
            result = result.add(new StructField(pred, DataTypes.IntegerType, nullable, org.apache.spark.sql.types.Metadata.empty()));
        }
        return result;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType outSchema = transformSchema(dataset.schema(), true);
        SparkSession spark = dataset.sparkSession();
        SparkContext sc = spark.sparkContext();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        Configuration conf = sc.hadoopConfiguration();
        ModelSpec spec = ModelSpec.resolve(getModel());
        WeightsSource source = weightsBytes != null
                ? WeightsSource.ofBroadcast(jsc.broadcast(weightsBytes), weightsBytesHash) : pathSource(conf);
        FeatureReader reader = FeatureReader.forSchema(dataset.schema(), getInputCol(), getInputCols(), getAllowNonFinite());
        // Validate on the driver: build the model and load the weights once. In local mode this is the
        // executor's own cache entry; on a cluster the driver checks on its CPU.
        Device here = sc.isLocal() ? DeviceChoice.choose(getDevice()) : Device.cpu();
        LoadedModel m = ModelCache.get(spec, source, here, getNumFeatures(), conf);
        int fixed = reader.fixedWidth();
        if (fixed > 0 && fixed != m.inputWidth()) {
            throw new IllegalArgumentException("inputCols names " + fixed + " columns but model " + spec + " takes "
                    + m.inputWidth() + " features per row");
        }
        lastBadRows = sc.longAccumulator("cairn bad rows (" + uid + ")");
        lastScoredRows = sc.longAccumulator("cairn scored rows (" + uid + ")");
        Broadcast<SerializableConfiguration> hadoopConf = jsc.broadcast(new SerializableConfiguration(conf));
        PartitionScorer scorer = new PartitionScorer(spec, source, hadoopConf, reader, getNumFeatures(),
                getDevice(), getBatchRows(), getBadRowPolicy(), !getPredictionCol().isEmpty(), lastBadRows, lastScoredRows);
        return dataset.toDF().mapPartitions(scorer, Encoders.row(outSchema));
    }

    /**
     * The number of values per row the model returns, i.e. the length of every {@code outputCol}
     * array. Loads the model on the driver's CPU (once; it is cached) to find out.
     */
    public int outputWidth(SparkSession spark) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        WeightsSource source = weightsBytes != null ? WeightsSource.ofBytes(weightsBytes, weightsBytesHash)
                : pathSource(conf);
        return ModelCache.get(ModelSpec.resolve(getModel()), source, Device.cpu(), getNumFeatures(), conf).outputWidth();
    }

    private WeightsSource pathSource(Configuration conf) {
        if (getWeightsPath().isEmpty()) {
            throw new IllegalArgumentException("no weights set: setWeightsPath(...) or setWeightsBytes(...)");
        }
        String qualified = qualify(getWeightsPath(), conf);
        return WeightsSource.ofPath(qualified, WeightsSource.hashPath(qualified, conf));
    }

    private static String qualify(String path, Configuration conf) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            return p.getFileSystem(conf).makeQualified(p).toString();
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("weightsPath '" + path + "' is not a usable path: " + e.getMessage(), e);
        }
    }

    @Override
    public CairnTransformer copy(ParamMap extra) {
        CairnTransformer c = defaultCopy(extra);
        c.weightsBytes = weightsBytes;
        c.weightsBytesHash = weightsBytesHash;
        return c;
    }

    // ---- persistence -----------------------------------------------------------------------------

    /** Saves the params (Spark ML's JSON metadata) and, when the weights were given as bytes, the weights. */
    @Override
    public MLWriter write() {
        return new CairnTransformerIO.Writer(this);
    }

    /** The reader Spark ML (and {@code Pipeline.load}) uses for saved transformers. */
    public static MLReader<CairnTransformer> read() {
        return new CairnTransformerIO.Reader();
    }

    /** Loads a transformer saved with {@code write().save(path)}. */
    public static CairnTransformer load(String path) {
        return read().load(path);
    }

    /** For {@link CairnTransformerIO}: restores bytes weights. */
    void restoreWeightsBytes(byte[] bytes) {
        setWeightsBytes(bytes);
    }
}
