package dev.cairn.nn;

import dev.cairn.tensor.Tensor;

/**
 * Sees every {@link Module#call} on the thread it was installed on with {@link Module#listenCalls}:
 * a forward hook for the whole thread, like PyTorch's global module forward hooks. {@link Summary}
 * uses it to record each module's output shape. A listener must not change the tensors it is given.
 */
@FunctionalInterface
public interface CallListener {
    /** Called when {@code module}'s forward is about to run (the module is already on the call stack). */
    default void enter(Module module, Tensor input) {
    }

    /**
     * Called when {@code module}'s forward has returned {@code output} (not called when it throws);
     * {@code output} is null when the forward returned something other than one tensor.
     */
    void exit(Module module, Tensor input, Tensor output);
}
