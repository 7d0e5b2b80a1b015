package dev.meridian.bus.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

/**
 * How journals roll and how long their files are kept: {@code journal.roll.cycle} and
 * {@code journal.retention} of the bus's configuration. Chronicle fixes a journal's roll cycle when
 * its first file is written; a journal created under another cycle keeps its own (see
 * {@link JournalRegistry}).
 *
 * @param rollCycle the cycle new journals roll by
 * @param retention how long the files of finished cycles are kept after their cycle ended;
 *     {@code null} keeps them for ever
 */
record JournalSettings(RollCycle rollCycle, Duration retention) {

    static final String ROLL_CYCLE_KEY = "journal.roll.cycle";
    static final String RETENTION_KEY = "journal.retention";
    static final String DEFAULT_ROLL_CYCLE = "DAILY";
    static final String DEFAULT_RETENTION = "30d";
    static final String FOREVER = "forever";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*([mhdw])");

    /** The cycles a journal may roll by, under the names the configuration uses (Chronicle's FAST_* where it has them). */
    static final Map<String, RollCycles> ROLL_CYCLES = Map.of(
            "FIVE_MINUTELY", RollCycles.FIVE_MINUTELY,
            "TEN_MINUTELY", RollCycles.TEN_MINUTELY,
            "TWENTY_MINUTELY", RollCycles.TWENTY_MINUTELY,
            "HALF_HOURLY", RollCycles.HALF_HOURLY,
            "HOURLY", RollCycles.FAST_HOURLY,
            "TWO_HOURLY", RollCycles.TWO_HOURLY,
            "FOUR_HOURLY", RollCycles.FOUR_HOURLY,
            "SIX_HOURLY", RollCycles.SIX_HOURLY,
            "DAILY", RollCycles.FAST_DAILY,
            "WEEKLY", RollCycles.WEEKLY);

    static final JournalSettings DEFAULT = parse(DEFAULT_ROLL_CYCLE, DEFAULT_RETENTION);

    /**
     * Reads the two settings.
     *
     * @throws IllegalArgumentException naming the key, the value and what is allowed
     */
    static JournalSettings parse(String rollCycle, String retention) {
        return new JournalSettings(rollCycle(rollCycle), retention(retention));
    }

    static RollCycle rollCycle(String value) {
        RollCycles cycle = ROLL_CYCLES.get(value.strip().toUpperCase(Locale.ROOT));
        if (cycle == null) {
            throw new IllegalArgumentException(ROLL_CYCLE_KEY + ": unknown roll cycle '" + value + "' (allowed: "
                    + allowedCycles() + ")");
        }
        return cycle;
    }

    /** The configuration's name of {@code cycle} (Chronicle's own name for one that has none). */
    static String nameOf(RollCycle cycle) {
        return ROLL_CYCLES.entrySet().stream().filter(entry -> entry.getValue() == cycle).map(Map.Entry::getKey)
                .findFirst().orElse(cycle.toString());
    }

    static Duration retention(String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        if (text.equals(FOREVER)) {
            return null;
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw new IllegalArgumentException(RETENTION_KEY + ": '" + value + "' is not a retention (a positive "
                    + "number of minutes, hours, days or weeks, e.g. 90m, 12h, 30d, 8w; or " + FOREVER + ")");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofDays(7 * amount);
        };
    }

    private static String allowedCycles() {
        return ROLL_CYCLES.entrySet().stream()
                .sorted(Map.Entry.comparingByValue((a, b) -> Integer.compare(a.lengthInMillis(), b.lengthInMillis())))
                .map(Map.Entry::getKey).collect(Collectors.joining(", "));
    }
}
