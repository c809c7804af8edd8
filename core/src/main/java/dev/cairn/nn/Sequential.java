package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import java.util.List;

/**
 * Modules run one after another, keyed "0", "1", ... like {@code torch.nn.Sequential}. A
 * A child may fuse with the one after it ({@link Module#fusedWith}): {@link Linear} directly followed by a
 * {@link ReLU} runs as one fused GEMM + bias + ReLU pass.
 */
public class Sequential extends Module {
    private int next;

    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code module} under the next index and returns this Sequential. */
    public Sequential add(Module module) {
        register(String.valueOf(next++), module);
        return this;
    }

    /** The module at {@code index} (negative counts from the end), like {@code net[0]}. */
    public Module get(int index) {
        List<Module> c = children();
        int i = index < 0 ? index + c.size() : index;
        if (i < 0 || i >= c.size()) {
            throw new CairnException("Sequential index " + index + " out of range for " + c.size() + " modules");
        }
        return c.get(i);
    }

    /**
     * The module at {@code index} as a {@code type}, for reaching its fields as D2L does with
     * {@code net[0].weight}: {@code net.get(0, Linear.class).weight}. An error naming both classes
     * when the module is of another type.
     */
    public <M extends Module> M get(int index, Class<M> type) {
        Module m = get(index);
        if (!type.isInstance(m)) {
            throw new CairnException("Sequential index " + index + " holds a " + m.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(m);
    }

    /** Number of modules. */
    public int size() {
        return children().size();
    }

    @Override
    public Tensor forward(Tensor input) {
        List<Module> c = children();
        Tensor x = input;
        for (int i = 0; i < c.size(); i++) {
            Module m = c.get(i);
            java.util.function.UnaryOperator<Tensor> fused =
                    i + 1 < c.size() && !callsListened() ? m.fusedWith(c.get(i + 1)) : null;
            if (fused != null) {
                x = callFused(m, fused, x);
                i++;
            } else {
                x = m.call(x);
            }
        }
        return x;
    }

    private static Tensor callFused(Module first, java.util.function.UnaryOperator<Tensor> fused, Tensor x) {
        java.util.List<Module> stack = ModuleCallStack.push(first);
        try {
            return fused.apply(x);
        } catch (CairnException e) {
            ModuleCallStack.attachLocation(e);
            throw e;
        } finally {
            ModuleCallStack.pop(stack);
        }
    }
}
