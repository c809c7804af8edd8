package dev.cairn.samples.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.samples.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/cli.md cannot drift from the program: every command has a section naming each of its options. */
class CliReferenceTest {
    private static final Set<String> COMMON = Set.of("--help", "--version", "--verbose");

    @Test
    void everyCommandAndOptionIsDocumented() throws IOException {
        String doc = Files.readString(DocsExamplesTest.root().resolve("docs/cli.md")).replace("\r\n", "\n");
        List<String> problems = new ArrayList<>();
        check(new CommandLine(new Cli()), "", doc, problems);
        assertTrue(problems.isEmpty(), "docs/cli.md is out of date:\n" + String.join("\n", problems));
    }

    private static void check(CommandLine cmd, String prefix, String doc, List<String> problems) {
        for (var e : cmd.getSubcommands().entrySet()) {
            String name = prefix + e.getKey();
            CommandLine sub = e.getValue();
            if (!sub.getSubcommands().isEmpty()) {
                check(sub, name + " ", doc, problems);
                continue;
            }
            String section = section(doc, name);
            if (section == null) {
                problems.add("no section '## `bin/cairn " + name + " ...`' for the command " + name);
                continue;
            }
            for (OptionSpec o : sub.getCommandSpec().options()) {
                String longest = o.longestName();
                if (!COMMON.contains(longest) && !section.contains(longest)) {
                    problems.add("bin/cairn " + name + ": option " + longest + " is not documented in its section");
                }
            }
        }
    }

    /** The text from the heading of {@code command}'s section to the next heading of the same level. */
    private static String section(String doc, String command) {
        String heading = "\n## `bin/cairn " + command;
        int start = doc.indexOf(heading + " ");
        if (start < 0) {
            start = doc.indexOf(heading + "`");
        }
        if (start < 0) {
            return null;
        }
        int end = doc.indexOf("\n## ", start + 1);
        return end < 0 ? doc.substring(start) : doc.substring(start, end);
    }
}
