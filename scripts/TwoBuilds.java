import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two builds of Cairn side by side in one JVM: each checkout's `samples/target` jars in a class loader of its
 * own (its own classes, JIT profiles and CPU workers), the same `cairn` command run on each in turn, ROUNDS
 * times, first one then the other, the order swapped every round. Prints each round's figure (GFLOP/s for
 * {@code bench gemm}, else the median in us) and the median over rounds of each build and of their per-round ratio. Separate JVMs
 * run minutes apart on this VM differ by 10-30% as the host's load moves; alternating short runs in one JVM
 * puts both builds through the same moments, and separate loaders keep one build's JIT profile out of the
 * other's. Usage (see BENCHMARKS.md):
 *
 *   java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx8g scripts/TwoBuilds.java \
 *       BEFORE_DIR AFTER_DIR ROUNDS bench gemm --n 2048 --threads 2 --budget-ms 1000
 *
 * For batch-1 models add {@code --json} to a {@code bench model} command: its median has three decimals, the
 * table's one (0.1 us is a tenth of the mlp's latency).
 */
public class TwoBuilds {
    private static final Pattern GFLOPS = Pattern.compile("([0-9.]+) GFLOP/s");
    /** The median in us: {@code --json}'s {@code "median_us":2.345} (three decimals), else the table's {@code median 2.3 us}. */
    private static final Pattern MEDIAN = Pattern.compile("(?:median\\s+|\"median_us\":)([0-9.]+)");

    public static void main(String[] args) throws Exception {
        String[] dirs = {args[0], args[1]};
        int rounds = Integer.parseInt(args[2]);
        String[] command = Arrays.copyOfRange(args, 3, args.length);
        Method[] run = {cli(dirs[0]), cli(dirs[1])};
        double[][] figures = new double[2][rounds];
        boolean higherIsBetter = true;
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 2; i++) {
                int b = (r % 2 == 0) ? i : 1 - i;
                Thread.currentThread().setContextClassLoader(run[b].getDeclaringClass().getClassLoader());
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int rc = (int) run[b].invoke(null, command, new PrintWriter(out, true), new PrintWriter(err, true));
                if (rc != 0) {
                    throw new IllegalStateException(dirs[b] + ": exit " + rc + ": " + err);
                }
                Matcher g = GFLOPS.matcher(out.toString());
                Matcher m = MEDIAN.matcher(out.toString());
                if (command.length > 1 && command[1].equals("gemm") && g.find()) {
                    figures[b][r] = Double.parseDouble(g.group(1));
                } else if (m.find()) {
                    figures[b][r] = Double.parseDouble(m.group(1));
                    higherIsBetter = false;
                } else {
                    throw new IllegalStateException(dirs[b] + ": no figure in: " + out);
                }
            }
            System.out.printf(Locale.ROOT, "round %d: %s %.3f  %s %.3f%n", r + 1, dirs[0], figures[0][r], dirs[1],
                    figures[1][r]);
        }
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratio[r] = higherIsBetter ? figures[1][r] / figures[0][r] : figures[0][r] / figures[1][r];
        }
        System.out.printf(Locale.ROOT, "%s: median %s %.3f, %s %.3f; %s faster by a median per-round factor of %.3f%n",
                String.join(" ", command), dirs[0], median(figures[0]), dirs[1], median(figures[1]), dirs[1],
                median(ratio));
    }

    /** {@code Cli.run(String[], PrintWriter, PrintWriter)} of the build in {@code dir}, in a loader of its own. */
    private static Method cli(String dir) throws Exception {
        ClassLoader loader = HostLoad.buildLoader(dir);
        return loader.loadClass("dev.cairn.samples.Cli")
                .getMethod("run", String[].class, PrintWriter.class, PrintWriter.class);
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
