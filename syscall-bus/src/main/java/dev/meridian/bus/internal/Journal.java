package dev.meridian.bus.internal;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/**
 * One journal directory's Chronicle queue, shared by every gateway and reader of the bus that
 * uses the directory. Chronicle queues are thread-safe; their appenders and tailers are not, so
 * each user makes its own on the thread that uses it. Released by each user exactly once.
 */
final class Journal {

    private final JournalRegistry registry;
    private final Path key;
    private final Path directory;
    private final SingleChronicleQueue queue;
    private final boolean readOnly;
    /**
     * Per sandbox running here: where its start record is, so a follower need not scan for it, then
     * where each policy replacement is, so the tap can name the rules of a sandbox that started
     * before it subscribed. Grows by one index per reload, off the per-call path.
     */
    private final Map<Long, long[]> namingIndexesBySandbox = new ConcurrentHashMap<>();
    private int users;

    Journal(JournalRegistry registry, Path key, Path directory, SingleChronicleQueue queue, boolean readOnly) {
        this.registry = registry;
        this.key = key;
        this.directory = directory;
        this.queue = queue;
        this.readOnly = readOnly;
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

    /** Hands this user's share back; the queue closes with the last one. */
    void release() {
        registry.release(this);
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
