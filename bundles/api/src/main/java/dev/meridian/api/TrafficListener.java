package dev.meridian.api;

import java.util.List;

/**
 * Receives the traffic of a {@link TrafficTap}, on the tap's thread. Must be quick and must not
 * block: every listener of the tap waits for it.
 */
public interface TrafficListener {

    /** A sandbox's start record: its policy label and command. */
    default void sandboxStarted(long sandboxId, long wallClockMillis, String policy, List<String> command) {
    }

    /** A call was answered. {@code call} is a flyweight, valid only during this method. */
    void callCompleted(CompletedCall call);

    /** A sandbox's end record. */
    default void sandboxExited(long sandboxId, long wallClockMillis, ExitStatus status) {
    }
}
