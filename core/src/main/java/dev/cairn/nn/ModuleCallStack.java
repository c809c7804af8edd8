package dev.cairn.nn;

import dev.cairn.CairnException;
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

    /** Enters {@code m}; returns this thread's stack for the matching {@link #pop(List)} (one lookup per call). */
    static List<Module> push(Module m) {
        List<Module> s = STACK.get();
        s.add(m);
        return s;
    }

    /** Leaves the module last pushed onto {@code stack} (what {@link #push} returned on this thread). */
    static void pop(List<Module> stack) {
        stack.remove(stack.size() - 1);
    }

    /** Attaches the path of the innermost module being called to {@code e} (kept if already set). */
    static void attachLocation(CairnException e) {
        if (e.modulePath() != null) {
            return;
        }
        List<Module> s = STACK.get();
        e.attachModule(path(), s.get(s.size() - 1).getName());
    }

    /** The dotted path of the innermost module being called, relative to the outermost ({@code ""} for it). */
    static String path() {
        return path(0);
    }

    /** The dotted path of the innermost module being called, relative to the one at depth {@code from} (0: outermost). */
    static String path(int from) {
        List<Module> s = STACK.get();
        StringBuilder path = new StringBuilder();
        for (int i = from + 1; i < s.size(); i++) {
            String name = nameIn(s.get(i - 1), s.get(i));
            if (!path.isEmpty()) {
                path.append('.');
            }
            path.append(name);
        }
        return path.toString();
    }

    /** Whether {@code m} is being called on this thread (at any depth). */
    static boolean contains(Module m) {
        for (Module x : STACK.get()) {
            if (x == m) {
                return true;
            }
        }
        return false;
    }

    /** How many modules are being called on this thread. */
    static int depth() {
        return STACK.get().size();
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
