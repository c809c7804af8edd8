package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import java.util.Map;
import java.util.Set;

/**
 * Modules by name, like {@code torch.nn.ModuleDict}: each entry is registered as a child under its key
 * (so its parameters appear under {@code gates.mix.weight}), in insertion order. It has no forward of
 * its own: the parent looks entries up. Keys must be non-empty and contain no '.' or whitespace. Fill it
 * in the constructor of the owning module; like every module it may then be used from several threads
 * for inference.
 */
public class ModuleDict extends Module {
    public ModuleDict() {
    }

    /** A dict holding {@code modules} in their iteration order (use a {@code LinkedHashMap} or {@code Map.of} order you want). */
    public ModuleDict(Map<String, ? extends Module> modules) {
        modules.forEach(this::put);
    }

    /** Adds {@code module} under {@code key} and returns this dict; an error if the key is taken. */
    public ModuleDict put(String key, Module module) {
        register(key, module);
        return this;
    }

    /** The module under {@code key}; an error naming the keys there are when absent. */
    public Module get(String key) {
        Module m = namedChildren().get(key);
        if (m == null) {
            throw new CairnException("ModuleDict has no key '" + key + "' (keys: " + keys() + ")");
        }
        return m;
    }

    /** The module under {@code key} as a {@code type}: {@code gates.get("mix", Linear.class)}. */
    public <M extends Module> M get(String key, Class<M> type) {
        Module m = get(key);
        if (!type.isInstance(m)) {
            throw new CairnException("ModuleDict key '" + key + "' holds a " + m.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(m);
    }

    public boolean containsKey(String key) {
        return namedChildren().containsKey(key);
    }

    /** The keys in insertion order. */
    public Set<String> keys() {
        return namedChildren().keySet();
    }

    /** The entries in insertion order (unmodifiable). */
    public Map<String, Module> asMap() {
        return namedChildren();
    }

    public int size() {
        return namedChildren().size();
    }

    /** A ModuleDict has no forward, as in PyTorch: look its modules up in the parent's forward. */
    @Override
    public Tensor forward(Tensor input) {
        throw new CairnException("ModuleDict has no forward: call its modules from the parent's forward (dict.get(key).call(x))");
    }
}
