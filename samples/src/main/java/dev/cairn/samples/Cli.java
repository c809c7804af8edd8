package dev.cairn.samples;

import dev.cairn.samples.cli.BenchCommand;
import dev.cairn.samples.cli.ConformCommand;
import dev.cairn.samples.cli.DemoCommand;
import dev.cairn.samples.cli.DescribeCommand;
import dev.cairn.samples.cli.DevicesCommand;
import dev.cairn.samples.cli.ServeCommand;
import dev.cairn.samples.cli.SoakCommand;
import dev.cairn.samples.cli.SparkScoreUnavailable;
import dev.cairn.samples.cli.TrainCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/cairn}: runs the seed's models on the CPU or a GPU, checks them against PyTorch, and
 * benchmarks them. Errors are one {@code error:} line on stderr: exit 2 for usage, 1 for anything else.
 */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Compose and run neural-network models from Java.",
        subcommands = {DevicesCommand.class, DemoCommand.class, DescribeCommand.class, ConformCommand.class,
            BenchCommand.class, TrainCommand.class, ServeCommand.class, SoakCommand.class})
public final class Cli implements Runnable {
    /** The version in the jar's manifest (Implementation-Version), so it always matches the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Cli.class.getPackage().getImplementationVersion();
            return new String[] {"cairn " + (v == null ? "(development build, no jar manifest)" : v)};
        }
    }

    @Option(names = "--verbose", description = "Print stack traces on errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (devices, demo, describe, conform, bench, train, serve, soak, spark-score)");
    }

    /** The exit status of running the command line {@code args}, with output to the given writers. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Cli root = new Cli();
        CommandLine cmd = new CommandLine(root);
        cmd.addSubcommand("spark-score", SparkScoreUnavailable.create());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + oneLine(ex.getMessage()) + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help')");
            err.flush();
            return 2;
        });
        cmd.setExecutionExceptionHandler((ex, command, parsed) -> {
            if (isVerbose(parsed)) {
                ex.printStackTrace(err);
            }
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            if (!(ex instanceof dev.cairn.CairnException) && !(ex instanceof java.io.IOException)
                    && !(ex instanceof java.io.UncheckedIOException) && !(ex instanceof IllegalArgumentException)) {
                msg = ex.getClass().getSimpleName() + ": " + msg;
            }
            err.println("error: " + oneLine(msg));
            err.flush();
            return 1;
        });
        int code;
        try {
            code = cmd.execute(args);
        } catch (Throwable t) { // errors (OutOfMemoryError...) bypass picocli's handler: still one error line
            if (java.util.Arrays.asList(args).contains("--verbose")) {
                t.printStackTrace(err);
            }
            err.println("error: " + t.getClass().getSimpleName() + ": " + oneLine(String.valueOf(t.getMessage())));
            code = 1;
        }
        out.flush();
        err.flush();
        return code;
    }

    private static boolean isVerbose(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult p = parsed;
        while (p != null) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
            p = p.subcommand();
        }
        return false;
    }

    /**
     * Folds a multi-line message into one line and {@linkplain #escape escapes} whatever else could break
     * it or fool a terminal (messages quote file contents: tensor names, metadata).
     */
    public static String oneLine(String msg) {
        return msg == null ? "" : escape(msg.replace("\n\t", "; ").replace('\n', ' ').replace('\t', ' ').trim());
    }

    /**
     * {@code text} safe to print on one terminal line: control characters (C0 including NUL, CR, LF and
     * tab; DEL; C1 such as U+0085), line and paragraph separators (U+2028, U+2029), bidirectional and other
     * invisible format characters (U+202E right-to-left override, U+200B..U+200F, U+2066..U+2069, U+FEFF,
     * ...), unassigned code points and lone surrogates are written as {@code \}{@code uXXXX}
     * ({@code \}{@code u{XXXXX}} beyond the BMP); a backslash is doubled so the escapes stay unambiguous.
     */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            boolean unsafe = cp == '\\' || unsafe(cp)
                    || (n == 1 && Character.isSurrogate((char) cp)); // a lone surrogate
            if (unsafe && sb == null) {
                sb = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (sb != null) {
                if (cp == '\\') {
                    sb.append("\\\\");
                } else if (unsafe) {
                    sb.append(cp <= 0xFFFF ? String.format("\\u%04X", cp) : String.format("\\u{%X}", cp));
                } else {
                    sb.appendCodePoint(cp);
                }
            }
            i += n;
        }
        return sb == null ? text : sb.toString();
    }

    private static boolean unsafe(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE -> true;
            default -> false;
        };
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }
}
