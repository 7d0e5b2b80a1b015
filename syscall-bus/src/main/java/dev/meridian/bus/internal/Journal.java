package dev.meridian.bus.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/**
 * One journal directory's Chronicle queue, shared by every gateway and reader of the bus that
 * uses the directory. Chronicle queues are thread-safe; their appenders and tailers are not, so
 * each user makes its own on the thread that uses it. Released by each user exactly once.
 */
final class Journal {

    /**
     * Damage found at the end of the journal, for readers to report.
     *
     * @param index the index of the first record lost
     * @param cause what happened and what was done, one line
     */
    record Damage(long index, String cause) {
    }

    private final JournalRegistry registry;
    private final Path key;
    private final Path directory;
    private final SingleChronicleQueue queue;
    private final boolean readOnly;
    /** A shared lock on the journal's lock file while this process has it open (null when read-only). */
    private final FileChannel lock;
    private final JournalRetention retention;
    private final List<Damage> damage;
    private final long readLimit;
    /**
     * Per sandbox running here: where its start record is, so a follower need not scan for it, then
     * where each policy replacement is, so the tap can name the rules of a sandbox that started
     * before it subscribed. Grows by one index per reload, off the per-call path.
     */
    private final Map<Long, long[]> namingIndexesBySandbox = new ConcurrentHashMap<>();
    private int users;
    /** Copies the running sandboxes' rings into the queue; made with the first ring. */
    private JournalWriter writer;

    /**
     * @param damage the damage recorded for this journal, oldest first
     * @param readLimit the index readers stop before: an unrepaired damaged tail (else Long.MAX_VALUE)
     */
    Journal(JournalRegistry registry, Path key, Path directory, SingleChronicleQueue queue, boolean readOnly,
            FileChannel lock, JournalRetention retention, List<Damage> damage, long readLimit) {
        this.registry = registry;
        this.key = key;
        this.directory = directory;
        this.queue = queue;
        this.readOnly = readOnly;
        this.lock = lock;
        this.retention = retention;
        this.damage = List.copyOf(damage);
        this.readLimit = readLimit;
    }

    /** Whether the queue was opened for reading only (a directory this process cannot write). */
    boolean readOnly() {
        return readOnly;
    }

    /** The directory as the first user named it, for messages. */
    Path directory() {
        return directory;
    }

    SingleChronicleQueue queue() {
        return queue;
    }

    /** Damage found at the journal's end, now or by an earlier process (its notes), for readers to report. */
    List<Damage> damage() {
        return damage;
    }

    /** Readers stop before this index: an unrepaired damaged tail. */
    long readLimit() {
        return readLimit;
    }

    /** Deletes the files past the retention (see {@link JournalRetention}); none if read-only. */
    void applyRetention() {
        if (retention != null) {
            retention.sweep();
        }
    }

    /**
     * A reader opened the journal: retention waits until it closes. Readers that come and go only
     * (a query, a follow); not the traffic tap, which would hold retention off for ever (see
     * {@link ChronicleTrafficTap}).
     */
    void readerOpened() {
        if (retention != null) {
            retention.readerOpened();
        }
    }

    void readerClosed() {
        if (retention != null) {
            retention.readerClosed();
        }
    }

    void sandboxStarted(long sandboxId, long startIndex) {
        namingIndexesBySandbox.put(sandboxId, new long[] {startIndex});
    }

    /** The sandbox's policy was replaced by the SANDBOX_POLICY record at {@code policyIndex}. */
    void policyReplaced(long sandboxId, long policyIndex) {
        namingIndexesBySandbox.computeIfPresent(sandboxId, (id, indexes) -> {
            long[] more = Arrays.copyOf(indexes, indexes.length + 1);
            more[indexes.length] = policyIndex;
            return more;
        });
    }

    void sandboxClosed(long sandboxId) {
        namingIndexesBySandbox.remove(sandboxId);
    }

    /** The index of the start record of {@code sandboxId} if it runs in this process, else -1. */
    long startIndexOf(long sandboxId) {
        long[] indexes = namingIndexesBySandbox.get(sandboxId);
        return indexes == null ? -1 : indexes[0];
    }

    /**
     * The index of the record (start or policy replacement) naming the rules that {@code sandboxId}
     * was judged by at journal index {@code index}, if it runs in this process; else -1.
     */
    long namingIndexAt(long sandboxId, long index) {
        long[] indexes = namingIndexesBySandbox.get(sandboxId);
        if (indexes == null) {
            return -1;
        }
        for (int i = indexes.length - 1; i >= 0; i--) {
            if (indexes[i] < index) {
                return indexes[i];
            }
        }
        return -1;
    }

    /**
     * A ring for the calls of {@code sandboxId}, copied into the queue by the journal's writer
     * thread; handed back with {@link #retireRing}.
     */
    synchronized JournalRing openRing(long sandboxId) throws IOException {
        JournalRing ring = JournalRing.create(key, sandboxId, JournalRing.DEFAULT_CAPACITY);
        if (writer == null) {
            writer = new JournalWriter(this);
        }
        writer.add(ring);
        return ring;
    }

    /** Returns once the ring's records are in the queue and the ring is closed (bounded). */
    void retireRing(JournalRing ring) {
        JournalWriter current;
        synchronized (this) {
            current = writer;
        }
        if (current != null) { // null only once the journal closed, which waits for its gateways
            current.retire(ring);
        }
    }

    /** Hands this user's share back; the queue closes with the last one. */
    void release() {
        registry.release(this);
    }

    /** Closes the queue and lets other processes repair the journal. Called by the registry. */
    void close() {
        JournalWriter stopping;
        synchronized (this) {
            stopping = writer;
            writer = null;
        }
        if (stopping != null) {
            stopping.stop();
        }
        try {
            queue.close();
        } finally {
            if (lock != null) {
                try {
                    lock.close();
                } catch (IOException e) {
                    // the lock goes with the descriptor either way
                }
            }
        }
    }

    Path key() {
        return key;
    }

    /** Called by the registry under its lock. */
    void addUser() {
        users++;
    }

    /** Called by the registry under its lock; true when no user is left. */
    boolean removeUser() {
        return --users == 0;
    }
}
