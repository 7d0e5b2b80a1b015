package dev.meridian.bus.internal;

import static dev.meridian.bus.internal.Fixtures.NR_OPENAT;
import static dev.meridian.bus.internal.Fixtures.NR_READ;
import static dev.meridian.bus.internal.Fixtures.NR_UNLINK;
import static dev.meridian.bus.internal.Fixtures.call;
import static dev.meridian.bus.internal.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.meridian.api.CompletedCall;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.TrafficTap.Subscription;
import dev.meridian.bus.internal.Fixtures.StringMemory;
import dev.meridian.bus.internal.Fixtures.TestPolicy;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tap's thread allocates nothing per record once warm: reading, joining each call with its
 * completion, naming its rule and handing the flyweight to a listener, and idling at the end of
 * the journal. Measured as {@link GuestPathAllocationTest} measures the guest path: in windows of
 * 1 000 calls (2 000 records), where any per-record garbage would show as kilobytes in every
 * window, while Chronicle mapping the next chunk of the queue file shows in a window or two.
 */
class TrafficTapAllocationTest {

    private static final int WARM_UP_CALLS = 200_000;
    private static final int WINDOWS = 100;
    private static final int CALLS_PER_WINDOW = 1_000;
    private static final int MAX_CHUNK_EVENTS = 2;
    private static final long MAX_CHUNK_EVENT_BYTES = 4_096;
    /** Long enough for the tap's idle backoff to reach its ceiling and probe the journal's end. */
    private static final long IDLE_MILLIS = 300;

    @TempDir
    Path journal;

    @Test
    void theTapThreadAllocatesNothingPerRecordOnceWarm() throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        CountingListener listener = new CountingListener();
        GuestMemory memory = new StringMemory("/usr/lib/x86_64-linux-gnu/libc.so.6");
        SyscallEvent event = new SyscallEvent();
        long[] allocatedPerWindow = new long[WINDOWS];
        long allocatedIdle;
        try (Subscription subscription = bus.subscribe(listener);
                SyscallGateway gateway = bus.open(journal, 42, spec(journal, "bench"), new TestPolicy())) {
            long tap = bus.tapThread().threadId();
            runCalls(gateway, event, memory, WARM_UP_CALLS);
            listener.await(WARM_UP_CALLS);
            for (int window = 0; window < WINDOWS; window++) {
                long before = threads.getThreadAllocatedBytes(tap);
                runCalls(gateway, event, memory, CALLS_PER_WINDOW);
                listener.await(WARM_UP_CALLS + (window + 1L) * CALLS_PER_WINDOW);
                allocatedPerWindow[window] = threads.getThreadAllocatedBytes(tap) - before;
            }
            long before = threads.getThreadAllocatedBytes(tap);
            Thread.sleep(IDLE_MILLIS);
            allocatedIdle = threads.getThreadAllocatedBytes(tap) - before;
            assertEquals(0, bus.status().lostRecords());
        } finally {
            bus.deactivate();
        }

        List<Long> allocating = new ArrayList<>();
        for (long bytes : allocatedPerWindow) {
            if (bytes != 0) {
                allocating.add(bytes);
            }
        }
        String report = "bytes the tap thread allocated in the windows of " + CALLS_PER_WINDOW
                + " calls that allocated: " + allocating + "; idle for " + IDLE_MILLIS + " ms: " + allocatedIdle;
        assertTrue(allocating.size() <= MAX_CHUNK_EVENTS, report);
        assertTrue(allocating.stream().allMatch(bytes -> bytes <= MAX_CHUNK_EVENT_BYTES), report);
        assertEquals(0, allocatedIdle, report);
    }

    /** A plain call, a captured path and a denial, so the join and the rule names all work. */
    private static void runCalls(SyscallGateway gateway, SyscallEvent event, GuestMemory memory, int calls) {
        for (int i = 0; i < calls; i++) {
            int number = switch (i % 3) {
                case 0 -> NR_READ;
                case 1 -> NR_OPENAT;
                default -> NR_UNLINK;
            };
            call(gateway, event, memory, 1234, number, i);
        }
    }

    /** Counts calls per system call and rule without allocating, as a metrics listener would. */
    private static final class CountingListener implements TrafficListener {
        private final long[] bySyscall = new long[512];
        private String lastRule;
        private long rulesSeen;
        private volatile long calls;

        @Override
        public void callCompleted(CompletedCall call) {
            bySyscall[call.number()]++;
            if (call.rule() != lastRule) {
                lastRule = call.rule();
                rulesSeen++;
            }
            calls = calls + 1;
        }

        void await(long count) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (calls < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the tap delivered " + calls + " of " + count + " calls");
                }
                LockSupport.parkNanos(10_000);
            }
        }
    }
}
