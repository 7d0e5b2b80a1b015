package dev.meridian.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.osgi.service.log.FormatterLogger;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

class ConsoleLoggerFactoryTest {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private LoggerFactory factory(boolean debug) {
        Console console = new Console(new PrintStream(printed, true, StandardCharsets.UTF_8), debug);
        return new ConsoleLoggerFactory(console).getService(null, null);
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anErrorIsOneLineWithTheParametersAndTheCause() {
        Logger logger = factory(false).getLogger("test");
        logger.error("component {} of {} failed", "cli", "dev.meridian.cli", new IllegalStateException("boom"));

        assertEquals("meridian: component cli of dev.meridian.cli failed: IllegalStateException: boom\n", printed());
        assertTrue(logger.isErrorEnabled());
        assertFalse(logger.isWarnEnabled());
    }

    @Test
    void warningsAndStackTracesOnlyWhenDebugging() {
        factory(false).getLogger("quiet").warn("not shown");
        assertEquals("", printed());

        factory(true).getLogger("loud").warn("shown {}", 1, new IllegalStateException("why"));
        assertTrue(printed().startsWith("meridian: warning: shown 1: IllegalStateException: why\n"), printed());
        assertTrue(printed().contains("\tat "), "debugging shows the stack trace");
    }

    @Test
    void formatterLoggersUsePrintfPatterns() {
        factory(false).getLogger("printf", FormatterLogger.class).error("%d of %s", 3, "four");
        assertEquals("meridian: 3 of four\n", printed());
    }
}
