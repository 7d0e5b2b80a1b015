package dev.meridian.bus.internal;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.SandboxIds;
import dev.meridian.bus.internal.JournalRecord.SandboxExit;
import dev.meridian.bus.internal.JournalRecord.SandboxPolicy;
import dev.meridian.bus.internal.JournalRecord.SandboxStart;
import dev.meridian.bus.internal.RecordFormat.MalformedRecordException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Follows a journal live on a daemon thread of its own: a tailer walks the journal from where the
 * follow begins, joins each call with its completion and delivers the calls matching the query, until
 * it is closed or, following one sandbox, has read that sandbox's exit. Being a tailer, it never
 * slows the guest path: a sink that blocks holds up this thread only, and the journal keeps what it
 * has not read yet.
 */
final class JournalFollower implements JournalReader.Follow {

    /** Idle backoff while the journal has nothing new: starts short for low latency, caps CPU use. */
    static final long MIN_IDLE_NANOS = 20_000;
    /** The traffic tap's cap (it feeds metrics, whose lag it reports). */
    static final long MAX_IDLE_NANOS = 2_000_000;
    /**
     * A follower's cap: its sink is a person or a client reading a trace, to whom 10 ms is no delay,
     * and an idle follower then costs about half a percent of a core (FollowAllTest measures it).
     */
    private static final long FOLLOWER_MAX_IDLE_NANOS = 10_000_000;
    /** How long close waits for the thread (it may be inside the sink). */
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    /** How long {@link #start} waits for the follower to stand where it begins (microseconds, normally). */
    private static final long POSITION_WAIT_MILLIS = 10_000;
    /** No sandbox: a follower of the whole journal ends only when closed. */
    private static final long NO_SANDBOX = 0;

    private final Journal journal;
    private final SkippedRecords skipped;
    private final JournalQuery query;
    /** The sandbox whose exit ends the follow, or {@link #NO_SANDBOX}. */
    private final long endsWithSandbox;
    private final String description;
    private final Consumer<JournalEntry> sink;
    private final Consumer<JournalFollower> onClose;
    private final Thread thread;
    private final CountDownLatch positioned = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile boolean endRead;
    private volatile Throwable failure;

    private JournalFollower(Journal journal, SkippedRecords skipped, JournalQuery query, long endsWithSandbox,
            String description, Consumer<JournalEntry> sink, Consumer<JournalFollower> onClose) {
        this.journal = journal;
        this.skipped = skipped;
        this.query = query;
        this.endsWithSandbox = endsWithSandbox;
        this.description = description;
        this.sink = sink;
        this.onClose = onClose;
        this.thread = Thread.ofPlatform().daemon()
                .name("meridian-follow-" + (endsWithSandbox != NO_SANDBOX ? SandboxIds.format(endsWithSandbox) : "all"))
                .unstarted(this::run);
    }

    /** Follows one sandbox from its start record until its exit record. */
    static JournalFollower ofSandbox(Journal journal, SkippedRecords skipped, long sandboxId,
            Consumer<JournalEntry> sink, Consumer<JournalFollower> onClose) {
        return new JournalFollower(journal, skipped, new JournalQuery(sandboxId, null, null, null, null), sandboxId,
                "sandbox " + SandboxIds.format(sandboxId), sink, onClose);
    }

    /**
     * Follows every sandbox matching {@code query} until closed: from the journal's current end, or
     * with {@link JournalQuery#fromMillis} from its start (the query skips the calls before that time).
     */
    static JournalFollower ofJournal(Journal journal, SkippedRecords skipped, JournalQuery query,
            Consumer<JournalEntry> sink, Consumer<JournalFollower> onClose) {
        return new JournalFollower(journal, skipped, query, NO_SANDBOX, "the journal", sink, onClose);
    }

    /**
     * Starts the follower and returns once it stands where it begins: every call journaled from then on is
     * delivered.
     */
    void start() {
        thread.start();
        try {
            positioned.await(POSITION_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (RecordScanner scanner = new RecordScanner(journal, skipped)) {
            CallJoiner joiner = new CallJoiner(query, sink,
                    (sandboxId, index) -> ruleNamesAt(scanner, sandboxId, index));
            position(scanner);
            positioned.countDown();
            long idleNanos = MIN_IDLE_NANOS;
            while (!stopping) {
                // Damage looks like the journal's end; look past it only once nothing moves and there is something.
                boolean stepOverDamage = idleNanos >= FOLLOWER_MAX_IDLE_NANOS && scanner.mayHaveMore();
                JournalRecord record = scanner.next(stepOverDamage);
                if (record == null) {
                    LockSupport.parkNanos(idleNanos);
                    idleNanos = Math.min(2 * idleNanos, FOLLOWER_MAX_IDLE_NANOS);
                    continue;
                }
                idleNanos = MIN_IDLE_NANOS;
                joiner.accept(record);
                if (endsWithSandbox != NO_SANDBOX && record instanceof SandboxExit exit
                        && exit.sandboxId() == endsWithSandbox) {
                    endRead = true;
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            positioned.countDown();
            finished.countDown();
        }
    }

    /** Puts the scanner where the follow begins. */
    private void position(RecordScanner scanner) {
        if (endsWithSandbox != NO_SANDBOX) {
            // A sandbox running in this process is found through the index, any other by the walk.
            long start = journal.startIndexOf(endsWithSandbox);
            if (start >= 0) {
                scanner.startAt(start);
            }
        } else if (query.fromMillis() == null) {
            scanner.startAfter(journal.queue().lastIndex());
        }
        // Else from the first record: the query drops the calls before fromMillis.
    }

    /**
     * The rule names of a sandbox whose start this follower did not read (it joined at the journal's
     * end): from the start or policy record in force at {@code index}, which the journal indexes for
     * the sandboxes running in this process. Null for others: their rules show by id.
     */
    private List<String> ruleNamesAt(RecordScanner scanner, long sandboxId, long index) {
        long namingIndex = journal.namingIndexAt(sandboxId, index);
        ByteBuffer record = namingIndex < 0 ? null : scanner.readAt(namingIndex);
        if (record == null) {
            return null;
        }
        try {
            return switch (RecordFormat.decode(record, namingIndex)) {
                case SandboxStart start -> start.ruleNames();
                case SandboxPolicy policy -> policy.ruleNames();
                default -> null;
            };
        } catch (MalformedRecordException e) {
            return null;
        }
    }

    @Override
    public boolean awaitEnd(long timeoutMillis) throws InterruptedException {
        if (!finished.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        Throwable cause = failure;
        if (cause != null) {
            throw new IllegalStateException("following " + description + " in journal " + journal.directory()
                    + " failed: " + cause, cause);
        }
        return endRead;
    }

    @Override
    public void close() {
        stopping = true;
        onClose.accept(this);
        if (Thread.currentThread() != thread) {
            LockSupport.unpark(thread);
            try {
                thread.join(CLOSE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
