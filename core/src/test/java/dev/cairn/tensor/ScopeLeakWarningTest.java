package dev.cairn.tensor;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A TensorScope that is never closed is reported once, naming the code that opened it. */
class ScopeLeakWarningTest {
    @Test
    void aLoopThatForgetsToCloseItsScopeIsReportedWithTheLineThatOpensIt() {
        Tensor x = Tensor.ones(4, 4);
        TensorScope.resetLeakWarnings(); // another test of this JVM may have been warned about first
        List<TensorScope> leaked = new ArrayList<>();
        try {
            for (int i = 0; i < TensorScope.leakDepth + 10; i++) {
                leaked.add(forgetfulPass(x)); // the bug under test: open() without close()
            }
            String warning = TensorScope.leakWarning(0);
            assertNotNull(warning, "no warning after " + leaked.size() + " scopes left open");
            assertTrue(warning.contains("ScopeLeakWarningTest.forgetfulPass"), warning);
            assertTrue(warning.contains("try-with-resources"), warning);
            for (int i = 0; i < 2 * TensorScope.leakDepth; i++) {
                leaked.add(forgetfulPass(x));
            }
            assertSame(warning, TensorScope.leakWarning(0), "warned once");
        } finally {
            leaked.get(0).close(); // closes every scope opened inside it
        }
    }

    private static TensorScope forgetfulPass(Tensor x) {
        TensorScope scope = TensorScope.open();
        x.mul(2f).add(1f);
        return scope;
    }

    @Test
    void aScopeThatHoldsTooManyTensorsIsReported() {
        int saved = TensorScope.leakTensors;
        TensorScope.leakTensors = 500;
        TensorScope.resetLeakWarnings();
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Tensor.ones(2);
            for (int i = 0; i < 600; i++) {
                x.add(1f);
            }
            String warning = TensorScope.leakWarning(1);
            assertNotNull(warning);
            assertTrue(warning.contains("holds 500 tensors"), warning);
            assertTrue(warning.contains("ScopeLeakWarningTest.aScopeThatHoldsTooManyTensorsIsReported"), warning);
        } finally {
            TensorScope.leakTensors = saved;
        }
    }
}
