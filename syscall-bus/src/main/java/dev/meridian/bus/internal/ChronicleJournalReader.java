package dev.meridian.bus.internal;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.SandboxRecord;
import dev.meridian.api.VerdictAction;
import dev.meridian.bus.JournalDiagnostics;
import dev.meridian.bus.internal.JournalRecord.Call;
import dev.meridian.bus.internal.JournalRecord.Completion;
import dev.meridian.bus.internal.JournalRecord.SandboxExit;
import dev.meridian.bus.internal.JournalRecord.SandboxStart;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Reads a journal back. Each query walks the journal with a tailer of its own, so any thread may
 * ask; records that do not decode are skipped and reported through {@link JournalDiagnostics}.
 */
final class ChronicleJournalReader implements JournalReader, JournalDiagnostics {

    private final Journal journal;
    private final SkippedRecords skipped;
    private final Set<JournalFollower> follows = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ChronicleJournalReader(Journal journal) {
        this.journal = journal;
        this.skipped = new SkippedRecords(journal.directory());
        journal.damage().forEach(damage -> skipped.add(damage.index(), damage.cause()));
        journal.readerOpened();
    }

    @Override
    public List<SandboxRecord> sandboxes() {
        requireOpen();
        Map<Long, SandboxTally> tallies = new LinkedHashMap<>();
        try (RecordScanner scanner = new RecordScanner(journal, skipped)) {
            for (JournalRecord record; (record = scanner.next()) != null; ) {
                switch (record) {
                    case SandboxStart start -> tallies.put(start.sandboxId(), new SandboxTally(start));
                    case Call call -> {
                        SandboxTally tally = tallies.get(call.sandboxId());
                        if (tally != null) {
                            tally.calls++;
                        }
                    }
                    case Completion completion -> {
                        SandboxTally tally = tallies.get(completion.sandboxId());
                        if (tally != null && (completion.action() == VerdictAction.DENY
                                || completion.action() == VerdictAction.KILL)) {
                            tally.denials++;
                        }
                    }
                    case SandboxExit exit -> {
                        SandboxTally tally = tallies.get(exit.sandboxId());
                        if (tally != null) {
                            tally.exit = exit;
                        }
                    }
                    default -> {
                    }
                }
            }
        }
        List<SandboxRecord> sandboxes = new ArrayList<>(tallies.size());
        for (SandboxTally tally : tallies.values()) {
            sandboxes.add(tally.toRecord());
        }
        return sandboxes;
    }

    @Override
    public void entries(JournalQuery query, Consumer<JournalEntry> sink) {
        requireOpen();
        CallJoiner joiner = new CallJoiner(query, sink);
        try (RecordScanner scanner = new RecordScanner(journal, skipped)) {
            for (JournalRecord record; (record = scanner.next()) != null; ) {
                joiner.accept(record);
            }
        }
        joiner.finish();
    }

    @Override
    public Follow follow(long sandboxId, Consumer<JournalEntry> sink) {
        requireOpen();
        return start(JournalFollower.ofSandbox(journal, skipped, sandboxId, sink, follows::remove));
    }

    @Override
    public Follow followAll(JournalQuery query, Consumer<JournalEntry> sink) {
        requireOpen();
        return start(JournalFollower.ofJournal(journal, skipped, query, sink, follows::remove));
    }

    private Follow start(JournalFollower follower) {
        follows.add(follower);
        follower.start();
        return follower;
    }

    @Override
    public long skippedRecords() {
        return skipped.count();
    }

    @Override
    public List<String> warnings() {
        return skipped.warnings();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (JournalFollower follower : List.copyOf(follows)) {
                follower.close();
            }
        } finally {
            journal.readerClosed();
            journal.release();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("reader of journal " + journal.directory() + " is closed");
        }
    }

    private static final class SandboxTally {
        final SandboxStart start;
        SandboxExit exit;
        long calls;
        long denials;

        SandboxTally(SandboxStart start) {
            this.start = start;
        }

        SandboxRecord toRecord() {
            return new SandboxRecord(start.sandboxId(), start.wallClockMillis(), start.command(), start.profile(),
                    exit == null ? null : exit.status(), calls, exit == null ? -1 : exit.answeredCalls(), denials);
        }
    }
}
