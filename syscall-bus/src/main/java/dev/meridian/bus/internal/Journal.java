package dev.meridian.bus.internal;

import java.nio.file.Path;
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
    /** Where the start record of each sandbox running here is, so a follower need not scan for it. */
    private final Map<Long, Long> startIndexBySandbox = new ConcurrentHashMap<>();
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
        startIndexBySandbox.put(sandboxId, startIndex);
    }

    void sandboxClosed(long sandboxId) {
        startIndexBySandbox.remove(sandboxId);
    }

    /** The index of the start record of {@code sandboxId} if it runs in this process, else -1. */
    long startIndexOf(long sandboxId) {
        return startIndexBySandbox.getOrDefault(sandboxId, -1L);
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
