package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A list of modules, like {@code torch.nn.ModuleList}: its entries are registered as children
 * {@code "0"}, {@code "1"}, ... (so their parameters appear under {@code branches.0.weight}, are moved by
 * {@link #to} and are seen by optimizers), but it has no forward of its own: the parent iterates it.
 * Fill it in the constructor of the owning module; like every module it may then be used from several
 * threads for inference.
 */
public class ModuleList extends Module implements Iterable<Module> {
    private final List<Module> items = new ArrayList<>();

    public ModuleList(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    public ModuleList(Iterable<? extends Module> modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code module} under the next index (PyTorch's {@code append}) and returns this list. */
    public ModuleList add(Module module) {
        register(String.valueOf(items.size()), module);
        items.add(module);
        return this;
    }

    /** Appends every module of {@code modules} (PyTorch's {@code extend}) and returns this list. */
    public ModuleList addAll(Iterable<? extends Module> modules) {
        for (Module m : modules) {
            add(m);
        }
        return this;
    }

    /** The module at {@code index} (negative counts from the end), like {@code list[i]}. */
    public Module get(int index) {
        int i = index < 0 ? index + items.size() : index;
        if (i < 0 || i >= items.size()) {
            throw new CairnException("ModuleList index " + index + " is out of range for " + items.size() + " modules");
        }
        return items.get(i);
    }

    /** The module at {@code index} as a {@code type}; an error naming both classes when it is another type. */
    public <M extends Module> M get(int index, Class<M> type) {
        Module m = get(index);
        if (!type.isInstance(m)) {
            throw new CairnException("ModuleList index " + index + " holds a " + m.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(m);
    }

    /** Every entry as a {@code type}, in order, for typed iteration; an error naming the first that is not. */
    public <M extends Module> List<M> asList(Class<M> type) {
        List<M> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(get(i, type));
        }
        return out;
    }

    /** Number of modules. */
    public int size() {
        return items.size();
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    @Override
    public Iterator<Module> iterator() {
        return List.copyOf(items).iterator();
    }

    /** A ModuleList has no forward, as in PyTorch: iterate it in the parent's forward. */
    @Override
    public Tensor forward(Tensor input) {
        throw new CairnException("ModuleList has no forward: call its modules from the parent's forward (for (Module m : list) ...)");
    }
}
