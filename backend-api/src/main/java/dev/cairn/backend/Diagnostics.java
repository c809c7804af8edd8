package dev.cairn.backend;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * The warnings that must reach a user even when no logging is set up, such as "the Vector API is not
 * enabled, the CPU kernels run several times slower" or "CUDA is present but cannot run here".
 *
 * <p>Where a warning goes is decided per warning by the system property {@value #PROPERTY}:
 * <ul>
 *   <li>{@code auto} (the default): to SLF4J when an SLF4J provider is bound (logback, slf4j-simple,
 *       log4j-slf4j2...), else to {@link System.Logger}, whose default, {@code java.util.logging},
 *       prints to stderr. So a user who set up logging sees the warning in their logs, and one who did
 *       not still sees it.</li>
 *   <li>{@code slf4j}: always to SLF4J (silent when no provider is bound, or with {@code slf4j-nop}).</li>
 *   <li>{@code system}: always to {@link System.Logger}.</li>
 *   <li>{@code off}: nowhere.</li>
 * </ul>
 * The logger name is the class that reports the warning (e.g. {@code dev.cairn.backend.cpu.VectorSupport}),
 * so the usual per-logger configuration of either system applies.
 *
 * <p>Thread-safe: warnings may be reported from any thread; {@link #warnOnce} reports each key once per
 * class loader, however many threads race on it.
 */
public final class Diagnostics {
    /** The system property that chooses where warnings go: {@code auto}, {@code slf4j}, {@code system} or {@code off}. */
    public static final String PROPERTY = "cairn.warnings";

    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    private Diagnostics() {
    }

    /**
     * Reports {@code message} as a warning of {@code source} the first time {@code key} is seen in this
     * process, and does nothing after that.
     *
     * @return whether this call reported it
     */
    public static boolean warnOnce(Class<?> source, String key, String message) {
        if (!REPORTED.add(key)) {
            return false;
        }
        warn(source, message);
        return true;
    }

    /** Reports {@code message} as a warning of {@code source}, where {@value #PROPERTY} says (see the class comment). */
    public static void warn(Class<?> source, String message) {
        switch (mode()) {
            case "off" -> {
                // the user turned Cairn's warnings off
            }
            case "slf4j" -> LoggerFactory.getLogger(source).warn(message);
            case "system" -> System.getLogger(source.getName()).log(System.Logger.Level.WARNING, message);
            default -> {
                if (slf4jProviderBound()) {
                    LoggerFactory.getLogger(source).warn(message);
                } else {
                    System.getLogger(source.getName()).log(System.Logger.Level.WARNING, message);
                }
            }
        }
    }

    private static String mode() {
        String m = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (m) {
            case "off", "slf4j", "system" -> m;
            default -> "auto";
        };
    }

    /** Whether SLF4J found a provider: without one it falls back to a no-op factory and drops everything. */
    static boolean slf4jProviderBound() {
        ILoggerFactory f = LoggerFactory.getILoggerFactory();
        return !(f instanceof NOPLoggerFactory);
    }
}
