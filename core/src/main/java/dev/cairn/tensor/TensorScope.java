package dev.cairn.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Closes the tensors made on this thread while it is open, except those passed to {@link #keep}:
 * {@code try (var scope = TensorScope.open()) { return scope.keep(model.forward(x)); }}.
 * Scopes nest; a kept tensor moves to the enclosing scope, if any.
 *
 * <p>A scope belongs to the thread that opened it: tensors made on other threads are not in it, and
 * only that thread may close it. Always open scopes in try-with-resources: a scope that is never closed
 * keeps every tensor made inside it alive. Such a leak is reported once per process, as a warning
 * naming where the scope was opened, when {@value #LEAK_DEPTH_DEFAULT} scopes are open at once on one thread
 * (a loop that opens a scope per pass and forgets to close it) or when one scope holds
 * {@value #LEAK_TENSORS_DEFAULT} tensors (the thresholds are the system properties
 * {@code cairn.scope.leakDepth} and {@code cairn.scope.leakTensors}). With
 * {@code -Dcairn.scope.trace=true} every scope records the stack that opened it (a cost per scope, for
 * debugging), and the warning names the outermost scope still open.
 */
public final class TensorScope implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TensorScope.class);
    private static final ThreadLocal<Open> OPEN = ThreadLocal.withInitial(Open::new);
    /** No legitimate code nests this many scopes; a loop that forgets close() reaches it within 64 passes. */
    private static final int LEAK_DEPTH_DEFAULT = 64;
    private static final int LEAK_TENSORS_DEFAULT = 1_000_000;
    /** Thresholds of the leak warnings (not final so that tests can lower them). */
    static int leakDepth = Integer.getInteger("cairn.scope.leakDepth", LEAK_DEPTH_DEFAULT);
    static int leakTensors = Integer.getInteger("cairn.scope.leakTensors", LEAK_TENSORS_DEFAULT);
    private static final boolean TRACE = Boolean.getBoolean("cairn.scope.trace");
    /** The leak warnings given, once per process for each kind: [0] too many open scopes, [1] too many tensors. */
    private static final java.util.concurrent.atomic.AtomicReferenceArray<String> LEAK_WARNINGS =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(2);

    /** The tensors made while this scope was the innermost, {@code made[0..count)}; dropped when it closes. */
    private Tensor[] made = new Tensor[32];
    private int count;
    /** Made lazily: most scopes keep one tensor or none. */
    private Set<Tensor> kept;
    private final Thread owner = Thread.currentThread();
    private boolean closed;
    /** Where this scope was opened, with {@code -Dcairn.scope.trace=true} only. */
    private final Throwable openedAt;

    private TensorScope() {
        openedAt = TRACE ? new Throwable("TensorScope opened here") : null;
    }

    /** Opens a scope on the current thread. */
    public static TensorScope open() {
        TensorScope s = new TensorScope();
        Open o = OPEN.get();
        Deque<TensorScope> open = o.stack;
        open.push(s);
        o.innermost = s;
        if (open.size() == leakDepth) {
            warnLeak(0, leakDepth + " TensorScopes are open at once on thread '" + Thread.currentThread().getName()
                    + "': a scope that is never closed keeps every tensor made inside it alive. The latest was opened "
                    + "at " + caller() + outermost(open) + "; open scopes with try-with-resources");
        }
        return s;
    }

    /** Called for each new tensor: registers it with the innermost open scope of this thread. */
    static void register(Tensor t) {
        TensorScope s = OPEN.get().innermost;
        if (s != null) {
            s.add(t);
            if (s.count == leakTensors) {
                warnLeak(1, "a TensorScope on thread '" + Thread.currentThread().getName() + "' holds " + leakTensors
                        + " tensors, which stay alive until it closes; the latest was made at " + caller()
                        + (s.openedAt == null ? "; run with -Dcairn.scope.trace=true to learn where the scope was opened"
                                : ", the scope was opened at " + openerOf(s))
                        + ". Close a scope per pass of a loop, or keep() only what must outlive it");
            }
        }
    }

    private void add(Tensor t) {
        if (count == made.length) {
            made = Arrays.copyOf(made, Math.max(16, count * 2));
        }
        made[count++] = t;
    }

    /** The first stack frame outside Cairn's tensor, autograd and nn code: the user's code that opened or made. */
    private static String caller() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> !isCairn(f.getDeclaringClass()))
                .findFirst().map(StackWalker.StackFrame::toStackTraceElement).map(String::valueOf)
                .orElse("(unknown)"));
    }

    /** Whether {@code c} is Cairn's own library code (core, or a backend), not the user's. */
    private static boolean isCairn(Class<?> c) {
        return c.getName().startsWith("dev.cairn.backend.") || sameCodeSource(c, Tensor.class);
    }

    /** {@link #isCairn(Class)} for a class known by name (a stack trace element's). */
    private static boolean isCairn(String className) {
        if (!className.startsWith("dev.cairn.")) {
            return false;
        }
        try {
            return isCairn(Class.forName(className, false, Tensor.class.getClassLoader()));
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static boolean sameCodeSource(Class<?> a, Class<?> b) {
        var ca = a.getProtectionDomain().getCodeSource();
        var cb = b.getProtectionDomain().getCodeSource();
        return ca != null && cb != null && java.util.Objects.equals(ca.getLocation(), cb.getLocation());
    }

    private static String outermost(Deque<TensorScope> open) {
        TensorScope first = open.peekLast();
        return first.openedAt == null ? " (run with -Dcairn.scope.trace=true to record where each scope is opened)"
                : "; the outermost still open was opened at " + openerOf(first);
    }

    private static String openerOf(TensorScope s) {
        for (StackTraceElement e : s.openedAt.getStackTrace()) {
            if (!isCairn(e.getClassName())) {
                return e.toString();
            }
        }
        return "(unknown)";
    }

    private static void warnLeak(int kind, String message) {
        if (LEAK_WARNINGS.compareAndSet(kind, null, message)) {
            LOG.warn(message);
        }
    }

    /**
     * The leak warning this process has given for too many open scopes ({@code kind} 0) or too many tensors
     * in one scope (1), or null (for tests and diagnostics).
     */
    static String leakWarning(int kind) {
        return LEAK_WARNINGS.get(kind);
    }

    /** Forgets the warnings given, so the next leak is reported again (for tests). */
    static void resetLeakWarnings() {
        LEAK_WARNINGS.set(0, null);
        LEAK_WARNINGS.set(1, null);
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
        for (int i = 0; i < count; i++) {
            Tensor t = made[i];
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
        Open o = OPEN.get();
        Deque<TensorScope> open = o.stack;
        // scopes nest: closing this one first closes any still open inside it, so what they keep lands here
        while (open.peek() != null && open.peek() != this) {
            open.peek().close();
        }
        closed = true;
        open.remove(this);
        TensorScope parent = open.peek();
        o.innermost = parent;
        Tensor[] mine = made;
        int n = count;
        made = NONE;
        count = 0;
        for (int i = 0; i < n; i++) {
            Tensor t = mine[i];
            if (t.isExemptFromScopes()) {
                continue;
            }
            if (in(kept, t)) {
                if (parent != null) {
                    parent.add(t);
                }
            } else {
                t.close();
            }
        }
    }

    private static final Tensor[] NONE = new Tensor[0];

    /**
     * The scopes open on one thread, innermost first, with the innermost also in a field: what
     * {@link #register} reads for every new tensor.
     */
    private static final class Open {
        final ArrayDeque<TensorScope> stack = new ArrayDeque<>();
        TensorScope innermost;
    }
}
