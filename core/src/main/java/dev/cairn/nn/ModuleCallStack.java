package dev.cairn.nn;

import dev.cairn.tensor.CairnException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The modules being called on the current thread, outermost first, so that an error raised deep in
 * a model can say where it happened ({@code 2.linear} inside the chimera).
 */
final class ModuleCallStack {
    private static final ThreadLocal<List<Module>> STACK = ThreadLocal.withInitial(ArrayList::new);

    private ModuleCallStack() {
    }

    static void push(Module m) {
        STACK.get().add(m);
    }

    static void pop() {
        List<Module> s = STACK.get();
        s.remove(s.size() - 1);
    }

    /** Attaches the path of the innermost module being called to {@code e} (kept if already set). */
    static void attachLocation(CairnException e) {
        if (e.modulePath() != null) {
            return;
        }
        List<Module> s = STACK.get();
        StringBuilder path = new StringBuilder();
        for (int i = 1; i < s.size(); i++) {
            String name = nameIn(s.get(i - 1), s.get(i));
            if (!path.isEmpty()) {
                path.append('.');
            }
            path.append(name);
        }
        e.attachModule(path.toString(), s.get(s.size() - 1).getName());
    }

    /** The (possibly dotted) name of {@code child} inside {@code parent}, or "?" when called from outside its tree. */
    private static String nameIn(Module parent, Module child) {
        for (Map.Entry<String, Module> e : parent.namedChildren().entrySet()) {
            if (e.getValue() == child) {
                return e.getKey();
            }
        }
        for (Map.Entry<String, Module> e : parent.namedModules().entrySet()) {
            if (e.getValue() == child && !e.getKey().isEmpty()) {
                return e.getKey();
            }
        }
        return "?" + child.getName();
    }
}
