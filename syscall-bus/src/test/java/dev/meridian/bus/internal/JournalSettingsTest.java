package dev.meridian.bus.internal;

import static dev.meridian.bus.internal.Fixtures.NR_READ;
import static dev.meridian.bus.internal.Fixtures.call;
import static dev.meridian.bus.internal.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.JournalReader;
import dev.meridian.api.SandboxRecord;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.bus.internal.Fixtures.StringMemory;
import dev.meridian.bus.internal.Fixtures.TestPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** journal.roll.cycle and journal.retention: parsing, and what they do to real journals. */
class JournalSettingsTest {

    private static final long FIVE_MINUTES = TimeUnit.MINUTES.toMillis(5);

    @TempDir
    Path journal;

    private final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-11-20T12:00:00Z"));

    @Test
    void valuesAreParsedAndBadOnesNamedWithWhatIsAllowed() {
        assertEquals(RollCycles.FAST_HOURLY, JournalSettings.rollCycle(" hourly "));
        assertEquals(RollCycles.FAST_DAILY, JournalSettings.DEFAULT.rollCycle());
        assertEquals(Duration.ofDays(30), JournalSettings.DEFAULT.retention());
        assertEquals(Duration.ofMinutes(90), JournalSettings.retention("90m"));
        assertEquals(Duration.ofDays(56), JournalSettings.retention("8w"));
        assertNull(JournalSettings.retention("forever"));

        IllegalArgumentException cycle = assertThrows(IllegalArgumentException.class,
                () -> JournalSettings.rollCycle("FORTNIGHTLY"));
        assertEquals("journal.roll.cycle: unknown roll cycle 'FORTNIGHTLY' (allowed: FIVE_MINUTELY, TEN_MINUTELY, "
                + "TWENTY_MINUTELY, HALF_HOURLY, HOURLY, TWO_HOURLY, FOUR_HOURLY, SIX_HOURLY, DAILY, WEEKLY)",
                cycle.getMessage());
        for (String bad : List.of("0d", "30", "-1d", "3 months", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JournalSettings.retention(bad), bad);
            assertTrue(e.getMessage().startsWith("journal.retention: '" + bad + "' is not a retention"), e.getMessage());
        }
    }

    @Test
    void whileTheConfigurationIsInvalidNoJournalOpens() throws Exception {
        JournalRegistry registry = new JournalRegistry(JournalSettings.DEFAULT, clock);
        ChronicleSyscallBus bus = new ChronicleSyscallBus(registry);
        bus.bindShim(new Fixtures.TestShim());
        registry.invalidSettings("journal.retention: '3 months' is not a retention");
        dev.meridian.api.JournalException e = assertThrows(dev.meridian.api.JournalException.class,
                () -> writeSandbox(bus, 0));
        assertEquals("cannot open journal in " + journal + ": the bus configuration is invalid: "
                + "journal.retention: '3 months' is not a retention", e.getMessage());
        registry.settings(JournalSettings.DEFAULT);
        writeSandbox(bus, 0);
        bus.deactivate();
    }

    @Test
    void filesOfCyclesPastTheRetentionAreDeletedTheNewestKept() throws Exception {
        ChronicleSyscallBus bus = bus("FIVE_MINUTELY", "10m");
        for (long sandbox = 0; sandbox < 6; sandbox++) { // 12:00, 12:05 ... 12:25, one cycle each
            if (sandbox > 0) {
                clock.advanceMillis(FIVE_MINUTES);
            }
            writeSandbox(bus, sandbox);
        }
        assertEquals(List.of("20261120-1215V.cq4", "20261120-1220V.cq4", "20261120-1225V.cq4"), cycleFiles(),
                "deleted as the journal rolled on: at 12:25 the cycles that ended by 12:15");

        clock.advanceMillis(FIVE_MINUTES);
        writeSandbox(bus, 6); // 12:30: the cycles that ended by 12:20 are past 10 minutes
        assertEquals(List.of("20261120-1220V.cq4", "20261120-1225V.cq4", "20261120-1230V.cq4"), cycleFiles());
        try (JournalReader reader = bus.reader(journal)) {
            assertEquals(List.of(4L, 5L, 6L), reader.sandboxes().stream().map(SandboxRecord::sandboxId).toList());
        }
        bus.deactivate();
    }

    @Test
    void nothingIsDeletedWhileAReaderOfThisProcessHasTheJournalOpen() throws Exception {
        ChronicleSyscallBus bus = bus("FIVE_MINUTELY", "5m");
        writeSandbox(bus, 0);
        clock.advanceMillis(FIVE_MINUTES);
        writeSandbox(bus, 1);

        JournalReader reader = bus.reader(journal);
        clock.advanceMillis(2 * FIVE_MINUTES);
        writeSandbox(bus, 2);
        assertEquals(List.of("20261120-1200V.cq4", "20261120-1205V.cq4", "20261120-1215V.cq4"), cycleFiles(),
                "kept while a reader is open");
        assertEquals(List.of(0L, 1L, 2L), reader.sandboxes().stream().map(SandboxRecord::sandboxId).toList());

        reader.close();
        assertEquals(List.of("20261120-1215V.cq4"), cycleFiles(), "deleted when the reader closed");
        bus.deactivate();
    }

    @Test
    void anExistingJournalKeepsItsRollCycleANewOneRollsAsConfigured() throws Exception {
        ChronicleSyscallBus daily = bus("DAILY", "forever");
        writeSandbox(daily, 0);
        daily.deactivate();
        assertEquals(List.of("20261120F.cq4"), cycleFiles());

        ChronicleSyscallBus hourly = bus("HOURLY", "forever");
        clock.advanceMillis(TimeUnit.HOURS.toMillis(1));
        writeSandbox(hourly, 1);
        assertEquals(List.of("20261120F.cq4"), cycleFiles(), "Chronicle keeps the journal's daily cycle");
        try (JournalReader reader = hourly.reader(journal)) {
            assertEquals(List.of(0L, 1L), reader.sandboxes().stream().map(SandboxRecord::sandboxId).toList());
        }
        hourly.deactivate();

        Path fresh = journal.resolve("fresh");
        ChronicleSyscallBus again = bus("HOURLY", "forever");
        writeSandbox(again, 2, fresh);
        try (Stream<Path> files = Files.list(fresh)) {
            assertEquals(List.of("20261120-13F.cq4"), files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".cq4")).toList());
        }
        again.deactivate();
    }

    private ChronicleSyscallBus bus(String rollCycle, String retention) {
        ChronicleSyscallBus bus = new ChronicleSyscallBus(new JournalRegistry(JournalSettings.parse(rollCycle, retention),
                clock));
        bus.bindShim(new Fixtures.TestShim());
        return bus;
    }

    private void writeSandbox(ChronicleSyscallBus bus, long sandboxId) throws Exception {
        writeSandbox(bus, sandboxId, journal);
    }

    private static void writeSandbox(ChronicleSyscallBus bus, long sandboxId, Path directory) throws Exception {
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(directory, sandboxId, spec(directory, "x"), new TestPolicy())) {
            call(gateway, event, new StringMemory("/"), 1, NR_READ, 0);
            gateway.onExit(ExitStatus.exited(0), 1);
        }
    }

    private List<String> cycleFiles() throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".cq4")).sorted()
                    .toList();
        }
    }
}
