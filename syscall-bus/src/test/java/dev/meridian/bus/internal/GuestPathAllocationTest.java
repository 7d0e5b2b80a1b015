package dev.meridian.bus.internal;

import static dev.meridian.bus.internal.Fixtures.NR_OPENAT;
import static dev.meridian.bus.internal.Fixtures.NR_READ;
import static dev.meridian.bus.internal.Fixtures.call;
import static dev.meridian.bus.internal.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.bus.internal.Fixtures.StringMemory;
import dev.meridian.bus.internal.Fixtures.TestPolicy;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest path (dispatch, a CALL record with its capture, a COMPLETION record) allocates
 * nothing per call once warm.
 *
 * <p>The one allocation left is Chronicle's own, when the appender crosses into the next 64 MB
 * chunk of the queue file: it grows the file under a file lock and maps the chunk (about 1 KB,
 * some 350 000 calls apart). So the calls are measured in windows of 1 000: per-call garbage, even
 * one small object per call, would show as 16 KB or more in every window; a chunk crossing shows
 * in at most a couple of windows as a few hundred bytes.
 */
class GuestPathAllocationTest {

    private static final int WARM_UP_CALLS = 200_000;
    private static final int WINDOWS = 100;
    private static final int CALLS_PER_WINDOW = 1_000;
    /** 100 000 calls write less than one chunk: at most a file growth and a chunk mapping. */
    private static final int MAX_CHUNK_EVENTS = 2;
    private static final long MAX_CHUNK_EVENT_BYTES = 4_096;

    @TempDir
    Path journal;

    @Test
    void callsAndCompletionsAllocateNothingPerCallOnceWarm() throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        GuestMemory memory = new StringMemory("/usr/lib/x86_64-linux-gnu/libc.so.6");
        SyscallEvent event = new SyscallEvent();
        long[] allocatedPerWindow = new long[WINDOWS];
        try (SyscallGateway gateway = bus.open(journal, 42, spec(journal, "bench"), new TestPolicy())) {
            runCalls(gateway, event, memory, WARM_UP_CALLS);
            for (int window = 0; window < WINDOWS; window++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                runCalls(gateway, event, memory, CALLS_PER_WINDOW);
                allocatedPerWindow[window] = threads.getCurrentThreadAllocatedBytes() - before;
            }
        }

        List<Long> allocating = new ArrayList<>();
        for (long bytes : allocatedPerWindow) {
            if (bytes != 0) {
                allocating.add(bytes);
            }
        }
        String report = "bytes allocated in the windows of " + CALLS_PER_WINDOW + " calls that allocated: " + allocating;
        assertTrue(allocating.size() <= MAX_CHUNK_EVENTS, report);
        assertTrue(allocating.stream().allMatch(bytes -> bytes <= MAX_CHUNK_EVENT_BYTES), report);
    }

    /** Alternates a plain call with one that captures a path, as a traced program does. */
    private static void runCalls(SyscallGateway gateway, SyscallEvent event, GuestMemory memory, int calls) {
        for (int i = 0; i < calls; i++) {
            call(gateway, event, memory, 1234, (i & 1) == 0 ? NR_READ : NR_OPENAT, i);
        }
    }
}
