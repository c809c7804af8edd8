package dev.cairn.benchmarks;

import dev.cairn.autograd.GradMode;
import dev.cairn.nn.F;
import dev.cairn.nn.Linear;
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

/** The seed MLP's layers at small and large batch: fused Linear+ReLU, plain Linear, and the elementwise ReLU. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LinearBenchmark {
    @Param({"1", "64", "1024"})
    int batch;

    Linear hidden;
    Linear out;
    Tensor x;
    Tensor h;
    GradMode.Scope noGrad;

    @Setup
    public void setUp() {
        Generator g = new Generator(2);
        hidden = new Linear(20, 256, true, g);
        out = new Linear(256, 10, true, g);
        x = Tensor.rand(g, batch, 20);
        h = Tensor.rand(g, batch, 256);
        noGrad = GradMode.noGrad();
    }

    @TearDown
    public void tearDown() {
        noGrad.close();
    }

    @Benchmark
    public Tensor linearRelu() {
        return F.linearRelu(x, hidden.weight, hidden.bias);
    }

    @Benchmark
    public Tensor linear() {
        return F.linear(h, out.weight, out.bias);
    }

    @Benchmark
    public Tensor relu() {
        return h.relu();
    }

    @Benchmark
    public Tensor mlpForward() {
        return out.call(F.relu(hidden.call(x)));
    }
}
