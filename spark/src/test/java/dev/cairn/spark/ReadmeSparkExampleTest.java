package dev.cairn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Spark pipeline example (its {@code ```java-spark} block, which the samples' docs test cannot
 * compile without Spark) compiles against Spark and Cairn as written. It is compiled, not run: it reads and
 * writes HDFS paths.
 */
class ReadmeSparkExampleTest {
    private static final String IMPORTS = """
            import dev.cairn.spark.CairnTransformer;
            import java.util.stream.IntStream;
            import org.apache.spark.ml.Pipeline;
            import org.apache.spark.ml.PipelineModel;
            import org.apache.spark.ml.PipelineStage;
            import org.apache.spark.ml.feature.VectorAssembler;
            import org.apache.spark.sql.Dataset;
            import org.apache.spark.sql.Row;
            import org.apache.spark.sql.SparkSession;
            """;

    @TempDir
    Path dir;

    @Test
    void theReadmePipelineExampleCompiles() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```java-spark\\n(.*?)```", Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), "README.md has a ```java-spark block");
        String body = m.group(1);
        assertTrue(!m.find(), "one ```java-spark block (add a test for a second one)");
        Path src = dir.resolve("ReadmeSpark.java");
        Files.writeString(src, IMPORTS + "\nclass ReadmeSpark {\n    static void run() throws Exception {\n"
                + body + "\n    }\n}\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        boolean ok = javac.getTask(errors, null, null,
                List.of("-d", dir.toString(), "-cp", System.getProperty("java.class.path"), "-proc:none"), null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(src)).call();
        assertEquals("", ok ? "" : errors.toString(), "the README's Spark example compiles");
    }
}
