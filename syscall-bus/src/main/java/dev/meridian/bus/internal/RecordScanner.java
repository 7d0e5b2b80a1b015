package dev.meridian.bus.internal;

import dev.meridian.bus.internal.RecordFormat.MalformedRecordException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.text.ParseException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Walks a journal from its first record, decoding each and skipping (and reporting) those that do
 * not decode, so one bad record never hides the rest. Confined to the thread that made it, like
 * the Chronicle tailers inside.
 *
 * <p>{@link #nextRaw} hands out the bytes of each record without decoding them, through one reused
 * buffer, for readers that must not allocate per record (the traffic tap).
 */
final class RecordScanner implements AutoCloseable {

    private final Path directory;
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final SkippedRecords skipped;
    /** An unrepaired damaged tail: nothing from there on is read (see {@link JournalRegistry}). */
    private final long readLimit;
    private final RecordBuffer record = new RecordBuffer();
    private long index = -1;
    /** Looks records up by index and probes the journal's end, leaving {@link #tailer} where it is. */
    private ExcerptTailer lookupTailer;
    /** Finds the journal's last record (see {@link #lastIndex}). */
    private ExcerptTailer endTailer;
    private RecordBuffer lookedUp;

    RecordScanner(Journal journal, SkippedRecords skipped) {
        this.directory = journal.directory();
        this.queue = journal.queue();
        this.tailer = confinedTailer(queue);
        this.skipped = skipped;
        this.readLimit = journal.readLimit();
    }

    /** Continues from the record at {@code index}, or from the first record if there is none. */
    void startAt(long index) {
        if (!tailer.moveToIndex(index)) {
            tailer.toStart();
        }
    }

    /**
     * Continues after the record at {@code index} (the journal's last when the caller looked), or
     * from the first record if {@code index} is negative (the journal was empty).
     */
    void startAfter(long index) {
        // A live follower probes the journal's end when idle: its tailers are made now, not mid-traffic.
        lookupTailer();
        endTailer();
        if (index < 0) {
            return;
        }
        if (tailer.moveToIndex(index)) {
            try (DocumentContext skippedOver = tailer.readingDocument()) {
                // read past it
            }
        } else {
            tailer.toEnd();
        }
    }

    /** The next decodable record, or {@code null} at the journal's current end. */
    JournalRecord next() {
        return next(true);
    }

    /**
     * The next decodable record, or {@code null} at what looks like the journal's end; with
     * {@code stepOverDamage} as {@link #nextRaw} takes it (live followers look past the end only
     * when {@link #mayHaveMore} says there is something).
     */
    JournalRecord next(boolean stepOverDamage) {
        for (ByteBuffer bytes; (bytes = nextRaw(stepOverDamage)) != null; ) {
            try {
                return RecordFormat.decode(bytes, index);
            } catch (MalformedRecordException e) {
                skipped.add(index, e.getMessage());
            }
        }
        return null;
    }

    /**
     * The bytes of the next record (little-endian, position 0, limit its length; valid until the
     * next call), or {@code null} at the journal's current end; {@link #index} says where it is.
     * Allocates nothing once the buffer is large enough.
     *
     * @param stepOverDamage whether to look past an excerpt Chronicle cannot read, which looks like
     *     the end; that costs a walk of the queue's end, so live readers do it only when they see no
     *     progress (see {@link #mayHaveMore})
     */
    ByteBuffer nextRaw(boolean stepOverDamage) {
        while (true) {
            try {
                return readNext(stepOverDamage);
            } catch (Exception e) { // Chronicle throws some checked exceptions undeclared
                if (!skipDamagedFile(e)) {
                    return null;
                }
            }
        }
    }

    /** The index of the record {@link #nextRaw} returned last. */
    long index() {
        return index;
    }

    /** The index the next record will have if the journal goes on in the current file. */
    long position() {
        return tailer.index();
    }

    /**
     * Whether the journal holds anything at or after the scanner's position: a newer file, or an
     * index entry for the next excerpt (which the scanner could not read, so it is damaged or still
     * being written). Cheap and allocation-free, for deciding when {@link #nextRaw} at the end
     * should step over damage.
     */
    boolean mayHaveMore() {
        long next = tailer.index();
        if (next >= readLimit) {
            return false;
        }
        if (queue.lastCycle() > queue.rollCycle().toCycle(next)) {
            return true;
        }
        return lookupTailer().moveToIndex(next);
    }

    /**
     * The bytes of the record at {@code index} (as {@link #nextRaw} gives them, but in a buffer of
     * their own), or {@code null} if the journal has no readable excerpt there (or it lies past an
     * unrepaired damaged tail).
     */
    ByteBuffer readAt(long index) {
        if (index >= readLimit) {
            return null;
        }
        try {
            ExcerptTailer lookup = lookupTailer();
            if (!lookup.moveToIndex(index)) {
                return null;
            }
            try (DocumentContext document = lookup.readingDocument()) {
                if (!document.isPresent() || document.index() != index) {
                    return null;
                }
                if (lookedUp == null) {
                    lookedUp = new RecordBuffer();
                }
                return lookedUp.copy(document.wire().bytes());
            }
        } catch (Exception e) { // a damaged file: the record is not there to read
            return null;
        }
    }

    private ExcerptTailer lookupTailer() {
        if (lookupTailer == null) {
            lookupTailer = confinedTailer(queue);
        }
        return lookupTailer;
    }

    private ExcerptTailer endTailer() {
        if (endTailer == null) {
            endTailer = confinedTailer(queue).direction(TailerDirection.BACKWARD);
        }
        return endTailer;
    }

    /**
     * A tailer without Chronicle's check that one thread uses it: the scanner is confined to one
     * thread anyway, and the check allocates a stack trace whenever it (re)assigns the tailer's
     * bytes to a thread, which the traffic tap's thread must not do in the middle of the traffic.
     */
    private static ExcerptTailer confinedTailer(SingleChronicleQueue queue) {
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        return tailer;
    }

    private ByteBuffer readNext(boolean stepOverDamage) {
        while (true) {
            try (DocumentContext document = tailer.readingDocument()) {
                if (!document.isPresent()) {
                    if (stepOverDamage && skipUnreadable()) {
                        continue;
                    }
                    return null;
                }
                if (document.index() >= readLimit) {
                    document.rollbackOnClose();
                    return null;
                }
                index = document.index();
                return record.copy(document.wire().bytes());
            }
        }
    }

    /**
     * Goes on after a journal file Chronicle cannot open (a damaged file header makes the tailer
     * throw when it rolls into that day's file): skips that file for the next one.
     *
     * @return whether the tailer stands in a later file; false if the damaged file was the last
     * @throws IllegalStateException naming the journal if {@code failure} was not such a file
     */
    private boolean skipDamagedFile(Exception failure) {
        int damaged = queue.isClosed() ? -1 : nextCycle(tailer.cycle());
        if (damaged < 0 || opens(damaged)) {
            throw new IllegalStateException("cannot read journal " + directory + ": " + causeOf(failure), failure);
        }
        skipped.add(queue.rollCycle().toIndex(damaged, 0), "unreadable journal file (" + causeOf(failure) + ")");
        int next = nextCycle(damaged);
        return next >= 0 && opens(next);
    }

    private boolean opens(int cycle) {
        try {
            return tailer.moveToCycle(cycle);
        } catch (Exception e) { // as when reading: a damaged file header, possibly as a checked exception
            return false;
        }
    }

    /** The first day (cycle) with a file after {@code cycle}, or -1. */
    private int nextCycle(int cycle) {
        try {
            return queue.nextCycle(cycle, TailerDirection.FORWARD);
        } catch (ParseException e) {
            throw new IllegalStateException("cannot list the files of journal " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The innermost message: Chronicle wraps the one that names the defect. */
    static String causeOf(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /**
     * Steps over excerpts Chronicle cannot read (a damaged header stops a tailer as if it were the
     * end). Appends are serialised by the queue's write lock, so every excerpt before the last one
     * is complete: one of those that cannot be read is damaged, while the last may merely be still
     * being written.
     *
     * @return whether the tailer now stands on a readable excerpt
     */
    private boolean skipUnreadable() {
        long last = Math.min(lastIndex(), readLimit - 1);
        long next = tailer.index();
        RollCycle rollCycle = queue.rollCycle();
        while (next <= last) {
            // Repositioned through the index: after a damaged length the tailer is not where the
            // next excerpt starts. The first try also covers an excerpt completed since the read.
            if (tailer.moveToIndex(next) && readable()) {
                return true;
            }
            if (next == last) {
                return false;
            }
            int cycle = rollCycle.toCycle(next);
            if (rollCycle.toSequenceNumber(next) < tailer.excerptsInCycle(cycle)) {
                skipped.add(next, "unreadable excerpt (damaged header)");
                next++;
            } else {
                // Past the end of a file that was never sealed: go on with the next day's.
                next = rollCycle.toIndex(cycle + 1, 0);
            }
        }
        return false;
    }

    /**
     * The index of the journal's last record, or -1, as {@link SingleChronicleQueue#lastIndex} finds
     * it (from the end, backwards, past metadata), but through a tailer kept for it: lastIndex makes
     * a tailer per call, and the tap's thread gets here whenever an idle probe meets a record still
     * being written.
     */
    private long lastIndex() {
        ExcerptTailer end = endTailer().toEnd();
        while (true) {
            try (DocumentContext document = end.readingDocument()) {
                if (!document.isPresent()) {
                    return -1;
                }
                if (!document.isMetaData()) {
                    return document.index();
                }
            }
        }
    }

    /** Whether the excerpt at the tailer can be read, leaving the tailer on it. */
    private boolean readable() {
        try (DocumentContext document = tailer.readingDocument()) {
            if (document.isPresent()) {
                document.rollbackOnClose();
                return true;
            }
            return false;
        }
    }

    @Override
    public void close() {
        tailer.close();
        if (lookupTailer != null) {
            lookupTailer.close();
        }
        if (endTailer != null) {
            endTailer.close();
        }
    }

    /** A growable copy of one excerpt, viewed little-endian as {@link RecordFormat} reads it. */
    private static final class RecordBuffer {
        private byte[] bytes = new byte[1024];
        private ByteBuffer view = wrap(bytes);

        ByteBuffer copy(Bytes<?> in) {
            int length = (int) in.readRemaining();
            if (bytes.length < length) {
                bytes = new byte[Math.max(length, 2 * bytes.length)];
                view = wrap(bytes);
            }
            in.read(bytes, 0, length);
            return view.limit(length).position(0);
        }

        private static ByteBuffer wrap(byte[] bytes) {
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
