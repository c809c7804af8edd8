package dev.cairn.samples.cli;

import dev.cairn.CairnException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * Stands in for {@code cairn spark-score} when the cairn-spark module or Apache Spark is not on the
 * classpath (the samples' own classpath leaves Spark out): says how to get them.
 */
@Command(name = "spark-score", description = {"Score Parquet, JSON or CSV files with a model on Apache Spark.",
    "Needs the cairn-spark module and Spark on the classpath: bin/cairn adds them for this command."})
public final class SparkScoreUnavailable implements Callable<Integer> {
    /** The command that runs when cairn-spark is on the classpath. */
    public static final String IMPLEMENTATION = "dev.cairn.spark.cli.SparkScoreCommand";

    @Unmatched
    List<String> args;

    private final String why;

    public SparkScoreUnavailable(String why) {
        this.why = why;
    }

    @Override
    public Integer call() {
        throw new CairnException("spark-score needs the cairn-spark module and Apache Spark on the classpath (" + why
                + "); run it through bin/cairn spark-score, which adds them, or build them with ./mvnw -pl spark -am package");
    }

    /** The real spark-score command when cairn-spark and Spark can be loaded, else this stand-in. */
    public static Object create() {
        try {
            Class.forName("org.apache.spark.sql.SparkSession", false, SparkScoreUnavailable.class.getClassLoader());
            return Class.forName(IMPLEMENTATION).getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return new SparkScoreUnavailable(e.getMessage() + " not found");
        } catch (ReflectiveOperationException | LinkageError e) {
            return new SparkScoreUnavailable(e.toString());
        }
    }
}
