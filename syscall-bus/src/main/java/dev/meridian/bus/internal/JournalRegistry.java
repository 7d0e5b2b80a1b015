package dev.meridian.bus.internal;

import dev.meridian.api.JournalException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * The open journals of one bus: at most one Chronicle queue per directory, counted by users. When
 * the last gateway or reader lets go, the queue stays open among a few idle ones, because
 * reopening it costs milliseconds on every sandbox start of a daemon; the least recently used
 * idle queue beyond {@link #MAX_IDLE} is closed, and all of them when the bus stops. Errors name
 * the directory and the cause in one line, the way a user sees them from {@code meridian run}.
 *
 * <p>It also tells the traffic tap, while one runs, about every journal opened for writing
 * ({@link #tap}).
 */
final class JournalRegistry {

    /** Chronicle's daily roll (the file is named yyyyMMdd{@code F.cq4}; rolled at midnight UTC). */
    private static final RollCycles ROLL_CYCLE = RollCycles.FAST_DAILY;
    /**
     * Every excerpt is indexed (Chronicle's default indexes one in 256), so a reader can step over
     * an excerpt whose header was damaged straight to the next one instead of losing the rest of
     * the file. 65536 x 65536 x 1 keeps the roll cycle's full 2^32 excerpts per day addressable.
     */
    private static final int INDEX_SPACING = 1;
    private static final int INDEX_COUNT = 1 << 16;
    private static final String QUEUE_FILE_SUFFIX = ".cq4";

    private static final int MAX_IDLE = 8;

    private final Map<Path, Journal> open = new HashMap<>();
    /** Queues nobody uses, least recently released first. */
    private final LinkedHashMap<Path, Journal> idle = new LinkedHashMap<>();
    /** Directories opened for writing since the bus started. */
    private final Set<Path> written = new HashSet<>();
    /** Told of each journal opened for writing while a tap runs; null when none does. */
    private Consumer<Journal> tap;
    private final Set<Journal> tapped = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Opens {@code directory} for appending, creating it if missing; checks it is writable first. */
    Journal openForWriting(Path directory) throws JournalException {
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException e) {
            throw cannotWrite(directory, "not a directory");
        } catch (IOException e) {
            throw cannotWrite(directory, reason(e));
        }
        // Writability is checked by writing: permission bits say nothing of read-only mounts or ACLs.
        try {
            Files.delete(Files.createTempFile(directory, ".meridian-probe", ".tmp"));
        } catch (IOException e) {
            throw cannotWrite(directory, reason(e));
        }
        return acquire(directory, false, true);
    }

    /** Opens an existing journal in {@code directory} for reading. */
    Journal openForReading(Path directory) throws JournalException {
        if (!Files.exists(directory)) {
            throw new JournalException("no journal in " + directory + ": no such directory");
        }
        if (!Files.isDirectory(directory)) {
            throw new JournalException("no journal in " + directory + ": not a directory");
        }
        try (DirectoryStream<Path> queueFiles = Files.newDirectoryStream(directory, "*" + QUEUE_FILE_SUFFIX)) {
            if (!queueFiles.iterator().hasNext()) {
                throw new JournalException("no journal in " + directory);
            }
        } catch (IOException e) {
            throw new JournalException("cannot read journal in " + directory + ": " + reason(e), e);
        }
        Journal journal = acquire(directory, !Files.isWritable(directory), false);
        // A tailer starts by opening the first day's file; if that is damaged, nothing can be read.
        try {
            journal.queue().createTailer().close();
        } catch (Exception e) { // Chronicle throws StreamCorruptedException undeclared
            journal.release();
            throw new JournalException("cannot read journal in " + directory + ": its first file is damaged ("
                    + RecordScanner.causeOf(e) + ")", e);
        }
        return journal;
    }

    private synchronized Journal acquire(Path directory, boolean readOnly, boolean forWriting)
            throws JournalException {
        Path key;
        try {
            key = directory.toRealPath();
        } catch (IOException e) {
            throw new JournalException("cannot open journal in " + directory + ": " + reason(e), e);
        }
        Journal journal = open.get(key);
        if (journal == null) {
            journal = idle.remove(key);
            if (journal != null && journal.readOnly() && !readOnly) {
                journal.queue().close();
                journal = null;
            }
            if (journal == null) {
                journal = new Journal(this, key, directory, build(directory, key, readOnly), readOnly);
            }
            open.put(key, journal);
        }
        journal.addUser();
        if (forWriting) {
            written.add(key);
            if (tap != null) {
                tapShare(journal);
            }
        }
        return journal;
    }

    /**
     * Hands {@code onWritten} every journal opened for writing, those open now and, until
     * {@link #untap}, each one opened later, each once and with a share of its own that the tap
     * releases. Called under this registry's lock, before the opener writes anything, so a tap that
     * starts reading at the journal's end then misses nothing written afterwards.
     */
    synchronized void tap(Consumer<Journal> onWritten) {
        tap = onWritten;
        List<Journal> candidates = new ArrayList<>(open.values());
        candidates.addAll(idle.values());
        for (Journal journal : candidates) {
            if (written.contains(journal.key())) {
                if (idle.remove(journal.key()) != null) {
                    open.put(journal.key(), journal);
                }
                tapShare(journal);
            }
        }
    }

    /** Stops telling the tap; it releases the shares it was given itself. */
    synchronized void untap() {
        tap = null;
        tapped.clear();
    }

    private void tapShare(Journal journal) {
        if (tapped.add(journal)) {
            journal.addUser();
            tap.accept(journal);
        }
    }

    synchronized int openCount() {
        return open.size();
    }

    synchronized void release(Journal journal) {
        if (journal.removeUser()) {
            open.remove(journal.key());
            idle.put(journal.key(), journal);
            if (idle.size() > MAX_IDLE) {
                Iterator<Journal> eldest = idle.values().iterator();
                eldest.next().queue().close();
                eldest.remove();
            }
        }
    }

    /** Closes the idle queues; those in use close with their last user. */
    synchronized void closeIdle() {
        idle.values().forEach(journal -> journal.queue().close());
        idle.clear();
    }

    private static SingleChronicleQueue build(Path directory, Path key, boolean readOnly) throws JournalException {
        try {
            return SingleChronicleQueueBuilder.binary(key).rollCycle(ROLL_CYCLE).indexSpacing(INDEX_SPACING)
                    .indexCount(INDEX_COUNT).readOnly(readOnly).build();
        } catch (Exception e) { // Chronicle throws some checked exceptions undeclared
            throw new JournalException("cannot open journal in " + directory + ": " + RecordScanner.causeOf(e), e);
        }
    }

    private static JournalException cannotWrite(Path directory, String reason) {
        return new JournalException("cannot write journal to " + directory + ": " + reason);
    }

    /** The cause as the OS puts it ("Permission denied"), without Java's exception decoration. */
    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage();
    }
}
