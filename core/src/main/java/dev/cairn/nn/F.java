package dev.cairn.nn;

import dev.cairn.tensor.Tensor;
import dev.cairn.tensor.TensorImpl;

/** Functional forms of layers, as {@code torch.nn.functional}: stateless ops on tensors. */
public final class F {
    private F() {
    }

    /** max(x, 0) elementwise. */
    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /** {@code x @ weight^T + bias} ({@code bias} may be null), as one fused GEMM. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return TensorImpl.linear(x, weight, bias, false);
    }

    /** {@code relu(x @ weight^T + bias)} as one GEMM with bias and ReLU fused into its output pass. */
    public static Tensor linearRelu(Tensor x, Tensor weight, Tensor bias) {
        return TensorImpl.linear(x, weight, bias, true);
    }
}
