package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;
import dev.cairn.autograd.GradMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A block of a model, as {@code torch.nn.Module}: it holds ordered registries of child modules,
 * parameters and buffers, and computes its output in {@link #forward}. Registration is explicit and
 * returns what it registered, so fields read naturally:
 * {@code Linear hidden = register("hidden", new Linear(20, 256));}.
 *
 * <p>Run a module with {@link #call} (PyTorch's {@code module(x)}): it runs {@code forward} and, when
 * something goes wrong inside, names the module path where it happened. {@code forward} may hold any
 * Java control flow and may call one child several times (its parameters are then shared).
 *
 * <p>Thread safety. A module used for inference may be shared between threads: concurrent
 * {@link #call}s are safe (each builds its own tensors). Registries should be filled in the constructor
 * and not changed while other threads run it. {@link #loadStateDict} may replace the weights of a model
 * that other threads are running: a {@link #call} from outside any other module call (the outermost call,
 * {@code model.call(x)}) holds this module's read lock for its whole forward, and {@code loadStateDict}
 * on the same module holds its write lock, so each such forward sees either all of the old values or all
 * of the new ones; the load waits for forwards in flight, and forwards wait for the load. This covers
 * forwards and loads through the same module object only: calling a child directly, calling
 * {@link #forward} instead of {@code call}, {@link #to}, optimizer steps and other in-place writes are
 * not ordered against forwards. For those, or to never make a request wait, load into a second instance
 * of the model and swap the reference the serving threads read (an {@code AtomicReference<Module>}),
 * then drop the old model once its last forward has returned.
 */
public abstract class Module {
    private static final Pattern NAME = Pattern.compile("[^.\\s]+");

    private final Map<String, Module> children = new LinkedHashMap<>();
    /** {@link #children()}'s list, made once per change of the children rather than on every forward call. */
    private volatile List<Module> childList;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Buffer> buffers = new LinkedHashMap<>();
    private boolean training = true;

    /** Computes the module's output. Implement it; run modules with {@link #call}. */
    public abstract Tensor forward(Tensor input);

    /**
     * Orders outermost {@link #call}s (readers) against {@link #loadStateDict} (the writer) on this module,
     * so a forward never mixes old and new weights. Not fair: readers do not queue behind each other.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock weightsGuard =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    /**
     * Runs {@link #forward}; an error raised inside names the path of the module where it happened. The
     * outermost call on a thread holds this module's read lock, so a concurrent {@link #loadStateDict} on
     * this module happens entirely before or entirely after the forward.
     */
    public final Tensor call(Tensor input) {
        List<Module> stack = ModuleCallStack.push(this);
        boolean outermost = stack.size() == 1;
        boolean locked = false;
        try {
            if (outermost) {
                weightsGuard.readLock().lock();
                locked = true;
            }
            return listening == 0 ? forward(input) : forwardListened(input);
        } catch (CairnException e) {
            ModuleCallStack.attachLocation(e);
            throw e;
        } finally {
            ModuleCallStack.pop(stack);
            if (locked) {
                weightsGuard.readLock().unlock();
            }
        }
    }

    /**
     * Runs a forward that takes several tensors: {@code forward(inputs)} through the same path as
     * {@link #call(Tensor)}, so an error names the module path. With one tensor it is {@code call(input)}.
     */
    public final Tensor call(Tensor... inputs) {
        Objects.requireNonNull(inputs, "inputs");
        if (inputs.length == 1) {
            return call(inputs[0]);
        }
        return invoke(inputs.length == 0 ? null : inputs[0], () -> forward(inputs));
    }

    /**
     * Computes the output from several tensors; override it in a module whose forward takes more than
     * one (and run it with {@link #call(Tensor...)}). By default one tensor goes to {@link #forward(Tensor)}
     * and any other count is an error naming this module.
     */
    public Tensor forward(Tensor... inputs) {
        if (inputs.length == 1) {
            return forward(inputs[0]);
        }
        throw new CairnException(getName() + ".forward takes 1 tensor, got " + inputs.length);
    }

    /**
     * Runs {@code forward} as a call of this module: the way a module whose forward takes options or
     * returns more than one tensor exposes its own typed {@code call} method, for example
     * <pre>{@code public Output call(Tensor query, Tensor key, Tensor value, Options o) {
     *     return invoke(query, () -> forward(query, key, value, o));
     * }}</pre>
     * An error raised inside names this module's path, and a {@link CallListener} sees the call with
     * {@code primaryInput} as its input and the result as its output when it is a tensor (else null).
     * Such a module's {@code forward(Tensor)}, if it has one, should compute directly rather than go
     * through its typed {@code call} (which would enter the module a second time).
     */
    protected final <R> R invoke(Tensor primaryInput, Supplier<R> forward) {
        List<Module> stack = ModuleCallStack.push(this);
        try {
            CallListener l = listening == 0 ? null : LISTENER.get();
            if (l == null) {
                return forward.get();
            }
            l.enter(this, primaryInput);
            R out = forward.get();
            l.exit(this, primaryInput, out instanceof Tensor t ? t : null);
            return out;
        } catch (CairnException e) {
            ModuleCallStack.attachLocation(e);
            throw e;
        } finally {
            ModuleCallStack.pop(stack);
        }
    }

    // ---- call listeners -------------------------------------------------------------------

    private static final ThreadLocal<CallListener> LISTENER = new ThreadLocal<>();
    /** How many threads have a listener installed; {@link #call} looks no further while it is 0. */
    private static volatile int listening;

    private Tensor forwardListened(Tensor input) {
        CallListener l = LISTENER.get();
        if (l == null) {
            return forward(input);
        }
        l.enter(this, input);
        Tensor out = forward(input);
        l.exit(this, input, out);
        return out;
    }

    /** Whether a {@link CallListener} is installed on this thread (then fused shortcuts that skip {@link #call} are off). */
    static boolean callsListened() {
        return listening != 0 && LISTENER.get() != null;
    }

    /**
     * Installs {@code listener} for every {@link #call} on this thread until the returned scope is
     * closed (a listener already installed is suspended meanwhile). Use try-with-resources.
     */
    public static ListenerScope listenCalls(CallListener listener) {
        Objects.requireNonNull(listener, "listener");
        CallListener previous = LISTENER.get();
        LISTENER.set(listener);
        if (previous == null) {
            changeListening(1);
        }
        return new ListenerScope(previous);
    }

    private static synchronized void changeListening(int delta) {
        listening += delta;
    }

    /** Uninstalls a listener installed by {@link #listenCalls}, restoring the one before it. */
    public static final class ListenerScope implements AutoCloseable {
        private final CallListener previous;
        private final Thread thread = Thread.currentThread();
        private boolean closed;

        private ListenerScope(CallListener previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != thread) {
                throw new CairnException("a call listener must be removed on the thread that installed it");
            }
            closed = true;
            if (previous == null) {
                LISTENER.remove();
                changeListening(-1);
            } else {
                LISTENER.set(previous);
            }
        }
    }

    // ---- registration ---------------------------------------------------------------------

    private void checkName(String kind, String name) {
        Objects.requireNonNull(name, kind + " name");
        if (!NAME.matcher(name).matches()) {
            throw new CairnException("invalid " + kind + " name '" + name + "' in " + getName()
                    + ": it must be non-empty and contain no '.' or whitespace");
        }
        if (children.containsKey(name) || parameters.containsKey(name) || buffers.containsKey(name)) {
            throw new CairnException(getName() + " already has an attribute named '" + name + "'");
        }
    }

    /** Adds {@code module} as a child named {@code name} (PyTorch's {@code register_module}) and returns it. */
    protected <M extends Module> M register(String name, M module) {
        checkName("module", name);
        children.put(name, Objects.requireNonNull(module, "module"));
        childList = null;
        return module;
    }

    /** Adds a parameter (a tensor that requires grad) named {@code name} and returns it. */
    protected Parameter registerParameter(String name, Tensor value) {
        checkName("parameter", name);
        Parameter p = value instanceof Parameter existing ? existing : new Parameter(value);
        parameters.put(name, p);
        return p;
    }

    /** Adds a buffer (state that is saved and moved but never trained) named {@code name} and returns it. */
    protected Buffer registerBuffer(String name, Tensor value) {
        checkName("buffer", name);
        Buffer b = value instanceof Buffer existing ? existing : new Buffer(value);
        buffers.put(name, b);
        return b;
    }

    // ---- traversal ------------------------------------------------------------------------

    /** The direct children in registration order. */
    public List<Module> children() {
        List<Module> c = childList;
        if (c == null) {
            c = List.copyOf(children.values());
            childList = c;
        }
        return c;
    }

    /** The direct children by name, in registration order. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** The child registered under {@code name}; an error naming the known children when absent. */
    public Module child(String name) {
        Module m = children.get(name);
        if (m == null) {
            throw new CairnException(getName() + " has no child '" + name + "' (children: " + children.keySet() + ")");
        }
        return m;
    }

    /**
     * The descendant at dotted {@code path} ({@code "encoder.layers.0.self_attn"}), like PyTorch's
     * {@code get_submodule}; {@code ""} is this module. An error names the part of the path that is
     * missing and the children that exist there.
     */
    public Module getSubmodule(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty()) {
            return this;
        }
        Module m = this;
        String at = "";
        for (String part : path.split("\\.", -1)) {
            Module next = m.children.get(part);
            if (next == null) {
                String what = m.parameters.containsKey(part) ? " ('" + part + "' is a parameter, not a module)"
                        : m.buffers.containsKey(part) ? " ('" + part + "' is a buffer, not a module)"
                        : " (children: " + m.children.keySet() + ")";
                throw new CairnException(getName() + " has no submodule '" + path + "': "
                        + (at.isEmpty() ? getName() : "'" + at + "' (" + m.getName() + ")")
                        + " has no child '" + part + "'" + what);
            }
            at = at.isEmpty() ? part : at + "." + part;
            m = next;
        }
        return m;
    }

    /**
     * The descendant at {@code path} as a {@code type}, without a cast:
     * {@code model.getSubmodule("head", Linear.class).weight}. An error naming both classes when it is
     * of another type.
     */
    public <M extends Module> M getSubmodule(String path, Class<M> type) {
        Module m = getSubmodule(path);
        if (!type.isInstance(m)) {
            throw new CairnException("submodule '" + path + "' of " + getName() + " is a " + m.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(m);
    }

    /** This module (key "") and every descendant by dotted path, each module once, depth first. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", this, out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static void collectModules(String prefix, Module m, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(m)) {
            return;
        }
        out.put(prefix, m);
        for (Map.Entry<String, Module> e : m.children.entrySet()) {
            collectModules(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out, seen);
        }
    }

    /** Every parameter of the tree by dotted name, each parameter object once (shared ones under their first name). */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, Module> e : namedModules().entrySet()) {
            String prefix = e.getKey().isEmpty() ? "" : e.getKey() + ".";
            for (Map.Entry<String, Parameter> p : e.getValue().parameters.entrySet()) {
                if (seen.add(p.getValue())) {
                    out.put(prefix + p.getKey(), p.getValue());
                }
            }
        }
        return out;
    }

    /** Every parameter of the tree, each once. */
    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer of the tree by dotted name, each once. */
    public Map<String, Buffer> namedBuffers() {
        Map<String, Buffer> out = new LinkedHashMap<>();
        Set<Buffer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, Module> e : namedModules().entrySet()) {
            String prefix = e.getKey().isEmpty() ? "" : e.getKey() + ".";
            for (Map.Entry<String, Buffer> b : e.getValue().buffers.entrySet()) {
                if (seen.add(b.getValue())) {
                    out.put(prefix + b.getKey(), b.getValue());
                }
            }
        }
        return out;
    }

    /** This module's own parameters (not its children's), by name. */
    public Map<String, Parameter> ownParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** This module's own buffers, by name. */
    public Map<String, Buffer> ownBuffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Calls {@code fn} on every module of the tree, children first, then this one (PyTorch's {@code apply}). */
    public Module apply(Consumer<Module> fn) {
        for (Module c : children.values()) {
            c.apply(fn);
        }
        fn.accept(this);
        return this;
    }

    // ---- state dict -----------------------------------------------------------------------

    /**
     * Parameters and buffers by PyTorch's key names ({@code net.0.weight}), in PyTorch's order; a module
     * reached twice (tied layers) appears under each of its paths. Values share memory with the module.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
            out.put(prefix + p.getKey(), p.getValue());
        }
        for (Map.Entry<String, Buffer> b : buffers.entrySet()) {
            out.put(prefix + b.getKey(), b.getValue());
        }
        for (Map.Entry<String, Module> c : children.entrySet()) {
            c.getValue().collectState(prefix + c.getKey() + ".", out);
        }
    }

    /**
     * How to fix keys that do not match: a prefix that one side has and the other lacks (PyTorch's
     * {@code DataParallel} adds {@code module.}), else where the module's key names come from.
     */
    private static String keyHint(List<String> missing, List<String> unexpected) {
        for (String m : missing) {
            for (String u : unexpected) {
                if (u.endsWith("." + m)) {
                    return "hint: the state dict's keys have the extra prefix '" + u.substring(0, u.length() - m.length())
                            + "' (e.g. '" + u + "' for '" + m + "'); remove it from the keys before loading";
                }
                if (m.endsWith("." + u)) {
                    return "hint: this module's keys have the prefix '" + m.substring(0, m.length() - u.length())
                            + "' that the state dict lacks (e.g. '" + m + "' for '" + u + "'); load into the submodule"
                            + " at that path, or add the prefix to the keys";
                }
            }
        }
        return "hint: a module's keys are the names given to register(...) and registerParameter/registerBuffer,"
                + " joined by '.'; name them as the PyTorch module's attributes, rename the keys, or pass"
                + " strict=false to load only the keys that match";
    }

    /**
     * Copies values from {@code state} into this module's parameters and buffers, as PyTorch's
     * {@code load_state_dict}. Everything is checked before anything is copied, so a failed load changes
     * nothing. A shape mismatch is always an error naming the key and both shapes; with {@code strict}
     * missing or unexpected keys are errors too, otherwise they are returned. An uninitialised parameter
     * of a lazy module ({@link LazyLinear}) takes the shape of its state-dict entry (its known sizes
     * must match) and is created on the device the module was moved to, else the CPU.
     *
     * <p>Safe while other threads run this module through {@link #call}: see the class comment. Calling it
     * from inside a forward of this same module is an error.
     */
    public LoadResult loadStateDict(Map<String, ? extends Tensor> state, boolean strict) {
        if (weightsGuard.getReadHoldCount() > 0 || ModuleCallStack.contains(this)) {
            throw new CairnException("loadStateDict on " + getName() + " cannot run inside a forward of the same"
                    + " module (it would wait for that forward to end); load before or after calling it");
        }
        weightsGuard.writeLock().lock();
        try {
            return loadStateDictLocked(state, strict);
        } finally {
            weightsGuard.writeLock().unlock();
        }
    }

    private LoadResult loadStateDictLocked(Map<String, ? extends Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        Map<Parameter, int[]> lazyShapes = new IdentityHashMap<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (e.getValue() instanceof Parameter p && !p.isInitialized()) {
                // a lazy module's parameter takes its shape from the state dict, as in PyTorch
                int[] earlier = lazyShapes.putIfAbsent(p, src.shape());
                if (!p.acceptsShape(src.shape()) || (earlier != null && !Arrays.equals(earlier, src.shape()))) {
                    mismatched.add("size mismatch for " + e.getKey() + ": copying a tensor of shape "
                            + Shapes.format(src.shape()) + " from the state dict, the uninitialised parameter in the"
                            + " current model has shape " + p.formatPartialShape()
                            + (earlier != null ? " and was given shape " + Shapes.format(earlier) + " under another key" : ""));
                }
            } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add("size mismatch for " + e.getKey() + ": copying a tensor of shape "
                        + Shapes.format(src.shape()) + " from the state dict, the shape in the current model is "
                        + Shapes.format(e.getValue().shape()));
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        List<String> problems = new ArrayList<>(mismatched);
        if (strict && !missing.isEmpty()) {
            problems.add("missing key(s) in state_dict: " + quoted(missing));
        }
        if (strict && !unexpected.isEmpty()) {
            problems.add("unexpected key(s) in state_dict: " + quoted(unexpected));
        }
        if (!problems.isEmpty()) {
            String msg = "error(s) in loading state_dict for " + getName() + ":\n\t" + String.join("\n\t", problems);
            if (strict && !missing.isEmpty() && !unexpected.isEmpty()) {
                msg += "\n\t" + keyHint(missing, unexpected);
            }
            throw mismatched.isEmpty() ? new CairnException(msg) : new ShapeException(msg);
        }
        // check every source before changing anything: a closed source or an unusable device fails here,
        // naming its key; then keys are moved and copied one at a time, so device memory holds at most one
        // extra tensor (a device error while copying, such as running out of memory, can leave earlier keys
        // loaded)
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                continue;
            }
            try {
                if (src.isClosed()) {
                    throw new CairnException("the tensor has been closed");
                }
                dev.cairn.tensor.Devices.check(targetDevice(e.getValue()));
            } catch (CairnException ex) {
                throw new CairnException("error loading state_dict key '" + e.getKey() + "' into " + getName()
                        + ": " + ex.getMessage(), ex);
            }
        }
        try (var g = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src == null) {
                    continue;
                }
                Tensor dst = e.getValue();
                Device where = targetDevice(dst);
                boolean sameDevice = src.device().equals(where);
                Tensor value = sameDevice ? src : src.to(where);
                try {
                    if (dst instanceof Parameter p && !p.isInitialized()) {
                        p.initialize(value.copy());
                    } else if (dst instanceof Parameter p && !p.isWritableInPlace()) {
                        p.setData(value.copy());
                    } else if (dst instanceof Buffer b && !b.isWritableInPlace()) {
                        b.setData(value.copy());
                    } else {
                        dst.copyFrom(value);
                    }
                } finally {
                    if (!sameDevice) { // only a copy made here; a Parameter's own tensor is never closed
                        value.close();
                    }
                }
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    /** Where a state-dict value for {@code dst} must go: its device, or for a lazy parameter the pending one. */
    private static Device targetDevice(Tensor dst) {
        if (dst instanceof Parameter p && !p.isInitialized()) {
            return p.pendingDevice() != null ? p.pendingDevice() : Device.cpu();
        }
        return dst.device();
    }

    private static String quoted(List<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append('"').append(k).append('"');
        }
        return sb.append('.').toString();
    }

    // ---- devices, modes, gradients --------------------------------------------------------

    /** Moves every parameter and buffer to {@code device} (identities stay), and returns this module. */
    public Module to(Device device) {
        for (Parameter p : parameters()) {
            if (!p.isInitialized()) {
                p.setPendingDevice(device); // a lazy module's parameter: created there when a state dict is loaded
            } else if (!p.device().equals(device)) {
                Tensor grad = p.grad();
                p.setData(p.data().to(device));
                if (grad != null) {
                    p.setGrad(grad.to(device)); // gradients move with their parameter, as in PyTorch
                }
            }
        }
        for (Buffer b : namedBuffers().values()) {
            if (!b.device().equals(device)) {
                b.setData(b.data().to(device));
            }
        }
        return this;
    }

    /**
     * Lets a container run this module and {@code next} (the module after it) as one fused step: returns a
     * function computing {@code next(this(x))} in one pass, or null (the default) when this module does not
     * fuse with {@code next}. {@link Sequential} asks each child; {@link Linear} fuses a following
     * {@link ReLU} into its GEMM's output pass. A fused step reports errors under this module's path.
     */
    protected java.util.function.UnaryOperator<Tensor> fusedWith(Module next) {
        return null;
    }

    /** Sets training mode on this module and every descendant. */
    public Module train() {
        return train(true);
    }

    public Module train(boolean mode) {
        for (Module m : namedModules().values()) {
            m.training = mode;
        }
        return this;
    }

    /** Sets evaluation mode (inference) on the whole tree. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Clears the gradient of every parameter. */
    public void zeroGrad() {
        for (Parameter p : parameters()) {
            if (p.isInitialized()) {
                p.setGrad(null);
            }
        }
    }

    // ---- printing -------------------------------------------------------------------------

    /** The name printed for this module: the class's simple name unless overridden (PyTorch's {@code _get_name}). */
    public String getName() {
        String n = getClass().getSimpleName();
        return n.isEmpty() ? "Module" : n;
    }

    /** Extra text shown inside the parentheses, e.g. {@code in_features=20, out_features=256, bias=True}. */
    public String extraRepr() {
        return "";
    }

    /** The structure in PyTorch's {@code print(model)} format. */
    @Override
    public String toString() {
        List<String> extra = extraRepr().isEmpty() ? List.of() : Arrays.asList(extraRepr().split("\n"));
        List<String> childLines = new ArrayList<>();
        for (Map.Entry<String, Module> e : children.entrySet()) {
            String s = e.getValue().toString().replace("\n", "\n  ");
            childLines.add("(" + e.getKey() + "): " + s);
        }
        StringBuilder sb = new StringBuilder(getName()).append('(');
        if (!extra.isEmpty() || !childLines.isEmpty()) {
            if (extra.size() == 1 && childLines.isEmpty()) {
                sb.append(extra.get(0));
            } else {
                List<String> lines = new ArrayList<>(extra);
                lines.addAll(childLines);
                sb.append("\n  ").append(String.join("\n  ", lines)).append('\n');
            }
        }
        return sb.append(')').toString();
    }
}
