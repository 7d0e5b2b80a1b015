package dev.meridian.bus.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.VerdictAction;
import java.util.List;

/** One journal record as read back; the layout on disk is {@link RecordFormat}'s. */
sealed interface JournalRecord {

    long sandboxId();

    /** A sandbox started; {@code ruleNames.get(i)} names policy rule id {@code i}. */
    record SandboxStart(long sandboxId, long wallClockMillis, String profile, List<String> ruleNames,
            List<String> command) implements JournalRecord {
    }

    /**
     * The sandbox's policy was replaced: calls completed after this record were judged by
     * {@code name}, whose rule id {@code i} is {@code ruleNames.get(i)}.
     */
    record SandboxPolicy(long sandboxId, long wallClockMillis, String name, List<String> ruleNames)
            implements JournalRecord {
    }

    /**
     * A call as the shim saw it, captures included. {@code sequence} is the record's own journal
     * index; {@code captures[i]} is {@code null} where argument {@code i} was not captured.
     */
    record Call(long sandboxId, long sequence, long wallClockMillis, long receivedNanos, int pid, int tid,
            int abi, int number, long[] args, byte[][] captures, boolean[] truncated) implements JournalRecord {
    }

    /** How the call journaled at {@code callSequence} was answered; {@code action} is null if undecided. */
    record Completion(long sandboxId, long callSequence, VerdictAction action, int errno, int ruleId,
            boolean memoryDependent, boolean interrupted, boolean resultKnown, long returnValue,
            long latencyNanos) implements JournalRecord {
    }

    /** A sandbox ended; {@code calls} the gateway journaled, {@code answeredCalls} the platform answered. */
    record SandboxExit(long sandboxId, long wallClockMillis, ExitStatus status, long calls, long answeredCalls)
            implements JournalRecord {
    }
}
