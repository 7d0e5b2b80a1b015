package dev.meridian.bus.internal;

import dev.meridian.bus.internal.RecordFormat.MalformedRecordException;
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
 * the Chronicle tailer inside.
 */
final class RecordScanner implements AutoCloseable {

    private final Path directory;
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final SkippedRecords skipped;
    /** An unrepaired damaged tail: nothing from there on is read (see {@link JournalRegistry}). */
    private final long readLimit;
    private byte[] buffer = new byte[1024];

    RecordScanner(Journal journal, SkippedRecords skipped) {
        this.directory = journal.directory();
        this.queue = journal.queue();
        this.tailer = queue.createTailer();
        this.skipped = skipped;
        this.readLimit = journal.readLimit();
    }

    /** Continues from the record at {@code index}, or from the first record if there is none. */
    void startAt(long index) {
        if (!tailer.moveToIndex(index)) {
            tailer.toStart();
        }
    }

    /** The next decodable record, or {@code null} at the journal's current end. */
    JournalRecord next() {
        while (true) {
            try {
                return readNext();
            } catch (Exception e) { // Chronicle throws some checked exceptions undeclared
                if (!skipDamagedFile(e)) {
                    return null;
                }
            }
        }
    }

    private JournalRecord readNext() {
        while (true) {
            try (DocumentContext document = tailer.readingDocument()) {
                if (!document.isPresent()) {
                    if (skipUnreadable()) {
                        continue;
                    }
                    return null;
                }
                if (document.index() >= readLimit) {
                    document.rollbackOnClose();
                    return null;
                }
                Bytes<?> in = document.wire().bytes();
                int length = (int) in.readRemaining();
                if (buffer.length < length) {
                    buffer = new byte[Math.max(length, 2 * buffer.length)];
                }
                in.read(buffer, 0, length);
                try {
                    return RecordFormat.decode(buffer, length, document.index());
                } catch (MalformedRecordException e) {
                    skipped.add(document.index(), e.getMessage());
                }
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
        long last = Math.min(queue.lastIndex(), readLimit - 1);
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
    }
}
