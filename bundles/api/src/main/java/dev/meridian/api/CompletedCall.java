package dev.meridian.api;

/**
 * One answered call as a {@link TrafficTap} delivers it: the call's identity joined with its
 * completion. A flyweight the tap reuses; read it during {@link TrafficListener#callCompleted} only.
 * Captured guest memory is not carried (it is in the journal).
 */
public interface CompletedCall {

    long sandboxId();

    /** The call's position in its journal. */
    long sequence();

    /** When the supervisor received the call (epoch milliseconds). */
    long wallClockMillis();

    int pid();

    int tid();

    /** Calling convention (AUDIT_ARCH on Linux). */
    int abi();

    /** System call number. */
    int number();

    /** The verdict's action; {@code null} when the completion recorded none. */
    VerdictAction action();

    /** The verdict's errno for {@link VerdictAction#DENY}. */
    int errno();

    /**
     * The name of the deciding rule (the same String instance for the same rule of a sandbox, so
     * listeners may use it as a key without allocating), or {@code null} when none decided.
     */
    String rule();

    /** Whether the guest abandoned the call before it was answered. */
    boolean interrupted();

    /** What the guest got back (a result or {@code -errno}), when known. */
    long returnValue();

    boolean resultKnown();

    /** Time from receipt to answer in the supervisor. */
    long latencyNanos();
}
