package dev.meridian.cli.internal;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.VerdictAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code meridian journal stats}: what a journal's calls add up to, in one pass and bounded memory
 * (per system call a {@link LatencyHistogram}; per rule and system call a count; the ids of the
 * sandboxes). Latencies are those of the calls whose completion was journaled.
 */
final class JournalStats {

    static final double[] PERCENTILES = {50, 90, 99};
    static final String PRECISION = "percentiles are at most 0.4% above the exact value (log-linear buckets, "
            + LatencyHistogram.SUB_BUCKETS + " per power of two; exact below " + 2 * LatencyHistogram.SUB_BUCKETS
            + " ns); max is exact";

    /** One system call's tally. */
    static final class SyscallTally {
        final String name;
        long calls;
        long denied;
        final LatencyHistogram latency = new LatencyHistogram();

        SyscallTally(String name) {
            this.name = name;
        }
    }

    /** Denials of one rule on one system call. */
    record Denial(String rule, String syscall) {
    }

    private final Map<String, SyscallTally> bySyscall = new HashMap<>();
    private final Map<Denial, Long> denials = new HashMap<>();
    private final Set<Long> sandboxes = new HashSet<>();
    private long calls;
    private long completed;
    private long denied;
    private long interrupted;
    private long firstMillis = Long.MAX_VALUE;
    private long lastMillis = Long.MIN_VALUE;

    void add(JournalEntry entry, String syscall) {
        SyscallTally tally = bySyscall.computeIfAbsent(syscall, SyscallTally::new);
        tally.calls++;
        calls++;
        sandboxes.add(entry.sandboxId());
        firstMillis = Math.min(firstMillis, entry.wallClockMillis());
        lastMillis = Math.max(lastMillis, entry.wallClockMillis());
        if (!entry.completed()) {
            return;
        }
        completed++;
        tally.latency.record(entry.latencyNanos());
        if (entry.interrupted()) {
            interrupted++;
        }
        if (entry.action() == VerdictAction.DENY || entry.action() == VerdictAction.KILL) {
            tally.denied++;
            denied++;
            denials.merge(new Denial(entry.rule() == null ? "(none)" : entry.rule(), syscall), 1L, Long::sum);
        }
    }

    /** The system calls, most called first (then by name); {@code top} of them, all if 0. */
    List<SyscallTally> topSyscalls(int top) {
        List<SyscallTally> sorted = new ArrayList<>(bySyscall.values());
        sorted.sort(Comparator.comparingLong((SyscallTally tally) -> tally.calls).reversed()
                .thenComparing(tally -> tally.name));
        return top > 0 && sorted.size() > top ? sorted.subList(0, top) : sorted;
    }

    /** Denials by rule and system call, most first. */
    List<Map.Entry<Denial, Long>> denials() {
        List<Map.Entry<Denial, Long>> sorted = new ArrayList<>(denials.entrySet());
        sorted.sort(Map.Entry.<Denial, Long>comparingByValue().reversed()
                .thenComparing(entry -> entry.getKey().rule()).thenComparing(entry -> entry.getKey().syscall()));
        return sorted;
    }

    String json(String journal, int top) {
        List<String> syscalls = new ArrayList<>();
        for (SyscallTally tally : topSyscalls(top)) {
            Json latency = new Json().field("completed", tally.latency.count());
            for (double p : PERCENTILES) {
                latency.nullableField("p" + (int) p, tally.latency.count() == 0 ? null : tally.latency.percentile(p));
            }
            latency.nullableField("max", tally.latency.count() == 0 ? null : tally.latency.max());
            syscalls.add(new Json().field("syscall", tally.name).field("calls", tally.calls)
                    .field("share", share(tally.calls)).field("denied", tally.denied)
                    .raw("latency_ns", latency.end()).end());
        }
        List<String> byRule = new ArrayList<>();
        for (Map.Entry<Denial, Long> denial : denials()) {
            byRule.add(new Json().field("rule", denial.getKey().rule()).field("syscall", denial.getKey().syscall())
                    .field("count", denial.getValue()).end());
        }
        return new Json()
                .field("journal", journal)
                .field("sandboxes", sandboxes.size())
                .field("calls", calls)
                .field("completed", completed)
                .field("denied", denied)
                .field("interrupted", interrupted)
                .field("first", calls == 0 ? null : Instant.ofEpochMilli(firstMillis).toString())
                .field("last", calls == 0 ? null : Instant.ofEpochMilli(lastMillis).toString())
                .field("system_calls", bySyscall.size())
                .raw("syscalls", "[" + String.join(",", syscalls) + "]")
                .raw("denials", "[" + String.join(",", byRule) + "]")
                .field("latency_precision", PRECISION)
                .end();
    }

    String text(String journal, int top) {
        StringBuilder out = new StringBuilder();
        out.append("journal ").append(journal).append(": ").append(sandboxes.size())
                .append(sandboxes.size() == 1 ? " sandbox, " : " sandboxes, ").append(calls).append(" calls (")
                .append(completed).append(" completed, ").append(denied).append(" denied, ").append(interrupted)
                .append(" interrupted)");
        if (calls > 0) {
            out.append(", ").append(Instant.ofEpochMilli(firstMillis)).append(" to ")
                    .append(Instant.ofEpochMilli(lastMillis)).append(" (")
                    .append(duration(lastMillis - firstMillis)).append(')');
        }
        out.append('\n');
        if (calls == 0) {
            return out.toString();
        }
        out.append('\n').append(String.format(Locale.ROOT, "%-20s %10s %7s %8s %9s %9s %9s %9s%n",
                "SYSCALL", "CALLS", "SHARE", "DENIED", "P50", "P90", "P99", "MAX"));
        List<SyscallTally> shown = topSyscalls(top);
        for (SyscallTally tally : shown) {
            LatencyHistogram latency = tally.latency;
            out.append(String.format(Locale.ROOT, "%-20s %10d %6.1f%% %8d %9s %9s %9s %9s%n", tally.name,
                    tally.calls, 100 * share(tally.calls), tally.denied,
                    latency.count() == 0 ? "-" : nanos(latency.percentile(50)),
                    latency.count() == 0 ? "-" : nanos(latency.percentile(90)),
                    latency.count() == 0 ? "-" : nanos(latency.percentile(99)),
                    latency.count() == 0 ? "-" : nanos(latency.max())));
        }
        if (shown.size() < bySyscall.size()) {
            out.append("(").append(bySyscall.size() - shown.size()).append(" more system calls: --top 0 shows all)\n");
        }
        if (!denials.isEmpty()) {
            out.append('\n').append(String.format(Locale.ROOT, "%-32s %-20s %8s%n", "DENIED BY RULE", "SYSCALL",
                    "COUNT"));
            for (Map.Entry<Denial, Long> denial : denials()) {
                out.append(String.format(Locale.ROOT, "%-32s %-20s %8d%n", denial.getKey().rule(),
                        denial.getKey().syscall(), denial.getValue()));
            }
        }
        out.append("\nlatency: time from receipt to answer in the supervisor; ").append(PRECISION).append('\n');
        return out.toString();
    }

    private double share(long count) {
        return calls == 0 ? 0 : Math.round(10_000.0 * count / calls) / 10_000.0;
    }

    /** 850ns, 14.2us, 1.20ms, 2.05s: three significant digits. */
    static String nanos(long nanos) {
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        String[] units = {"us", "ms", "s"};
        double value = nanos;
        int unit = -1;
        while (value >= 1_000 && unit < units.length - 1) {
            value /= 1_000;
            unit++;
        }
        String digits = value >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : value >= 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.2f", value);
        return digits + units[unit];
    }

    private static String duration(long millis) {
        Duration span = Duration.ofMillis(millis);
        return span.toDays() > 0 ? span.toDays() + "d" + span.toHoursPart() + "h"
                : span.toHours() > 0 ? span.toHours() + "h" + span.toMinutesPart() + "m"
                : span.toMinutes() > 0 ? span.toMinutes() + "m" + span.toSecondsPart() + "s"
                : String.format(Locale.ROOT, "%.3fs", millis / 1000.0);
    }
}
