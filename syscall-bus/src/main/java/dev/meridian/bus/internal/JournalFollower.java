package dev.meridian.bus.internal;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.SandboxIds;
import dev.meridian.bus.internal.JournalRecord.SandboxExit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Follows one sandbox live on a daemon thread of its own: a tailer walks the journal from the
 * sandbox's start record (straight there when the sandbox runs in this process, else from the
 * first record), delivers the sandbox's calls as their completions are read, and stops after its
 * exit record. Being a tailer, it never slows the guest path.
 */
final class JournalFollower implements JournalReader.Follow {

    /** Idle backoff while the journal has nothing new: starts short for low latency, caps CPU use. */
    static final long MIN_IDLE_NANOS = 20_000;
    static final long MAX_IDLE_NANOS = 2_000_000;
    /** How long close waits for the thread (it may be inside the sink). */
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final Journal journal;
    private final SkippedRecords skipped;
    private final long sandboxId;
    private final Consumer<JournalEntry> sink;
    private final Consumer<JournalFollower> onClose;
    private final Thread thread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile boolean endRead;
    private volatile Throwable failure;

    JournalFollower(Journal journal, SkippedRecords skipped, long sandboxId, Consumer<JournalEntry> sink,
            Consumer<JournalFollower> onClose) {
        this.journal = journal;
        this.skipped = skipped;
        this.sandboxId = sandboxId;
        this.sink = sink;
        this.onClose = onClose;
        this.thread = Thread.ofPlatform().daemon().name("meridian-follow-" + SandboxIds.format(sandboxId))
                .unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try (RecordScanner scanner = new RecordScanner(journal, skipped)) {
            // A sandbox running in this process is found through the index, any other by the walk.
            long start = journal.startIndexOf(sandboxId);
            if (start >= 0) {
                scanner.startAt(start);
            }
            CallJoiner joiner = new CallJoiner(new JournalQuery(sandboxId, null, null, null, null), sink);
            long idleNanos = MIN_IDLE_NANOS;
            while (!stopping) {
                JournalRecord record = scanner.next();
                if (record == null) {
                    LockSupport.parkNanos(idleNanos);
                    idleNanos = Math.min(2 * idleNanos, MAX_IDLE_NANOS);
                    continue;
                }
                idleNanos = MIN_IDLE_NANOS;
                joiner.accept(record);
                if (record instanceof SandboxExit exit && exit.sandboxId() == sandboxId) {
                    endRead = true;
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            finished.countDown();
        }
    }

    @Override
    public boolean awaitEnd(long timeoutMillis) throws InterruptedException {
        if (!finished.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        Throwable cause = failure;
        if (cause != null) {
            throw new IllegalStateException("following sandbox " + SandboxIds.format(sandboxId) + " in journal "
                    + journal.directory() + " failed: " + cause, cause);
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
