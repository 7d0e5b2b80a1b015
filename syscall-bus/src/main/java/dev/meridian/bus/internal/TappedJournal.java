package dev.meridian.bus.internal;

import dev.meridian.api.TrafficListener;
import dev.meridian.bus.JournalDiagnostics;
import dev.meridian.bus.internal.JournalRecord.SandboxExit;
import dev.meridian.bus.internal.JournalRecord.SandboxPolicy;
import dev.meridian.bus.internal.JournalRecord.SandboxStart;
import dev.meridian.bus.internal.RecordFormat.MalformedRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.NavigableSet;
import java.util.function.BooleanSupplier;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One journal as the traffic tap follows it. On the tap's thread, {@link #pump} reads records from
 * where the tap started (the journal's end then) and hands them on: a CALL waits in a fixed table
 * of primitive slots indexed by the low bits of its journal index until its COMPLETION arrives,
 * then both go out as one {@link TappedCall}. Nothing is allocated per call. A completion whose
 * call is not in the table (overwritten by a call {@link #JOIN_SLOTS} records later, or journaled
 * before the tap started) has its call read back from the journal by index, so a slow join never
 * loses a call; only a call the journal cannot give back is counted lost.
 *
 * <p>Any thread may {@link #measure} how far behind the tap is: the tap thread publishes its
 * position after each batch, and the journal itself says how much follows it.
 */
final class TappedJournal {

    /** Calls awaiting their completion, by the low bits of the call's index (~0.6 MB per journal). */
    static final int JOIN_SLOTS = 1 << 14;
    /** Records read from one journal before the tap turns to the next and publishes its position. */
    static final int BATCH = 256;
    /** How many records past a damaged one the age of the oldest undelivered record is looked for. */
    private static final int AGE_PROBES = 16;
    private static final Logger LOG = LoggerFactory.getLogger(TappedJournal.class);

    final Journal journal;
    /** The journal's last index when the tap started on it (-1: it was empty). */
    private final long startAfter;
    private final SkippedRecords skipped;

    // ---- the tap thread's ----
    private RecordScanner scanner;
    private final long[] slotCall = new long[JOIN_SLOTS];
    private final long[] slotSandbox = new long[JOIN_SLOTS];
    private final long[] slotWallMillis = new long[JOIN_SLOTS];
    /** pid, tid, abi and number of each slot's call. */
    private final int[] slotInts = new int[4 * JOIN_SLOTS];
    private long consumed;
    private long deliveredUntaken;
    private long lostUntaken;
    /** Records consumed but lost (malformed, or a completion without its call), ever. */
    private long lostHere;
    private long skippedSeen;
    private boolean failed;

    // ---- published by the tap thread after each batch, as a sequence lock ----
    private volatile int version;
    private volatile long publishedPosition;
    private volatile long publishedConsumed;

    // ---- the status side's, under the tap's status lock ----
    /** The most records ever known to be journaled since the tap started on this journal. */
    private long journaledHigh;

    /** Made where the tap is told of the journal, with {@code journal.queue().lastIndex()} just read. */
    TappedJournal(Journal journal, long startAfter) {
        this.journal = journal;
        this.startAfter = startAfter;
        this.skipped = new SkippedRecords(journal.directory());
        Arrays.fill(slotCall, -1);
        this.publishedPosition = startAfter < 0 ? -1 : startAfter + 1;
    }

    /**
     * Reads and hands on up to {@link #BATCH} records. On the tap's thread.
     *
     * @param stepOverDamage whether to look past what looks like the end (see {@link RecordScanner#nextRaw})
     * @return how many records were consumed (delivered or lost)
     */
    int pump(TrafficListener out, RuleNames names, TappedCall call, boolean stepOverDamage,
            BooleanSupplier stopping) {
        if (failed) {
            return 0;
        }
        if (scanner == null) {
            scanner = new RecordScanner(journal, skipped);
            scanner.startAfter(startAfter);
        }
        long before = consumed;
        long lostBefore = lostHere;
        try {
            boolean lookPastTheEnd = stepOverDamage && scanner.mayHaveMore();
            for (int n = 0; n < BATCH && !stopping.getAsBoolean(); n++) {
                ByteBuffer record = scanner.nextRaw(lookPastTheEnd);
                if (record == null) {
                    break;
                }
                consumed++;
                try {
                    hand(record, scanner.index(), out, names, call);
                } catch (MalformedRecordException e) {
                    lose(scanner.index(), e.getMessage());
                }
            }
        } catch (RuntimeException e) { // the journal cannot be read on (see RecordScanner): stop following it
            failed = true;
            LOG.error("traffic tap: stopped following journal {}: {}", journal.directory(), RecordScanner.causeOf(e), e);
        }
        long newlySkipped = skipped.count() - skippedSeen;
        if (newlySkipped > 0) {
            skippedSeen += newlySkipped;
            lostUntaken += newlySkipped;
            // Those the scanner stepped over itself never came out of nextRaw: consumed here.
            consumed += newlySkipped - (lostHere - lostBefore);
            if (skippedSeen - newlySkipped < JournalDiagnostics.MAX_WARNINGS) {
                skipped.warnings().stream().skip(skippedSeen - newlySkipped)
                        .forEach(warning -> LOG.warn("traffic tap: {} (counted lost)", warning));
            }
        }
        if (consumed != before && !failed) {
            publish(scanner.position(), consumed);
        }
        return (int) (consumed - before);
    }

    /** Counts the record at {@code index}, already consumed, as lost. */
    private void lose(long index, String cause) {
        skipped.add(index, cause);
        lostHere++;
    }

    private void hand(ByteBuffer record, long index, TrafficListener out, RuleNames names, TappedCall call)
            throws MalformedRecordException {
        byte type = RecordFormat.checkedType(record);
        switch (type) {
            case RecordFormat.CALL -> {
                RecordFormat.checkCall(record);
                int slot = slot(index);
                slotCall[slot] = index;
                slotSandbox[slot] = record.getLong(RecordFormat.SANDBOX_ID_AT);
                slotWallMillis[slot] = record.getLong(RecordFormat.WALL_MILLIS_AT);
                slotInts[4 * slot] = record.getInt(RecordFormat.CALL_PID_AT);
                slotInts[4 * slot + 1] = record.getInt(RecordFormat.CALL_TID_AT);
                slotInts[4 * slot + 2] = record.getInt(RecordFormat.CALL_ABI_AT);
                slotInts[4 * slot + 3] = record.getInt(RecordFormat.CALL_NUMBER_AT);
                deliveredUntaken++;
            }
            case RecordFormat.COMPLETION -> {
                RecordFormat.checkCompletion(record);
                long callIndex = record.getLong(RecordFormat.COMPLETION_CALL_AT);
                long sandboxId = record.getLong(RecordFormat.SANDBOX_ID_AT);
                int slot = slot(callIndex);
                if (slotCall[slot] == callIndex) {
                    slotCall[slot] = -1;
                    call.call(slotSandbox[slot], callIndex, slotWallMillis[slot], slotInts[4 * slot],
                            slotInts[4 * slot + 1], slotInts[4 * slot + 2], slotInts[4 * slot + 3]);
                } else if (!readCall(callIndex, call)) {
                    lose(index, "the call 0x" + Long.toHexString(callIndex) + " it completes cannot be read");
                    return;
                }
                if (!names.knows(sandboxId)) {
                    learnNames(names, sandboxId, index);
                }
                call.completion(record, names.name(sandboxId, record.getInt(RecordFormat.COMPLETION_RULE_AT)));
                deliveredUntaken++;
                out.callCompleted(call);
            }
            case RecordFormat.SANDBOX_START -> {
                SandboxStart start = (SandboxStart) RecordFormat.decode(record, index);
                names.learn(start.sandboxId(), start.ruleNames());
                deliveredUntaken++;
                out.sandboxStarted(start.sandboxId(), start.wallClockMillis(), start.profile(), start.command());
            }
            case RecordFormat.SANDBOX_POLICY -> {
                SandboxPolicy policy = (SandboxPolicy) RecordFormat.decode(record, index);
                names.learn(policy.sandboxId(), policy.ruleNames());
                deliveredUntaken++;
            }
            case RecordFormat.SANDBOX_EXIT -> {
                SandboxExit exit = (SandboxExit) RecordFormat.decode(record, index);
                deliveredUntaken++;
                out.sandboxExited(exit.sandboxId(), exit.wallClockMillis(), exit.status());
                names.forget(exit.sandboxId());
            }
            default -> throw new MalformedRecordException("unknown record type " + type);
        }
    }

    /** Reads the call at {@code callIndex} back from the journal into {@code call}; false if it is not there. */
    private boolean readCall(long callIndex, TappedCall call) {
        ByteBuffer record = scanner.readAt(callIndex);
        try {
            if (record == null || RecordFormat.checkedType(record) != RecordFormat.CALL) {
                return false;
            }
            RecordFormat.checkCall(record);
        } catch (MalformedRecordException e) {
            return false;
        }
        call.call(record, callIndex);
        return true;
    }

    /**
     * Names the rules of a sandbox whose start the tap did not read (it started before the tap):
     * from the start or policy record in force at {@code index}, if the sandbox runs in this process.
     */
    private void learnNames(RuleNames names, long sandboxId, long index) {
        long namingIndex = journal.namingIndexAt(sandboxId, index);
        ByteBuffer record = namingIndex < 0 ? null : scanner.readAt(namingIndex);
        if (record != null) {
            try {
                switch (RecordFormat.decode(record, namingIndex)) {
                    case SandboxStart start -> {
                        names.learn(sandboxId, start.ruleNames());
                        return;
                    }
                    case SandboxPolicy policy -> {
                        names.learn(sandboxId, policy.ruleNames());
                        return;
                    }
                    default -> {
                    }
                }
            } catch (MalformedRecordException e) {
                // as unknown
            }
        }
        names.unknown(sandboxId);
    }

    private static int slot(long index) {
        return (int) (index & (JOIN_SLOTS - 1));
    }

    private void publish(long position, long consumedSoFar) {
        int v = version;
        version = v + 1;
        publishedPosition = position;
        publishedConsumed = consumedSoFar;
        version = v + 2;
    }

    /** Records delivered since the last call; on the tap's thread. */
    long takeDelivered() {
        long n = deliveredUntaken;
        deliveredUntaken = 0;
        return n;
    }

    /** Records lost since the last call; on the tap's thread. */
    long takeLost() {
        long n = lostUntaken;
        lostUntaken = 0;
        return n;
    }

    /** Closes the tailers; on the tap's thread. */
    void close() {
        if (scanner != null) {
            scanner.close();
        }
    }

    // ---- status, on any thread, under the tap's status lock ----

    /**
     * How far behind the tap is on this journal, as {@link #measure} finds it.
     *
     * @param newlyLost records found deleted before the tap read them since the last measure
     */
    record Lag(long records, double seconds, long newlyLost) {
    }

    /**
     * Counts the records after the tap's published position and the age of the first of them.
     * Records the tap never read whose files are gone (deleted before it got there) are noticed as
     * a drop of what it knew was journaled (consumed + lag, which only grows otherwise).
     */
    Lag measure() {
        SingleChronicleQueue queue = journal.queue();
        if (queue.isClosed()) {
            return new Lag(0, 0, 0);
        }
        try (ExcerptTailer tailer = queue.createTailer()) {
            // The journal's end first, then the tap's position: counted the other way round, a
            // caller descheduled in between would count records journaled after the position was
            // taken as lag.
            int last = queue.lastCycle();
            long inLast = last < 0 ? -1 : tailer.excerptsInCycle(last);
            long position;
            long consumedSoFar;
            while (true) {
                int v = version;
                position = publishedPosition;
                consumedSoFar = publishedConsumed;
                if ((v & 1) == 0 && v == version) {
                    break;
                }
                Thread.onSpinWait();
            }
            long nowMillis = System.currentTimeMillis();
            RollCycle rollCycle = queue.rollCycle();
            int first = position < 0 ? queue.firstCycle() : rollCycle.toCycle(position);
            long firstSequence = position < 0 ? 0 : rollCycle.toSequenceNumber(position);
            long records = 0;
            long oldest = -1;
            if (first <= last) {
                NavigableSet<Long> cycles = queue.listCyclesBetween(first, last);
                for (long cycle : cycles) {
                    long inCycle = cycle == last ? inLast : tailer.excerptsInCycle((int) cycle);
                    long from = cycle == first ? firstSequence : 0;
                    if (inCycle > from) {
                        records += inCycle - from;
                        if (oldest < 0) {
                            oldest = rollCycle.toIndex((int) cycle, from);
                        }
                    }
                }
            }
            long journaled = consumedSoFar + records;
            long newlyLost = Math.max(0, journaledHigh - journaled);
            if (newlyLost > 0) {
                LOG.warn("traffic tap: {} records of journal {} were deleted before the tap read them", newlyLost,
                        journal.directory());
            }
            journaledHigh = Math.max(journaledHigh, journaled);
            double seconds = 0;
            if (oldest >= 0) {
                long wallMillis = wallMillisFrom(tailer, oldest);
                seconds = wallMillis < 0 ? 0 : Math.max(0, nowMillis - wallMillis) / 1000.0;
            }
            return new Lag(records, seconds, newlyLost);
        } catch (RuntimeException e) { // closed under us, or a damaged file: nothing better to say
            return new Lag(0, 0, 0);
        }
    }

    /** The wall clock of the first readable record at or after {@code index}, or -1. */
    private static long wallMillisFrom(ExcerptTailer tailer, long index) {
        for (int probe = 0; probe < AGE_PROBES; probe++) {
            long wallMillis = wallMillisAt(tailer, index + probe);
            if (wallMillis >= 0) {
                return wallMillis;
            }
        }
        return -1;
    }

    /** When the record at {@code index} was written (a completion: when its call was), or -1. */
    private static long wallMillisAt(ExcerptTailer tailer, long index) {
        ByteBuffer record = copyAt(tailer, index);
        try {
            if (record == null) {
                return -1;
            }
            if (RecordFormat.checkedType(record) == RecordFormat.COMPLETION) {
                RecordFormat.checkCompletion(record);
                record = copyAt(tailer, record.getLong(RecordFormat.COMPLETION_CALL_AT));
                if (record == null || RecordFormat.checkedType(record) == RecordFormat.COMPLETION) {
                    return -1;
                }
            }
            return record.limit() >= RecordFormat.WALL_MILLIS_AT + Long.BYTES
                    ? record.getLong(RecordFormat.WALL_MILLIS_AT) : -1;
        } catch (MalformedRecordException e) {
            return -1;
        }
    }

    private static ByteBuffer copyAt(ExcerptTailer tailer, long index) {
        if (!tailer.moveToIndex(index)) {
            return null;
        }
        try (DocumentContext document = tailer.readingDocument()) {
            if (!document.isPresent() || document.index() != index) {
                return null;
            }
            Bytes<?> in = document.wire().bytes();
            byte[] bytes = new byte[(int) in.readRemaining()];
            in.read(bytes);
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** The size of the journal's queue files. */
    long bytes() {
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(journal.key(), "*.cq4")) {
            for (Path file : files) {
                try {
                    total += Files.size(file);
                } catch (IOException e) {
                    // deleted meanwhile
                }
            }
        } catch (IOException e) {
            // the directory went away: nothing to count
        }
        return total;
    }
}
