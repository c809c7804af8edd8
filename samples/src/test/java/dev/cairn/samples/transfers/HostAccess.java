package dev.cairn.samples.transfers;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One host access that {@link CountingBackend} saw: an upload, a download or a synchronisation of the
 * device, with the code that asked for it. {@code origin} is the first caller outside Cairn's tensor,
 * autograd and backend packages (the module, loss, optimizer or test that the access belongs to), as
 * {@code Class.method}; {@code stack} is the calling stack for failure messages. Immutable.
 */
record HostAccess(Kind kind, String dtype, int elements, String origin, List<StackWalker.StackFrame> stack) {
    /** What crossed between host and device. */
    enum Kind { UPLOAD, DOWNLOAD, SYNCHRONIZE }

    /** Whether the access came from {@code type}'s method {@code method}. */
    boolean from(Class<?> type, String method) {
        return origin.equals(type.getName() + "." + method);
    }

    /** The access and the stack that made it, a few frames deep, for assertion messages. */
    String describe() {
        return kind + " of " + elements + " " + dtype + " element(s) from " + origin + stack.stream().limit(12)
                .map(f -> "\n        at " + f.toStackTraceElement()).collect(Collectors.joining());
    }

    @Override
    public String toString() {
        return describe();
    }
}
