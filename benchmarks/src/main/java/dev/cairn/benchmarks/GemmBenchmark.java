package dev.cairn.benchmarks;

import dev.cairn.autograd.GradMode;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Square float32 GEMM through the public Tensor API on the CPU backend, plain and with a transposed operand. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {
    @Param({"256", "1024", "2048"})
    int n;

    Tensor a;
    Tensor b;
    GradMode.Scope noGrad;

    @Setup
    public void setUp() {
        Generator g = new Generator(1);
        a = Tensor.rand(g, n, n);
        b = Tensor.rand(g, n, n);
        noGrad = GradMode.noGrad();
    }

    @TearDown
    public void tearDown() {
        noGrad.close();
    }

    @Benchmark
    public Tensor mm() {
        return a.mm(b);
    }

    @Benchmark
    public Tensor mmTransposedB() {
        return a.mm(b.t());
    }
}
