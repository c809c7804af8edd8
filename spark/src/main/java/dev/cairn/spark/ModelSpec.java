package dev.cairn.spark;

import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.samples.models.Models;
import dev.cairn.CairnException;
import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * Which model to build: a name from the sample models' registry ({@code mlp}, {@code wide}, ...) or
 * the fully qualified name of a {@link Module} subclass with a public no-argument constructor, which
 * must be on the executors' classpath. Immutable and serializable; thread-safe.
 */
final class ModelSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;

    private ModelSpec(String name) {
        this.name = name;
    }

    /**
     * Resolves {@code name} now (on the driver), so that an unknown name fails before any task runs.
     *
     * @throws CairnException naming the model and what to do
     */
    static ModelSpec resolve(String name) {
        if (name == null || name.isBlank()) {
            throw new CairnException("no model set: setModel(\"mlp\") for a registered model or"
                    + " setModel(\"com.example.MyNet\") for a Module class with a no-argument constructor");
        }
        ModelSpec spec = new ModelSpec(name.trim());
        spec.declaredWidth();  // fails for a name that is neither registered nor a loadable Module class
        return spec;
    }

    String name() {
        return name;
    }

    private boolean isRegistered() {
        for (String n : Models.names()) {
            if (n.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The registered input width, or 0 for a class (its width is inferred from the built module). */
    int declaredWidth() {
        if (isRegistered()) {
            Models.Spec spec = Models.get(name);
            if (!spec.takesFlatFloatRows()) {
                throw new IllegalArgumentException("model '" + name + "' takes " + spec.inputType() + " inputs of shape "
                        + java.util.Arrays.toString(spec.rowShape()) + " per row; CairnTransformer scores flat float "
                        + "feature rows (wrap the model in a Module that reshapes its input, and name that class)");
            }
            return spec.inputWidth();
        }
        moduleClass();
        return 0;
    }

    /** A new module, in its initial (untrained) state. */
    Module create() {
        if (isRegistered()) {
            return Models.get(name).create();
        }
        try {
            return moduleClass().getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            throw new CairnException("model class " + name + ": its constructor failed: " + c, c);
        } catch (ReflectiveOperationException e) {
            throw new CairnException("model class " + name + " cannot be instantiated: " + e, e);
        }
    }

    private Class<? extends Module> moduleClass() {
        Class<?> c;
        try {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            c = Class.forName(name, false, cl != null ? cl : ModelSpec.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            StringBuilder known = new StringBuilder();
            for (String n : Models.names()) {
                known.append(known.isEmpty() ? "" : ", ").append(n);
            }
            throw new CairnException("unknown model '" + name + "': not a registered model (" + known
                    + ") and no class of that name on the classpath (ship it with --jars or --packages)");
        }
        if (!Module.class.isAssignableFrom(c)) {
            throw new CairnException("model class " + name + " is not a dev.cairn.nn.Module");
        }
        if (Modifier.isAbstract(c.getModifiers())) {
            throw new CairnException("model class " + name + " is abstract; name a concrete Module class");
        }
        try {
            Constructor<?> k = c.getConstructor();
            if (!Modifier.isPublic(k.getDeclaringClass().getModifiers())) {
                throw new NoSuchMethodException();
            }
        } catch (NoSuchMethodException e) {
            throw new CairnException("model class " + name + " has no public no-argument constructor; add one that"
                    + " builds the layers (the weights are loaded afterwards)");
        }
        return c.asSubclass(Module.class);
    }

    /** The input width of a built module: the first Linear layer's, or 0 when it has none. */
    static int firstLinearWidth(Module m) {
        for (Module sub : m.namedModules().values()) {
            if (sub instanceof Linear l) {
                return l.inFeatures();
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
