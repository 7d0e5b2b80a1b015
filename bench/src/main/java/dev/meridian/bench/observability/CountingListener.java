package dev.meridian.bench.observability;

import dev.meridian.api.CompletedCall;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.VerdictAction;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The work a metrics listener does per call, without a metrics library: a counter per system call
 * and verdict, a latency histogram (power-of-two buckets, as many as a Prometheus histogram has),
 * a counter per deciding rule (keyed by the rule String's identity, as the tap promises one
 * instance per rule) and the sandboxes started and ended. Allocates nothing per call once every
 * rule has been seen. The default listener of {@link EventsPerSecond}.
 */
public final class CountingListener implements TrafficListener {

    private static final int SYSCALLS = 1024;
    private static final int VERDICTS = VerdictAction.values().length + 1;
    private static final int LATENCY_BUCKETS = 32;

    private final long[] calls = new long[SYSCALLS * VERDICTS];
    private final long[] latencyBuckets = new long[LATENCY_BUCKETS];
    private final Map<String, long[]> byRule = new IdentityHashMap<>();
    private long latencySumNanos;
    private long started;
    private long exited;

    @Override
    public void sandboxStarted(long sandboxId, long wallClockMillis, String policy, List<String> command) {
        started++;
    }

    @Override
    public void callCompleted(CompletedCall call) {
        VerdictAction action = call.action();
        int verdict = action == null ? VERDICTS - 1 : action.ordinal();
        calls[(call.number() & (SYSCALLS - 1)) * VERDICTS + verdict]++;
        long latency = call.latencyNanos();
        latencySumNanos += latency;
        latencyBuckets[Math.min(LATENCY_BUCKETS - 1, 64 - Long.numberOfLeadingZeros(Math.max(1, latency >> 8)))]++;
        String rule = call.rule();
        if (rule != null) {
            long[] count = byRule.get(rule);
            if (count == null) {
                count = new long[1];
                byRule.put(rule, count);
            }
            count[0]++;
        }
    }

    @Override
    public void sandboxExited(long sandboxId, long wallClockMillis, ExitStatus status) {
        exited++;
    }

    /** Read after the tap has stopped calling (the subscription closed). */
    @Override
    public String toString() {
        long total = 0;
        int seriesUsed = 0;
        for (long count : calls) {
            total += count;
            seriesUsed += count != 0 ? 1 : 0;
        }
        return "CountingListener: " + total + " calls in " + seriesUsed + " syscall×verdict series, "
                + byRule.size() + " rules, mean latency " + (total == 0 ? 0 : latencySumNanos / total)
                + " ns, sandboxes started " + started + ", ended " + exited;
    }
}
