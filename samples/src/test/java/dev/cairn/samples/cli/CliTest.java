package dev.cairn.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.io.SafeTensors;
import dev.cairn.samples.Cli;
import dev.cairn.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as cli-contract.md says: outputs, exit codes, and one-line errors. */
class CliTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static Path golden(String name) throws Exception {
        return Path.of(CliTest.class.getResource("/golden/" + name).toURI());
    }

    /** Exit code {@code code} and exactly one {@code error:} line containing {@code fragment} (a device line aside). */
    static void assertOneErrorLine(Run r, int code, String fragment) {
        assertEquals(code, r.code(), r.err());
        // the informational "device: ..." line may come before the error, which itself is one line
        String[] lines = java.util.Arrays.stream(r.err().strip().split("\n"))
                .filter(l -> !l.startsWith("device: ")).toArray(String[]::new);
        assertEquals(1, lines.length, "one line: " + r.err());
        assertTrue(lines[0].startsWith("error: "), lines[0]);
        assertTrue(lines[0].contains(fragment), lines[0]);
    }

    @Test
    void describePrintsThePyTorchStructure() {
        Run r = run("describe", "--model", "mlp");
        assertEquals(0, r.code());
        assertEquals("MLP(\n  (hidden): Linear(in_features=20, out_features=256, bias=True)\n"
                + "  (out): Linear(in_features=256, out_features=10, bias=True)\n)\n", r.out().replace("\r", ""));
    }

    @Test
    void conformWritesOutputsAndGradientsThatMatch() throws Exception {
        Path out = tmp.resolve("out.safetensors");
        Path state = tmp.resolve("state.safetensors");
        Run r = run("conform", "--model", "chimera", "--case", golden("chimera-s1-b4.safetensors").toString(),
                "--out", out.toString(), "--device", "cpu", "--grad", "--save-state", state.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("all results match"), r.out());
        Map<String, Tensor> written = SafeTensors.read(out);
        assertTrue(written.containsKey("output") && written.containsKey("grad.input")
                && written.containsKey("grad.2.linear.weight") && !written.containsKey("grad.2.rand_weight"), written.keySet().toString());
        assertEquals(0, written.get("output").dim());
        Map<String, Tensor> saved = SafeTensors.read(state);
        assertEquals(11, saved.size());
        assertTrue(saved.containsKey("2.rand_weight"));
    }

    @Test
    void conformWithAMissingKeyNamesIt() throws Exception {
        Map<String, Tensor> c = new LinkedHashMap<>(SafeTensors.read(golden("mlp-s1-b1.safetensors")));
        c.remove("out.bias");
        Path file = tmp.resolve("bad.safetensors");
        SafeTensors.write(file, c);
        assertOneErrorLine(run("conform", "--model", "mlp", "--case", file.toString(), "--out", tmp.resolve("o").toString()),
                1, "\"out.bias\"");
        c.remove("input");
        SafeTensors.write(file, c);
        assertOneErrorLine(run("conform", "--model", "mlp", "--case", file.toString(), "--out", tmp.resolve("o").toString()),
                1, "'input'");
    }

    @Test
    void conformWithAWrongShapeNamesKeyAndShapes() throws Exception {
        Map<String, Tensor> c = new LinkedHashMap<>(SafeTensors.read(golden("mlp-s1-b1.safetensors")));
        c.put("hidden.bias", Tensor.zeros(255));
        Path file = tmp.resolve("bad.safetensors");
        SafeTensors.write(file, c);
        assertOneErrorLine(run("conform", "--model", "mlp", "--case", file.toString(), "--out", tmp.resolve("o").toString()),
                1, "hidden.bias: copying a tensor of shape [255]");
    }

    @Test
    void conformWithTheWrongModelNamesTheKeys() throws Exception {
        Run r = run("conform", "--model", "tied", "--case", golden("mlp-s1-b1.safetensors").toString(),
                "--out", tmp.resolve("o").toString());
        assertOneErrorLine(r, 1, "missing key(s) in state_dict: \"0.weight\"");
        assertTrue(r.err().contains("unexpected key(s) in state_dict: ") && r.err().contains("\"hidden.weight\""), r.err());
        assertTrue(r.err().contains("mlp-s1-b1.safetensors"), "names the case file: " + r.err());
    }

    @Test
    void aCorruptCaseFileIsOneErrorLine() throws Exception {
        byte[] good = java.nio.file.Files.readAllBytes(golden("mlp-s1-b1.safetensors"));
        Path bad = tmp.resolve("truncated.safetensors");
        java.nio.file.Files.write(bad, java.util.Arrays.copyOf(good, 100));
        assertOneErrorLine(run("conform", "--model", "mlp", "--case", bad.toString(), "--out", tmp.resolve("o").toString()),
                1, "truncated.safetensors");
    }

    @Test
    void usageErrorsExitWith2() {
        assertOneErrorLine(run("describe"), 2, "--model");
        assertOneErrorLine(run("frobnicate"), 2, "frobnicate");
        assertOneErrorLine(run("demo", "--batch", "x"), 2, "--batch");
    }

    @Test
    void badValuesAreUsageErrorsAndMissingFilesExitWith1() {
        assertOneErrorLine(run("describe", "--model", "nope"), 2, "unknown model 'nope'");
        assertOneErrorLine(run("demo", "--device", "tpu"), 2, "unknown device 'tpu'");
        assertOneErrorLine(run("conform", "--model", "mlp", "--case", tmp.resolve("missing.safetensors").toString(),
                "--out", tmp.resolve("o").toString()), 1, "missing.safetensors");
    }

    @Test
    void cudaWithoutAGpuIsACleanErrorSayingWhy() {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.cairn.tensor.Devices.isUsable(dev.cairn.Device.cuda(0)),
                "a CUDA GPU is present: this test checks the error without one");
        assertOneErrorLine(run("demo", "--device", "cuda"), 1, "cuda:0 cannot be used");
    }

    /**
     * Every subcommand's help prints its usage, with its description formatted: a lone {@code %} in a description
     * makes picocli give up formatting it (it warns on stderr and prints the raw text, {@code %n} included).
     */
    @Test
    void helpPrintsUsage() {
        for (String cmd : new String[] {"devices", "demo", "describe", "conform", "bench", "train", "serve", "soak"}) {
            Run r = run(cmd, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().startsWith("Usage: cairn " + cmd), r.out());
            assertFalse(r.out().contains("%n"), cmd + " --help printed an unformatted description:\n" + r.out());
        }
        assertTrue(run("train", "--help").out().contains("'test accuracy XX.XX% (n/N)'"));
    }

    @Test
    void demoRunsTheFiveSeedModelsOnTheCpu() {
        Run r = run("demo", "--device", "cpu", "--batch", "3");
        assertEquals(0, r.code(), r.err());
        for (String m : new String[] {"== mlp ==", "== mysequential ==", "== fixed_hidden_mlp ==", "== nest_mlp ==", "== chimera =="}) {
            assertTrue(r.out().contains(m), m);
        }
        assertTrue(r.out().contains("output [3, 10] on cpu"), r.out());
        assertTrue(r.out().contains("output [] on cpu"), r.out());
        assertTrue(r.out().strip().endsWith("ran on cpu"));
    }

    @Test
    void devicesListsTheCpuAndWhyCudaIsOrIsNotUsable() {
        Run r = run("devices");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("cpu   usable"), r.out());
        assertTrue(r.out().contains("cuda "), r.out());
    }

    @Test
    void benchPrintsJsonLines() {
        Run r = run("bench", "gemm", "--n", "16,32", "--device", "cpu", "--json", "--budget-ms", "20");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("{\"bench\":\"gemm\",\"device\":\"cpu\",\"n\":16,\"median_us\":"), lines[0]);
        Run m = run("bench", "model", "--model", "mlp", "--batch", "1,4", "--device", "cpu", "--json", "--budget-ms", "20");
        assertEquals(0, m.code(), m.err());
        assertTrue(m.out().contains("\"model\":\"mlp\",\"batch\":4"), m.out());
        Run t = run("bench", "model", "--model", "lenet", "--batch", "2", "--train", "--device", "cpu", "--json",
                "--budget-ms", "20");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().startsWith("{\"bench\":\"train\",\"device\":\"cpu\",\"model\":\"lenet\",\"batch\":2,"),
                t.out());
    }

    @Test
    void commandsThatRunModelsNameTheDeviceOnStderrAndQuietDropsIt() {
        Run auto = run("bench", "model", "--model", "mlp", "--batch", "1", "--json", "--budget-ms", "20");
        assertEquals(0, auto.code(), auto.err());
        String expected = "device: " + dev.cairn.tensor.Devices.auto() + " (auto: " + dev.cairn.tensor.Devices.autoReason() + ")";
        assertEquals(expected, auto.err().strip().replace("\r", ""), "one line on stderr saying which device and why");
        assertTrue(auto.out().lines().allMatch(l -> l.startsWith("{")), "stdout stays JSON lines: " + auto.out());

        Run cpu = run("bench", "model", "--model", "mlp", "--batch", "1", "--device", "cpu", "--budget-ms", "20");
        assertEquals("device: cpu (requested)", cpu.err().strip().replace("\r", ""));

        Run quiet = run("bench", "model", "--model", "mlp", "--batch", "1", "--device", "cpu", "--budget-ms", "20", "--quiet");
        assertEquals(0, quiet.code(), quiet.err());
        assertEquals("", quiet.err());
    }

    /** Nothing in an error line may break it or fool a terminal: control, separator and bidi characters. */
    private static void assertPrintable(String text) {
        text.codePoints().forEach(cp -> {
            assertTrue(cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0) && cp != 0x2028 && cp != 0x2029
                    && cp != 0x202E && cp != 0x200F, String.format("raw U+%04X in %s", cp, text.replaceAll("\\p{C}", "?")));
        });
    }

    @Test
    void untrustedTextInErrorsIsEscapedOnOneLine() throws Exception {
        Map<String, Tensor> c = new LinkedHashMap<>(SafeTensors.read(golden("mlp-s1-b1.safetensors")));
        String hostile = "evil\u0000nul\rcr\u2028ls\u0085nel\u202Ertl\u001B[31mred\\u0000";
        c.put(hostile, Tensor.zeros(1));
        Path file = tmp.resolve("hostile.safetensors");
        SafeTensors.write(file, c);
        Run r = run("conform", "--model", "mlp", "--case", file.toString(), "--out", tmp.resolve("o").toString());
        assertOneErrorLine(r, 1, "unexpected key(s) in state_dict: \"evil\\u0000nul\\u000Dcr\\u2028ls\\u0085nel"
                + "\\u202Ertl\\u001B[31mred\\\\u0000\"");
        assertPrintable(r.err().strip());
    }

    @Test
    void anOutputThatIsTheCaseIsRefusedAndTheCaseIsKept() throws Exception {
        Path file = tmp.resolve("case.safetensors");
        Files.copy(golden("mlp-s1-b1.safetensors"), file);
        byte[] before = Files.readAllBytes(file);
        Path link = Files.createSymbolicLink(tmp.resolve("link.safetensors"), file);
        Path hard = Files.createLink(tmp.resolve("hard.safetensors"), file);
        for (Path out : new Path[] {file, link, hard}) {
            assertOneErrorLine(run("conform", "--model", "mlp", "--case", file.toString(), "--out", out.toString()),
                    1, "is the same file as --case");
            assertOneErrorLine(run("conform", "--model", "mlp", "--case", file.toString(), "--out", tmp.resolve("o").toString(),
                    "--save-state", out.toString()), 1, "is the same file as --case");
        }
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(Files.readAllBytes(file)));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void conformOutsideTheToleranceExitsWith1NamingTheTensorAndTheDifference() throws Exception {
        Map<String, Tensor> c = new LinkedHashMap<>(SafeTensors.read(golden("mlp-s1-b1.safetensors")));
        c.put("output", c.get("output").add(0.5f));
        Path file = tmp.resolve("off.safetensors");
        SafeTensors.write(file, c);
        Path out = tmp.resolve("o.safetensors");
        Run r = run("conform", "--model", "mlp", "--case", file.toString(), "--out", out.toString());
        assertOneErrorLine(r, 1, "result 'output' [1, 10] differs from the case");
        assertTrue(r.err().contains("max |diff| 5.000e-01 exceeds the tolerance"), r.err());
        assertTrue(r.out().contains("MISMATCH"), r.out());
        assertTrue(Files.exists(out), "the results are still written for inspection");
    }

    @Test
    void numericOptionsOutOfRangeAreUsageErrors() {
        assertOneErrorLine(run("train", "--points", "1073741824"), 2, "--points must be at most 10000000");
        assertOneErrorLine(run("train", "--hidden", "100000"), 2, "--hidden must be between 1 and 16384");
        assertOneErrorLine(run("bench", "gemm", "--n", "16", "--budget-ms", "-1"), 2, "--budget-ms must be between 1");
        assertOneErrorLine(run("bench", "model", "--model", "mlp", "--batch", "1", "--budget-ms", "0"), 2,
                "--budget-ms must be between 1");
        assertOneErrorLine(run("bench", "gemm", "--n", "50000", "--budget-ms", "1"), 2, "--n must be at most 46340");
    }

    @Test
    void moreThreadsThanCoresAreCappedWithAWarning() {
        Run r = run("bench", "gemm", "--n", "16", "--device", "cpu", "--budget-ms", "5", "--threads", "100000");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("warning: --threads 100000 is more than the "), r.err());
        assertEquals(String.valueOf(Runtime.getRuntime().availableProcessors()), System.getProperty("cairn.cpu.threads"));
    }
}
