package dev.meridian.observability.internal;

import dev.meridian.api.CompletedCall;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.TrafficCounters;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.VerdictAction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Calls per sandbox and system call, counted on the tap's thread and read by any thread as a
 * {@link TrafficCounters.Snapshot}. Kept for every running sandbox and the {@code retainedFinished} that ended last.
 * Counting allocates nothing per call once warm: the sandbox is found in a {@link LongMap}, the call's name index in
 * {@link SyscallNames}, and the counts are single-writer slots of an {@link AtomicLongArray}.
 */
final class CallCounts implements TrafficListener {
    private static final int CALLS = 0;
    private static final int DENIALS = 1;
    private static final int PER_SYSCALL = 2;

    private final SyscallNames names;
    private final int retainedFinished;
    /** The tap thread's index. */
    private final LongMap<Sandbox> byId = new LongMap<>();
    /** What snapshots read: the same sandboxes, changed only when one starts or is forgotten. */
    private final Map<Long, Sandbox> visible = new ConcurrentHashMap<>();
    private final Deque<Sandbox> finished = new ArrayDeque<>();
    private long order;
    private long lastId;
    private Sandbox last;

    CallCounts(SyscallNames names, int retainedFinished) {
        this.names = names;
        this.retainedFinished = retainedFinished;
    }

    @Override
    public void sandboxStarted(long sandboxId, long wallClockMillis, String policy, List<String> command) {
        sandbox(sandboxId);
    }

    @Override
    public void callCompleted(CompletedCall call) {
        Sandbox sandbox = sandbox(call.sandboxId());
        VerdictAction action = call.action();
        sandbox.increment(CALLS);
        if (action == VerdictAction.DENY || action == VerdictAction.KILL) {
            sandbox.increment(DENIALS);
        }
        sandbox.increment(PER_SYSCALL + names.index(call.abi(), call.number()));
    }

    @Override
    public void sandboxExited(long sandboxId, long wallClockMillis, ExitStatus status) {
        Sandbox sandbox = byId.get(sandboxId);
        if (sandbox == null || !sandbox.running) {
            return;
        }
        sandbox.running = false;
        finished.addLast(sandbox);
        while (finished.size() > retainedFinished) {
            Sandbox forgotten = finished.removeFirst();
            byId.remove(forgotten.id);
            visible.remove(forgotten.id);
            if (last == forgotten) {
                last = null;
            }
        }
    }

    /** The counts now; any thread. */
    TrafficCounters.Snapshot snapshot() {
        long taken = System.nanoTime();
        List<Sandbox> sandboxes = new ArrayList<>(visible.values());
        sandboxes.sort(Comparator.comparing((Sandbox sandbox) -> !sandbox.running).thenComparingLong(s -> s.order));
        List<TrafficCounters.SandboxTraffic> traffic = new ArrayList<>(sandboxes.size());
        for (Sandbox sandbox : sandboxes) {
            AtomicLongArray counts = sandbox.counts;
            Map<String, Long> bySyscall = new HashMap<>();
            for (int i = PER_SYSCALL; i < counts.length(); i++) {
                long calls = counts.get(i);
                if (calls != 0) {
                    bySyscall.merge(names.name(i - PER_SYSCALL), calls, Long::sum);
                }
            }
            traffic.add(new TrafficCounters.SandboxTraffic(sandbox.id, sandbox.running, counts.get(CALLS),
                    counts.get(DENIALS), bySyscall));
        }
        return new TrafficCounters.Snapshot(taken, traffic);
    }

    private Sandbox sandbox(long id) {
        if (last != null && lastId == id) {
            return last;
        }
        Sandbox sandbox = byId.get(id);
        if (sandbox == null) {
            // Its start record, or one seen before the tap subscribed.
            sandbox = new Sandbox(id, ++order);
            byId.put(id, sandbox);
            visible.put(id, sandbox);
        }
        lastId = id;
        last = sandbox;
        return sandbox;
    }

    /** One sandbox's counts: calls, denials, then calls by syscall index. Written by the tap thread alone. */
    private static final class Sandbox {
        final long id;
        final long order;
        volatile boolean running = true;
        /** Replaced by a longer copy when a new syscall index comes (a reader sees the old or the new one). */
        volatile AtomicLongArray counts = new AtomicLongArray(PER_SYSCALL + 64);

        Sandbox(long id, long order) {
            this.id = id;
            this.order = order;
        }

        void increment(int slot) {
            AtomicLongArray current = counts;
            if (slot >= current.length()) {
                AtomicLongArray longer = new AtomicLongArray(Math.max(current.length() * 2, slot + 1));
                for (int i = 0; i < current.length(); i++) {
                    longer.setPlain(i, current.get(i));
                }
                counts = longer;
                current = longer;
            }
            // One writer: a released plain add, no read-modify-write.
            current.setRelease(slot, current.getPlain(slot) + 1);
        }
    }
}
