package dev.meridian.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The forms --since and --until take. */
class JournalTimeTest {

    @Test
    void instantsDatesAndTimesAgo() throws Exception {
        assertEquals(Instant.parse("2026-11-28T09:30:00Z").toEpochMilli(),
                JournalCommand.parseTime("--since", "2026-11-28T09:30:00Z"));
        assertEquals(Instant.parse("2026-11-28T08:30:00Z").toEpochMilli(),
                JournalCommand.parseTime("--since", "2026-11-28T09:30:00+01:00"));
        assertEquals(Instant.parse("2026-11-28T00:00:00Z").toEpochMilli(),
                JournalCommand.parseTime("--until", "2026-11-28"));
        long ago = System.currentTimeMillis() - JournalCommand.parseTime("--since", "2h");
        assertTrue(Math.abs(ago - TimeUnit.HOURS.toMillis(2)) < 5_000, "2h ago was " + ago + " ms ago");
        UsageException bad = assertThrows(UsageException.class, () -> JournalCommand.parseTime("--since", "yesterday"));
        assertEquals("journal: --since needs a time (2026-11-28T09:30:00Z, 2026-11-28, or a time ago such as 15m, 2h, "
                + "7d), not 'yesterday'", bad.getMessage());
    }
}
