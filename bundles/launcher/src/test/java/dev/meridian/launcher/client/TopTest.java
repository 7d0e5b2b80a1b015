package dev.meridian.launcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopTest {
    private static final Set<String> FLAGS = Set.of("-b", "--batch", "--help");
    private static final Set<String> OPTIONS = Set.of("--state", "-n", "--iterations", "--interval");

    private static Top.Options options(String... args) throws ClientException {
        return Top.Options.parse(CommandLine.parse(List.of(args), FLAGS, OPTIONS, Set.of(), false));
    }

    private static String refusal(String... args) {
        ClientException e = assertThrows(ClientException.class, () -> options(args));
        assertEquals(ClientException.USAGE, e.status());
        return e.getMessage();
    }

    @Test
    void optionsHaveDefaultsAndBounds() throws ClientException {
        assertEquals(new Top.Options(false, 0, 1_000_000_000L), options());
        assertEquals(new Top.Options(true, 2, 500_000_000L), options("-b", "-n", "2", "--interval", "0.5"));
        assertEquals(new Top.Options(true, 3, 1_000_000_000L), options("--batch", "--iterations=3"));
        assertEquals("top: -n takes a number of intervals (1 or more), not '0'", refusal("-n", "0"));
        assertEquals("top: -n takes a number of intervals (1 or more), not '-3'", refusal("-n", "-3"));
        assertEquals("top: --interval takes seconds from 0.1 to 3600, not 'soon'", refusal("--interval", "soon"));
        assertEquals("top: --interval takes seconds from 0.1 to 3600, not '0.01'", refusal("--interval", "0.01"));
        assertEquals("top: --interval takes seconds from 0.1 to 3600, not 'NaN'", refusal("--interval", "NaN"));
        assertEquals("top: -n and --iterations are the same option; give one", refusal("-n", "1", "--iterations", "2"));
        assertEquals("top: takes no operands (see meridian top --help)", refusal("abc"));
    }

    @Test
    void ratesAreTheIncreaseOverTheTimeBetweenTwoAnswers() throws Exception {
        Top.Counts before = Top.parse(Json.parseObject("""
                {"takenNanos":1000000000,"sandboxes":[
                  {"id":"aa00000000000000","running":true,"command":["make"],"calls":100,"denials":1,
                   "syscalls":{"openat":60,"read":40}},
                  {"id":"bb00000000000000","running":true,"calls":5,"denials":0,"syscalls":{"read":5}}]}"""));
        Top.Counts after = Top.parse(Json.parseObject("""
                {"takenNanos":3000000000,"sandboxes":[
                  {"id":"aa00000000000000","running":true,"command":["make"],"calls":300,"denials":5,
                   "syscalls":{"openat":160,"read":140}},
                  {"id":"bb00000000000000","running":false,"calls":5,"denials":0,"syscalls":{"read":5}},
                  {"id":"cc00000000000000","running":false,"command":["true"],"calls":8,"denials":0,
                   "syscalls":{"execve":8}}]}"""));
        List<String> lines = Top.render(before, after, 2_000_000_000L).lines().toList();
        assertTrue(lines.getFirst().matches("meridian top  \\d\\d:\\d\\d:\\d\\d  every 2\\.0 s  sandboxes: 1 running"
                + "  calls/s: 104\\.0  denied/s: 2\\.0"), lines.getFirst());
        assertEquals(List.of(
                "SANDBOX       STATE    CALLS/S  DENIED/S  CALLS  BUSIEST                 COMMAND",
                "aa0000000000  running  100.0    2.0       300    openat 50.0, read 50.0  make",
                "cc0000000000  ended    4.0      0.0       8      execve 4.0              true"), lines.subList(2, 5));
        assertEquals(List.of("SYSCALL  CALLS/S  CALLS", "openat   50.0     160", "read     50.0     145",
                "execve   4.0      8"), lines.subList(6, 10));
        // Ended without a call in the interval: not shown.
        assertFalse(lines.stream().anyMatch(line -> line.startsWith("bb0000000000")), lines::toString);
    }

    @Test
    void aViewIsCutToTheScreen() {
        String view = "first line that is long\nsecond\nthird\nfourth\n";
        assertEquals("first line\033[K\nsecond\033[K\nthird\033[K\n", Top.fit(view, 4, 10));
    }
}
