package dev.meridian.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an embedded run takes from etc/: the bus's journal keys, as framework properties. */
class EmbeddedConfigurationTest {

    @TempDir
    Path etc;

    @Test
    void theJournalKeysOfTheBusFileBecomeFrameworkProperties() throws Exception {
        Files.writeString(etc.resolve("dev.meridian.bus.cfg"), """
                # comment
                shim.wait.millis = 100
                journal.roll.cycle = HOURLY
                #journal.retention = 30d
                journal.retention = 12h \s
                """);
        Files.writeString(etc.resolve("dev.meridian.supervisor.cfg"), "journal.retention = 1d\n");
        Console console = new Console(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        assertEquals(Map.of("dev.meridian.bus.journal.roll.cycle", "HOURLY", "dev.meridian.bus.journal.retention", "12h"),
                Launcher.embeddedConfiguration(etc, console));
        assertEquals(Map.of(), Launcher.embeddedConfiguration(etc.resolve("missing"), console));
    }
}
