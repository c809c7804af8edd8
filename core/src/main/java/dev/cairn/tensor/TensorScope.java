package dev.cairn.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Closes the tensors made on this thread while it is open, except those passed to {@link #keep}:
 * {@code try (var scope = TensorScope.open()) { return scope.keep(model.forward(x)); }}.
 * Scopes nest; a kept tensor moves to the enclosing scope, if any.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<Deque<TensorScope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final List<Tensor> made = new ArrayList<>(32);
    /** Made lazily: most scopes keep one tensor or none. */
    private Set<Tensor> kept;
    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private TensorScope() {
    }

    /** Opens a scope on the current thread. */
    public static TensorScope open() {
        TensorScope s = new TensorScope();
        OPEN.get().push(s);
        return s;
    }

    /** Called for each new tensor: registers it with the innermost open scope of this thread. */
    static void register(Tensor t) {
        Deque<TensorScope> open = OPEN.get();
        TensorScope s = open.peek();
        if (s != null) {
            s.made.add(t);
        }
    }

    /**
     * Exempts {@code tensor} from every scope, and returns it: for tensors that outlive any scope they
     * happen to be made in, such as parameters, buffers, gradients and optimizer state.
     */
    public static <T extends Tensor> T forget(T tensor) {
        tensor.exemptFromScopes();
        return tensor;
    }

    /** Excludes {@code tensor} from closing by this scope, and returns it. */
    public <T extends Tensor> T keep(T tensor) {
        if (kept == null) {
            kept = identitySet();
        }
        kept.add(tensor);
        return tensor;
    }

    private static Set<Tensor> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }

    private static boolean in(Set<Tensor> set, Tensor t) {
        return set != null && set.contains(t);
    }

    /** Number of tensors this scope will close. */
    public int size() {
        int n = 0;
        for (Tensor t : made) {
            if (!in(kept, t) && !t.isExemptFromScopes()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a TensorScope must be closed by the thread that opened it");
        }
        Deque<TensorScope> open = OPEN.get();
        // scopes nest: closing this one first closes any still open inside it, so what they keep lands here
        while (open.peek() != null && open.peek() != this) {
            open.peek().close();
        }
        closed = true;
        open.remove(this);
        TensorScope parent = open.peek();
        for (Tensor t : made) {
            if (t.isExemptFromScopes()) {
                continue;
            }
            if (in(kept, t)) {
                if (parent != null) {
                    parent.made.add(t);
                }
            } else {
                t.close();
            }
        }
        made.clear();
    }
}
