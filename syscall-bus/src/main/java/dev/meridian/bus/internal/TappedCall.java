package dev.meridian.bus.internal;

import dev.meridian.api.CompletedCall;
import dev.meridian.api.VerdictAction;
import java.nio.ByteBuffer;

/**
 * The traffic tap's one {@link CompletedCall}, refilled for each call it delivers: the fields of
 * the CALL record (from the tap's join table or the journal) and of its COMPLETION record.
 */
final class TappedCall implements CompletedCall {

    private long sandboxId;
    private long sequence;
    private long wallClockMillis;
    private int pid;
    private int tid;
    private int abi;
    private int number;
    private VerdictAction action;
    private int errno;
    private String rule;
    private boolean interrupted;
    private boolean resultKnown;
    private long returnValue;
    private long latencyNanos;

    void call(long sandboxId, long sequence, long wallClockMillis, int pid, int tid, int abi, int number) {
        this.sandboxId = sandboxId;
        this.sequence = sequence;
        this.wallClockMillis = wallClockMillis;
        this.pid = pid;
        this.tid = tid;
        this.abi = abi;
        this.number = number;
    }

    /** Takes the call's fields from its CALL record, which {@link RecordFormat#checkCall} accepted. */
    void call(ByteBuffer record, long sequence) {
        call(record.getLong(RecordFormat.SANDBOX_ID_AT), sequence, record.getLong(RecordFormat.WALL_MILLIS_AT),
                record.getInt(RecordFormat.CALL_PID_AT), record.getInt(RecordFormat.CALL_TID_AT),
                record.getInt(RecordFormat.CALL_ABI_AT), record.getInt(RecordFormat.CALL_NUMBER_AT));
    }

    /** Takes the outcome from a COMPLETION record, which {@link RecordFormat#checkCompletion} accepted. */
    void completion(ByteBuffer record, String rule) {
        this.action = RecordFormat.completionAction(record);
        this.errno = record.getInt(RecordFormat.COMPLETION_ERRNO_AT);
        this.rule = rule;
        int flags = record.get(RecordFormat.COMPLETION_FLAGS_AT);
        this.interrupted = (flags & RecordFormat.INTERRUPTED) != 0;
        this.resultKnown = (flags & RecordFormat.RESULT_KNOWN) != 0;
        this.returnValue = record.getLong(RecordFormat.COMPLETION_RETURN_AT);
        this.latencyNanos = record.getLong(RecordFormat.COMPLETION_LATENCY_AT);
    }

    @Override
    public long sandboxId() {
        return sandboxId;
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public long wallClockMillis() {
        return wallClockMillis;
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public int tid() {
        return tid;
    }

    @Override
    public int abi() {
        return abi;
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public VerdictAction action() {
        return action;
    }

    @Override
    public int errno() {
        return errno;
    }

    @Override
    public String rule() {
        return rule;
    }

    @Override
    public boolean interrupted() {
        return interrupted;
    }

    @Override
    public long returnValue() {
        return returnValue;
    }

    @Override
    public boolean resultKnown() {
        return resultKnown;
    }

    @Override
    public long latencyNanos() {
        return latencyNanos;
    }

    @Override
    public String toString() {
        return "CompletedCall[sandbox=" + Long.toHexString(sandboxId) + ", sequence=0x" + Long.toHexString(sequence)
                + ", pid=" + pid + ", number=" + number + ", action=" + action + ", rule=" + rule + "]";
    }
}
