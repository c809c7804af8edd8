package dev.cairn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Core's tests run without an SLF4J provider, as a user who set up no logging: warnings must then go to
 * System.Logger (java.util.logging by default, which prints to stderr), once per key, unless turned off.
 */
class DiagnosticsTest {
    /** A logger name of its own, so records from other tests never mix in. */
    static final class Source {
    }

    private final List<LogRecord> records = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger jul = Logger.getLogger(Source.class.getName());

    @BeforeEach
    void listen() {
        jul.addHandler(capture);
        System.clearProperty(Diagnostics.PROPERTY);
    }

    @AfterEach
    void stop() {
        jul.removeHandler(capture);
        System.clearProperty(Diagnostics.PROPERTY);
    }

    @Test
    void withoutAnSlf4jProviderWarningsGoToSystemLogger() {
        assertFalse(Diagnostics.slf4jProviderBound(), "core's tests have no SLF4J provider on the class path");
        Diagnostics.warn(Source.class, "the fast path is off");
        assertEquals(1, records.size());
        assertEquals(Level.WARNING, records.get(0).getLevel());
        assertEquals("the fast path is off", records.get(0).getMessage());
    }

    @Test
    void warnOnceReportsEachKeyOnce() {
        assertTrue(Diagnostics.warnOnce(Source.class, "test.once", "first"));
        assertFalse(Diagnostics.warnOnce(Source.class, "test.once", "second"));
        assertEquals(1, records.size());
        assertEquals("first", records.get(0).getMessage());
    }

    @Test
    void thePropertyTurnsThemOffOrForcesSlf4j() {
        System.setProperty(Diagnostics.PROPERTY, "off");
        Diagnostics.warn(Source.class, "dropped");
        System.setProperty(Diagnostics.PROPERTY, "slf4j");   // no provider here: SLF4J drops it
        Diagnostics.warn(Source.class, "dropped too");
        assertTrue(records.isEmpty(), records.toString());
        System.setProperty(Diagnostics.PROPERTY, "system");
        Diagnostics.warn(Source.class, "kept");
        assertEquals(1, records.size());
    }
}
