package dev.cairn.samples;

import dev.cairn.samples.cli.BenchCommand;
import dev.cairn.samples.cli.ConformCommand;
import dev.cairn.samples.cli.DemoCommand;
import dev.cairn.samples.cli.DescribeCommand;
import dev.cairn.samples.cli.DevicesCommand;
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
@Command(name = "cairn", mixinStandardHelpOptions = true, version = "cairn 0.1.0",
        description = "Compose and run neural-network models from Java.",
        subcommands = {DevicesCommand.class, DemoCommand.class, DescribeCommand.class, ConformCommand.class,
            BenchCommand.class, TrainCommand.class})
public final class Cli implements Runnable {
    @Option(names = "--verbose", description = "Print stack traces on errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (devices, demo, describe, conform, bench, train, spark-score)");
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
            if (!(ex instanceof dev.cairn.tensor.CairnException) && !(ex instanceof java.io.IOException)
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

    /** Folds a multi-line message into one line. */
    static String oneLine(String msg) {
        return msg == null ? "" : msg.replace("\n\t", "; ").replace('\n', ' ').replace('\t', ' ').trim();
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }
}
