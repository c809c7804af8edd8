package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

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
        return Tensor.linear(x, weight, bias);
    }

    /** {@code relu(x @ weight^T + bias)} as one GEMM with bias and ReLU fused into its output pass. */
    public static Tensor linearRelu(Tensor x, Tensor weight, Tensor bias) {
        return Tensor.linearRelu(x, weight, bias);
    }
}
