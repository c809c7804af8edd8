package dev.cairn.samples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docs that cannot drift: every {@code ```java} block of README.md and docs/*.md is compiled against
 * Cairn and run, one dynamic test per block named {@code FILE:LINE}.
 *
 * <p>A block that declares imports, a package or a top-level type is a compilation unit: it is compiled
 * as it is (the user saves it under its public type's name) and its {@code main} runs when it has one.
 * Any other block is a fragment: it is compiled as the body of a {@code main} method with
 * {@link #FRAGMENT_IMPORTS} (what docs/README.md says fragments assume) and run. A block that fails to
 * compile or throws fails the build. The README's dependency snippet and quick start are checked against
 * examples/consumer, which the build itself compiles and runs (examples/pom.xml).
 */
class DocsExamplesTest {
    /** The imports the docs promise for fragments (docs/README.md lists them). */
    static final String FRAGMENT_IMPORTS = """
            import dev.cairn.*;
            import dev.cairn.autograd.GradMode;
            import dev.cairn.io.ModuleFiles;
            import dev.cairn.io.SafeTensors;
            import dev.cairn.nn.*;
            import dev.cairn.nn.Module;
            import dev.cairn.nn.optim.*;
            import dev.cairn.tensor.*;
            import java.nio.file.*;
            import java.util.*;
            """;

    private static final Pattern UNIT = Pattern.compile(
            "^(import |package |(public |final |abstract |sealed )*(class|record|interface|enum) )", Pattern.MULTILINE);
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^public (final |abstract |sealed )*(class|record|interface|enum) (\\w+)", Pattern.MULTILINE);
    private static final Pattern ANY_TYPE = Pattern.compile(
            "^(final |abstract |sealed )*(class|record|interface|enum) (\\w+)", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    record Block(Path file, int line, String code) {
        String id() {
            return root().relativize(file).toString().replace('\\', '/') + ":" + line;
        }
    }

    /** The repository root: the nearest directory above the working directory holding README.md and mvnw. */
    static Path root() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null && !(Files.isRegularFile(p.resolve("README.md")) && Files.isRegularFile(p.resolve("mvnw")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no repository root (README.md + mvnw) above " + System.getProperty("user.dir"));
        }
        return p;
    }

    static List<Path> docFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root().resolve("README.md"));
        try (Stream<Path> s = Files.list(root().resolve("docs"))) {
            s.filter(f -> f.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    /** The fenced blocks with info string {@code lang} in {@code file}, with the line each starts on. */
    static List<Block> blocks(Path file, String lang) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("```" + lang)) {
                int start = i + 1;
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < lines.size() && !lines.get(i).strip().equals("```")) {
                    sb.append(lines.get(i)).append('\n');
                    i++;
                }
                if (i == lines.size()) {
                    throw new IllegalStateException(file + ":" + start + ": unclosed ```" + lang + " block");
                }
                out.add(new Block(file, start, sb.toString()));
            }
        }
        return out;
    }

    static List<Block> javaBlocks() throws IOException {
        List<Block> all = new ArrayList<>();
        for (Path f : docFiles()) {
            all.addAll(blocks(f, "java"));
        }
        return all;
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockCompilesAndRuns() throws IOException {
        List<Block> all = javaBlocks();
        assertTrue(all.size() >= 10, "expected the README and the guides to hold Java examples, found " + all.size());
        return all.stream().map(b -> DynamicTest.dynamicTest(b.id(), () -> compileAndRun(b)));
    }

    private void compileAndRun(Block b) throws Exception {
        boolean unit = UNIT.matcher(b.code()).find();
        String source;
        String typeName;
        if (unit) {
            source = b.code();
            Matcher m = PUBLIC_TYPE.matcher(source);
            if (!m.find()) {
                m = ANY_TYPE.matcher(source);
                assertTrue(m.find(), b.id() + ": a compilation unit without a top-level type");
            }
            typeName = m.group(3);
        } else {
            typeName = "Fragment";
            source = FRAGMENT_IMPORTS + "\npublic class Fragment {\n    public static void main(String[] args) throws Exception {\n"
                    + b.code() + "\n    }\n}\n";
        }
        Matcher pm = PACKAGE.matcher(source);
        String className = pm.find() ? pm.group(1) + "." + typeName : typeName;

        Path dir = Files.createDirectories(tmp.resolve(b.id().replaceAll("[^A-Za-z0-9]", "_")));
        Path src = dir.resolve(typeName + ".java");
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        var fm = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        boolean ok = javac.getTask(diagnostics, fm, null,
                List.of("--release", "21", "-proc:none", "-d", classes.toString(), "-cp", System.getProperty("java.class.path")),
                null, fm.getJavaFileObjects(src)).call();
        fm.close();
        if (!ok) {
            fail(b.id() + ": the example does not compile" + (unit ? "" : " (as a fragment inside main)") + ":\n"
                    + diagnostics + "\n--- source ---\n" + source);
        }

        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> c = Class.forName(className, true, loader);
            Method main;
            try {
                main = c.getMethod("main", String[].class);
            } catch (NoSuchMethodException e) {
                return; // declarations only (types used by other examples): compiling is the check
            }
            PrintStream stdout = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                main.invoke(null, (Object) new String[0]);
            } catch (InvocationTargetException e) {
                throw new AssertionError(b.id() + ": the example throws " + e.getCause() + "\n--- its output ---\n"
                        + captured.toString(StandardCharsets.UTF_8), e.getCause());
            } finally {
                System.setOut(stdout);
            }
        }
    }

    @Test
    void readmeAndGuidesPointOnlyInsideTheRepository() throws IOException {
        Pattern link = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
        for (Path f : docFiles()) {
            String text = Files.readString(f);
            assertFalse(text.contains("../shared") || text.contains("/work/"), f + " points outside the repository");
            assertFalse(text.contains("temurin-25-jdk-amd64"), f + " names one machine's JDK path");
            Matcher m = link.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("mailto:")) {
                    continue;
                }
                Path resolved = f.getParent().resolve(target).normalize();
                assertTrue(resolved.startsWith(root()), f + ": link " + target + " leaves the repository");
                assertTrue(Files.exists(resolved), f + ": link " + target + " points to nothing");
            }
        }
    }

    /** The README's Maven snippet is the one the examples/consumer build uses, at this build's version. */
    @Test
    void readmeDependencySnippetIsTheTestedConsumerPom() throws IOException {
        Path readme = root().resolve("README.md");
        String pom = Files.readString(root().resolve("examples/consumer/pom.xml"));
        int begin = pom.indexOf("<!-- readme:maven:begin -->");
        int end = pom.indexOf("<!-- readme:maven:end -->");
        assertTrue(begin >= 0 && end > begin, "examples/consumer/pom.xml marks the README's snippet");
        String tested = normalize(pom.substring(pom.indexOf('\n', begin) + 1, end));
        boolean found = blocks(readme, "xml").stream().anyMatch(b -> normalize(b.code()).equals(tested));
        assertTrue(found, "README.md has no ```xml block equal to examples/consumer/pom.xml's readme:maven region:\n" + tested);

        String version = projectVersion();
        assertTrue(tested.contains("<version>" + version + "</version>"),
                "examples/consumer/pom.xml uses the BOM at this build's version " + version);
        String quickstart = Files.readString(root().resolve("examples/consumer/src/main/java/com/example/Quickstart.java"))
                .replace("\r\n", "\n");   // a Windows checkout may have CRLF; blocks() joins lines with \n
        assertTrue(blocks(readme, "java").stream().anyMatch(b -> b.code().equals(quickstart)),
                "README.md shows examples/consumer's Quickstart.java verbatim");
        String readmeText = Files.readString(readme);
        assertTrue(readmeText.contains("version '" + version + "'") || readmeText.contains(":" + version + "'")
                        || readmeText.contains(":" + version + "\""),
                "README's Gradle snippet names this build's version " + version);
    }

    private static String projectVersion() throws IOException {
        String pom = Files.readString(root().resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>cairn-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "the root pom's version");
        return m.group(1);
    }

    private static String normalize(String xml) {
        return xml.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce("", (a, l) -> a + l + "\n");
    }

    @Test
    void fragmentImportsAreTheOnesTheGuidesPromise() throws IOException {
        String index = Files.readString(root().resolve("docs/README.md"));
        for (String line : FRAGMENT_IMPORTS.strip().split("\n")) {
            assertTrue(index.contains(line.strip()), "docs/README.md lists the fragment import " + line.strip());
        }
        assertEquals(1, (int) FRAGMENT_IMPORTS.lines().filter(l -> l.equals("import dev.cairn.nn.Module;")).count(),
                "fragments import dev.cairn.nn.Module explicitly, or java.lang.Module wins");
    }
}
