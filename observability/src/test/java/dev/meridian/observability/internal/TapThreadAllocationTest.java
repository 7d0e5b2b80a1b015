package dev.meridian.observability.internal;

import static dev.meridian.observability.internal.Traffic.EXECVE;
import static dev.meridian.observability.internal.Traffic.OPENAT;
import static dev.meridian.observability.internal.Traffic.READ;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.VerdictAction;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The listeners allocate nothing per call on the tap's thread once every syscall, verdict, rule and sandbox of the
 * traffic has been seen: the calls are measured in windows of 1 000 after a warm-up. One small object per call would
 * be 16 KB in every window; a one-off of a hundred bytes in one window (seen under load, as the JIT recompiles) is not
 * garbage per call, so at most {@value #MAX_ONE_OFF_WINDOWS} windows may allocate, each at most
 * {@value #MAX_ONE_OFF_BYTES} bytes.
 */
class TapThreadAllocationTest {
    private static final int WARM_UP_CALLS = 200_000;
    private static final int WINDOWS = 100;
    private static final int CALLS_PER_WINDOW = 1_000;
    private static final int MAX_ONE_OFF_WINDOWS = 2;
    private static final long MAX_ONE_OFF_BYTES = 1_024;
    private static final long[] SANDBOXES = {0x1001, 0x1002, 0x1003};
    private static final int[] NUMBERS = {READ, OPENAT, EXECVE, 999};
    private static final String[] RULES = {"deny-secrets", "no-exec", null};
    private static final VerdictAction[] ACTIONS = VerdictAction.values();

    @Test
    void metricsCountWithoutAllocating() {
        assertNoAllocation(metricsListener(Map.of()));
    }

    @Test
    void perSandboxMetricsCountWithoutAllocating() {
        assertNoAllocation(metricsListener(Map.of(MetricsSettings.PER_SANDBOX, "true",
                MetricsSettings.MAX_SANDBOXES, "2")));
    }

    @Test
    void trafficCountersCountWithoutAllocating() {
        Traffic.Tap tap = new Traffic.Tap();
        TrafficCounting counting = new TrafficCounting();
        counting.bindShim(new Traffic.Shim());
        counting.bindTap(tap);
        counting.activate();
        assertNoAllocation(tap.listener);
    }

    private static TrafficListener metricsListener(Map<String, Object> configuration) {
        Traffic.Tap tap = new Traffic.Tap();
        PrometheusMetrics metrics = new PrometheusMetrics();
        metrics.bindShim(new Traffic.Shim());
        metrics.bindTap(tap);
        metrics.activate(configuration);
        return tap.listener;
    }

    private static void assertNoAllocation(TrafficListener listener) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Traffic.Call call = new Traffic.Call();
        for (long sandbox : SANDBOXES) {
            Traffic.start(listener, sandbox);
        }
        feed(listener, call, WARM_UP_CALLS);
        List<Long> allocating = new ArrayList<>();
        for (int window = 0; window < WINDOWS; window++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            feed(listener, call, CALLS_PER_WINDOW);
            long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            if (bytes != 0) {
                allocating.add(bytes);
            }
        }
        String report = "bytes allocated in the windows of " + CALLS_PER_WINDOW + " calls that allocated: " + allocating;
        assertTrue(allocating.size() <= MAX_ONE_OFF_WINDOWS, report);
        assertTrue(allocating.stream().allMatch(bytes -> bytes <= MAX_ONE_OFF_BYTES), report);
    }

    /** Every sandbox, syscall (one no shim knows), verdict and rule of the traffic, in a varying mix. */
    private static void feed(TrafficListener listener, Traffic.Call call, int calls) {
        for (int i = 0; i < calls; i++) {
            VerdictAction action = i % 5 == 4 ? null : ACTIONS[i % ACTIONS.length];
            listener.callCompleted(call.set(SANDBOXES[i % SANDBOXES.length], NUMBERS[(i / 3) % NUMBERS.length],
                    action, RULES[i % RULES.length], 1_000 + (i % 50_000)));
        }
    }
}
