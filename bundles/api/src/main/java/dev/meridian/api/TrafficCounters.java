package dev.meridian.api;

import java.util.List;
import java.util.Map;

/**
 * Calls per sandbox and system call, counted from a {@link TrafficTap}: what {@code meridian top}
 * turns into rates. Kept for running sandboxes and a bounded number of recently ended ones. An OSGi
 * service of the observability bundle.
 */
public interface TrafficCounters {

    /** The counts now; a caller gets rates by taking two snapshots. */
    Snapshot snapshot();

    /**
     * @param takenNanos {@link System#nanoTime()} when taken
     * @param sandboxes per sandbox, running ones first
     */
    record Snapshot(long takenNanos, List<SandboxTraffic> sandboxes) {
        public Snapshot {
            sandboxes = List.copyOf(sandboxes);
        }
    }

    /**
     * @param sandboxId the sandbox
     * @param running whether its end has not been read yet
     * @param calls answered calls so far
     * @param denials calls denied (or killed for)
     * @param callsBySyscall answered calls per system call name
     */
    record SandboxTraffic(long sandboxId, boolean running, long calls, long denials,
            Map<String, Long> callsBySyscall) {
        public SandboxTraffic {
            callsBySyscall = Map.copyOf(callsBySyscall);
        }
    }
}
