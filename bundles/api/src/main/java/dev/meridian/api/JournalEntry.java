package dev.meridian.api;

/**
 * One call as read back from the journal: the call, its captures and, when the completion was
 * recorded, its verdict and outcome. Built off the guest path (reading, tracing, export).
 *
 * @param sandboxId the sandbox the call came from
 * @param sequence the call's position in the journal
 * @param wallClockMillis when the supervisor received the call (epoch milliseconds)
 * @param pid thread-group id as the host sees it
 * @param tid calling thread as the host sees it
 * @param abi calling convention (AUDIT_ARCH on Linux)
 * @param number system call number
 * @param args the six raw argument registers
 * @param captures guest memory captured per argument ({@code null} where none was captured)
 * @param truncated per argument: whether the capture was cut at its bound
 * @param completed whether a completion was journaled for this call
 * @param action the verdict's action ({@code null} if not completed)
 * @param errno the verdict's errno for {@link VerdictAction#DENY}
 * @param rule the id of the deciding rule ({@code null} if none)
 * @param interrupted whether the guest abandoned the call before it was answered
 * @param resultKnown whether the supervisor knows what the guest got back
 * @param returnValue what the guest got back (a result or {@code -errno})
 * @param latencyNanos time from receipt to answer in the supervisor
 */
public record JournalEntry(
        long sandboxId,
        long sequence,
        long wallClockMillis,
        int pid,
        int tid,
        int abi,
        int number,
        long[] args,
        byte[][] captures,
        boolean[] truncated,
        boolean completed,
        VerdictAction action,
        int errno,
        String rule,
        boolean interrupted,
        boolean resultKnown,
        long returnValue,
        long latencyNanos) {

    public long arg(int index) {
        return args[index];
    }

    public byte[] capture(int argIndex) {
        return captures[argIndex];
    }
}
