package dev.cairn;

/**
 * Base of every error Cairn raises for bad input. When it escapes a module's {@code call}, the
 * module path where it happened (for example {@code 2.linear}) is attached and shown first in
 * the message.
 */
public class CairnException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private String modulePath;
    private String moduleName;

    public CairnException(String message) {
        super(message);
    }

    public CairnException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The path of the module in which the error was raised ({@code ""} for the root), or null. */
    public String modulePath() {
        return modulePath;
    }

    /** The class-like name of the module in which the error was raised, or null. */
    public String moduleName() {
        return moduleName;
    }

    /** Attaches where in a module tree the error happened; only the innermost location is kept. */
    public void attachModule(String path, String name) {
        if (modulePath == null) {
            modulePath = path;
            moduleName = name;
        }
    }

    /** The message without the module location. */
    public String detail() {
        return super.getMessage();
    }

    @Override
    public String getMessage() {
        if (modulePath == null) {
            return super.getMessage();
        }
        String where = modulePath.isEmpty() ? "<root>" : modulePath;
        return "in module " + where + " (" + moduleName + "): " + super.getMessage();
    }
}
