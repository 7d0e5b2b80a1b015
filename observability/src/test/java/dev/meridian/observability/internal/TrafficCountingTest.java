package dev.meridian.observability.internal;

import static dev.meridian.observability.internal.Traffic.OPENAT;
import static dev.meridian.observability.internal.Traffic.READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.TrafficCounters;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.VerdictAction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Counts per sandbox and syscall, as {@code meridian top} reads them. */
class TrafficCountingTest {
    private final Traffic.Tap tap = new Traffic.Tap();
    private final Traffic.Call call = new Traffic.Call();

    private TrafficCounting counting() {
        TrafficCounting counting = new TrafficCounting();
        counting.bindShim(new Traffic.Shim());
        counting.bindTap(tap);
        counting.activate();
        return counting;
    }

    @Test
    void countsCallsAndDenialsPerSandboxAndSyscall() {
        TrafficCounting counting = counting();
        TrafficListener listener = tap.listener;
        Traffic.start(listener, 1);
        Traffic.start(listener, 2);
        for (int i = 0; i < 5; i++) {
            listener.callCompleted(call.set(1, READ, VerdictAction.ALLOW, null, 1_000));
        }
        listener.callCompleted(call.set(1, OPENAT, VerdictAction.DENY, "deny-secrets", 1_000));
        listener.callCompleted(call.set(2, OPENAT, VerdictAction.EMULATE, null, 1_000));
        listener.callCompleted(call.set(2, 999, VerdictAction.KILL, "bad", 1_000));
        Traffic.exit(listener, 1);

        long before = System.nanoTime();
        TrafficCounters.Snapshot snapshot = counting.snapshot();
        assertTrue(snapshot.takenNanos() - before >= 0);
        List<TrafficCounters.SandboxTraffic> sandboxes = snapshot.sandboxes();
        assertEquals(List.of(
                new TrafficCounters.SandboxTraffic(2, true, 2, 1, Map.of("openat", 1L, "unknown", 1L)),
                new TrafficCounters.SandboxTraffic(1, false, 6, 1, Map.of("read", 5L, "openat", 1L))), sandboxes);
    }

    @Test
    void keepsRunningSandboxesAndTheLastFinishedOnes() {
        TrafficCounting counting = counting();
        TrafficListener listener = tap.listener;
        int sandboxes = TrafficCounting.RETAINED_FINISHED + 10;
        for (long id = 1; id <= sandboxes; id++) {
            Traffic.start(listener, id);
            listener.callCompleted(call.set(id, READ, VerdictAction.ALLOW, null, 1_000));
        }
        Traffic.start(listener, 1000);
        for (long id = 1; id <= sandboxes; id++) {
            Traffic.exit(listener, id);
        }
        List<TrafficCounters.SandboxTraffic> kept = counting.snapshot().sandboxes();
        assertEquals(TrafficCounting.RETAINED_FINISHED + 1, kept.size());
        assertEquals(1000, kept.getFirst().sandboxId());
        assertTrue(kept.getFirst().running());
        // The first ten to end are forgotten; the rest stay in start order.
        assertEquals(11, kept.get(1).sandboxId());
        assertEquals(sandboxes, kept.getLast().sandboxId());
    }

    @Test
    void aCallOfASandboxStartedBeforeTheSubscriptionStillCounts() {
        TrafficCounting counting = counting();
        tap.listener.callCompleted(call.set(7, READ, VerdictAction.ALLOW, null, 1_000));
        assertEquals(List.of(new TrafficCounters.SandboxTraffic(7, true, 1, 0, Map.of("read", 1L))),
                counting.snapshot().sandboxes());
    }
}
