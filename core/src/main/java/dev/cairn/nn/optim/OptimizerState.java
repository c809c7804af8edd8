package dev.cairn.nn.optim;

import dev.cairn.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of an optimizer, like PyTorch's {@code optimizer.state_dict()} for one parameter group:
 * its class name, its hyper-parameters by PyTorch's names ({@code lr}, {@code beta1}, {@code weight_decay},
 * ... as {@code Double} or {@code Boolean}), and per parameter, in the optimizer's parameter order, the
 * step count and the state tensors ({@code exp_avg}, {@code momentum_buffer}, ...) or null for a
 * parameter that has not been updated yet. Made by {@link Optimizer#stateDict()}, restored with
 * {@link Optimizer#loadStateDict}, written to a file by {@link OptimizerFiles}. The tensors of a state
 * taken from a live optimizer are copies, so it stays valid while training continues.
 */
public record OptimizerState(String optimizer, Map<String, Object> hyperParameters, List<ParamState> params) {
    public OptimizerState {
        hyperParameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperParameters));
        params = Collections.unmodifiableList(new java.util.ArrayList<>(params));
    }

    /** One parameter's state: how many steps updated it and its state tensors by name. */
    public record ParamState(long step, Map<String, Tensor> tensors) {
        public ParamState {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        }
    }

    /** Closes every state tensor (they are copies owned by this snapshot). */
    public void close() {
        for (ParamState p : params) {
            if (p != null) {
                p.tensors().values().forEach(Tensor::close);
            }
        }
    }
}
