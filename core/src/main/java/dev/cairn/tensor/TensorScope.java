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

    private final List<Tensor> made = new ArrayList<>();
    private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Tensor> forgotten = Collections.newSetFromMap(new IdentityHashMap<>());
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
     * Takes {@code tensor} out of every scope open on this thread, and returns it: for tensors that
     * outlive any scope they happen to be made in, such as parameters, buffers and gradients.
     */
    public static <T extends Tensor> T forget(T tensor) {
        Deque<TensorScope> open = OPEN.get();
        if (!open.isEmpty()) {
            for (TensorScope s : open) {
                s.forgotten.add(tensor);
            }
        }
        return tensor;
    }

    /** Excludes {@code tensor} from closing by this scope, and returns it. */
    public <T extends Tensor> T keep(T tensor) {
        kept.add(tensor);
        return tensor;
    }

    /** Number of tensors this scope will close. */
    public int size() {
        int n = 0;
        for (Tensor t : made) {
            if (!kept.contains(t) && !forgotten.contains(t)) {
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
        closed = true;
        Deque<TensorScope> open = OPEN.get();
        open.remove(this);
        TensorScope parent = open.peek();
        for (Tensor t : made) {
            if (forgotten.contains(t)) {
                continue;
            }
            if (kept.contains(t)) {
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
