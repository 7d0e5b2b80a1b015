package dev.meridian.bus.internal;

import dev.meridian.api.JournalException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open journals of one bus: at most one Chronicle queue per directory, counted by users. When
 * the last gateway or reader lets go, the queue stays open among a few idle ones, because
 * reopening it costs milliseconds on every sandbox start of a daemon; the least recently used
 * idle queue beyond {@link #MAX_IDLE} is closed, and all of them when the bus stops. Errors name
 * the directory and the cause in one line, the way a user sees them from {@code meridian run}.
 *
 * <p>New journals roll by the configured cycle ({@link JournalSettings}); Chronicle keeps an existing
 * journal's cycle whatever is configured (it is written in the journal's metadata), and the registry
 * logs that when it opens such a journal for writing.
 *
 * <p>Before Chronicle maps a journal's last file, the registry checks its end ({@link JournalTail}).
 * A file cut short or zeroed at its end is rebuilt with every whole record before the damage, the
 * original kept beside it, so new records follow the last whole one; this needs the journal to
 * itself: every process that has a journal open holds a shared lock on its {@value #LOCK_FILE}, and
 * the repair takes it exclusively. A record left unfinished by a writer that died is overwritten by
 * Chronicle with the next record (its write lock is freed at open when the holder is dead). Either
 * way a note ({@code NAME.cq4.damage-POSITION.txt}, one line: the index and the cause) stays in the
 * journal, and every reader reports it.
 *
 * <p>It also tells the traffic tap, while one runs, about every journal opened for writing
 * ({@link #tap}). A damaged tail is never repaired under a tap: the repair runs only while the
 * registry creates a journal's queue, before the tap can be told of it, and the tap's share keeps
 * the journal open here, so it is not created again while followed (and another process cannot
 * repair it: this one holds the shared lock). A journal whose damaged tail could not be repaired is
 * refused for writing before the tap is told of it, so the tap never follows a journal a gateway
 * could not write. Records a repair dropped were before the tap's start; the tap reports nothing for
 * them (readers do, from the note).
 */
final class JournalRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(JournalRegistry.class);
    static final String LOCK_FILE = "meridian.lock";
    private static final String NOTE_SUFFIX = ".txt";
    /** Damage still there this much later is not a write in progress: writers take microseconds. */
    private static final long SETTLE_MILLIS = 50;
    /**
     * Every excerpt is indexed (Chronicle's default indexes one in 256), so a reader can step over
     * an excerpt whose header was damaged straight to the next one instead of losing the rest of
     * the file. 65536 x 65536 x 1 keeps 2^32 excerpts per cycle addressable.
     */
    private static final int INDEX_SPACING = 1;
    private static final int INDEX_COUNT = 1 << 16;
    private static final String QUEUE_FILE_SUFFIX = ".cq4";

    private static final int MAX_IDLE = 8;

    private final TimeProvider time;
    private JournalSettings settings;
    private String invalidSettings;
    private final Map<Path, Journal> open = new HashMap<>();
    /** Queues nobody uses, least recently released first. */
    private final LinkedHashMap<Path, Journal> idle = new LinkedHashMap<>();
    /** Directories opened for writing since the bus started. */
    private final Set<Path> written = new HashSet<>();
    /** Told of each journal opened for writing while a tap runs; null when none does. */
    private Consumer<Journal> tap;
    private final Set<Journal> tapped = Collections.newSetFromMap(new IdentityHashMap<>());

    JournalRegistry() {
        this(JournalSettings.DEFAULT, null);
    }

    /** @param time the clock of the journals (tests); {@code null} for the system's */
    JournalRegistry(JournalSettings settings, TimeProvider time) {
        this.settings = settings;
        this.time = time;
    }

    /** Settings for the journals opened from now on. */
    synchronized void settings(JournalSettings settings) {
        this.settings = settings;
        this.invalidSettings = null;
    }

    /** The configuration does not parse ({@code cause} says why): no journal opens until it is fixed. */
    synchronized void invalidSettings(String cause) {
        this.invalidSettings = cause;
    }

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
        Journal journal = acquire(directory, false, true);
        journal.applyRetention();
        return journal;
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
        if (invalidSettings != null) {
            throw new JournalException("cannot open journal in " + directory + ": the bus configuration is invalid: "
                    + invalidSettings);
        }
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
                journal.close();
                journal = null;
            }
            if (journal == null) {
                journal = create(directory, key, readOnly);
            }
            open.put(key, journal);
        }
        journal.addUser();
        if (forWriting) {
            // An unrepaired damaged tail cannot be written after; refused before the tap is told of it.
            if (journal.readLimit() != Long.MAX_VALUE) {
                release(journal);
                throw cannotWrite(directory, journal.damage().getLast().cause());
            }
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
                eldest.next().close();
                eldest.remove();
            }
        }
    }

    /** Closes the idle queues; those in use close with their last user. */
    synchronized void closeIdle() {
        idle.values().forEach(Journal::close);
        idle.clear();
    }

    /** Opens the queue of {@code key}, after checking (and if need be repairing) the end of its last file. */
    private Journal create(Path directory, Path key, boolean readOnly) throws JournalException {
        FileChannel lock = readOnly ? null : lock(directory, key, true);
        SingleChronicleQueue queue = null;
        try {
            List<Journal.Damage> damage = readNotes(key);
            long readLimit = Long.MAX_VALUE;
            Path last = lastFile(key);
            JournalTail.Damage tail = last == null ? null : confirmed(last, JournalTail.inspect(last));
            JournalRetention retention = readOnly ? null : new JournalRetention(key, settings.retention());
            queue = build(directory, key, readOnly, retention);
            if (tail != null) {
                int cycle = JournalRetention.cycleOf(queue, last.getFileName().toString());
                long index = queue.rollCycle().toIndex(cycle, tail.sequence());
                String cause = null;
                if (JournalTail.needsRebuild(tail)) {
                    FileChannel exclusive = lock == null ? null : upgrade(directory, key, lock);
                    lock = exclusive != null || readOnly ? exclusive : lock(directory, key, true);
                    if (exclusive != null) {
                        RollCycle rollCycle = queue.rollCycle();
                        long epoch = queue.epoch();
                        queue.close();
                        queue = null;
                        Path kept = JournalTail.rebuild(last, tail, rollCycle, cycle,
                                epoch + (long) cycle * rollCycle.lengthInMillis(),
                                scratch -> builder(scratch, false, null).epoch(epoch));
                        lock.close();
                        lock = lock(directory, key, true);
                        queue = build(directory, key, false, retention);
                        cause = tail.cause(last) + "; repaired: the " + tail.sequence() + " records before it in "
                                + last.getFileName() + " are kept, the damaged file is saved as " + kept.getFileName();
                    } else {
                        readLimit = index;
                        cause = tail.cause(last) + "; not repaired (" + (readOnly ? "the journal is read-only here"
                                : "another process has the journal open") + "): reading stops before it";
                    }
                } else {
                    cause = tail.cause(last) + "; the next record written takes its place";
                }
                if (cause != null) {
                    LOG.warn("journal {}: record 0x{}: {}", directory, Long.toHexString(index), cause);
                    damage.add(new Journal.Damage(index, cause));
                    if (!readOnly) {
                        writeNote(key, last.getFileName() + ".damage-" + tail.position() + NOTE_SUFFIX, index, cause);
                    }
                }
            }
            if (!readOnly && queue.rollCycle() != settings.rollCycle()) {
                LOG.warn("journal {} rolls {}, not {} as configured: Chronicle keeps the cycle a journal was created "
                        + "with; a new journal directory rolls as configured", directory,
                        JournalSettings.nameOf(queue.rollCycle()), JournalSettings.nameOf(settings.rollCycle()));
            }
            if (retention != null) {
                retention.attach(queue);
            }
            if (!readOnly && readLimit == Long.MAX_VALUE) {
                recoverRings(directory, key, queue);
            }
            Journal journal = new Journal(this, key, directory, queue, readOnly, lock, retention, damage, readLimit);
            queue = null;
            lock = null;
            return journal;
        } catch (IOException e) {
            throw new JournalException("cannot check the end of journal " + directory + ": " + reason(e), e);
        } finally {
            if (queue != null) {
                queue.close();
            }
            closeQuietly(lock);
        }
    }

    /**
     * Appends the calls that processes which died with sandboxes running had in their rings (see
     * {@link JournalRing}), ring by ring, before any new record.
     */
    private static void recoverRings(Path directory, Path key, SingleChronicleQueue queue) throws JournalException {
        if (!Files.isDirectory(key.resolve(JournalRing.DIRECTORY))) {
            return;
        }
        try (ExcerptAppender appender = queue.createAppender();
                ExcerptTailer end = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd()) {
            byte[] lastExcerpt = null;
            long lastIndex = -1;
            while (lastExcerpt == null) {
                try (DocumentContext document = end.readingDocument()) {
                    if (!document.isPresent()) {
                        break;
                    }
                    if (!document.isMetaData()) {
                        lastExcerpt = document.wire().bytes().toByteArray();
                        lastIndex = document.index();
                    }
                }
            }
            for (String recovered : JournalRing.recover(key, appender, lastExcerpt, lastIndex)) {
                LOG.warn("journal {}: {}", directory, recovered);
            }
        } catch (IOException e) {
            throw new JournalException("cannot recover the in-flight calls of journal " + directory + ": "
                    + reason(e), e);
        } catch (RuntimeException e) {
            throw new JournalException("cannot recover the in-flight calls of journal " + directory + ": "
                    + RecordScanner.causeOf(e), e);
        }
    }

    private SingleChronicleQueue build(Path directory, Path key, boolean readOnly, JournalRetention retention)
            throws JournalException {
        try {
            return builder(key, readOnly, retention).build();
        } catch (Exception e) { // Chronicle throws some checked exceptions undeclared
            throw new JournalException("cannot open journal in " + directory + ": " + RecordScanner.causeOf(e), e);
        }
    }

    private SingleChronicleQueueBuilder builder(Path key, boolean readOnly, JournalRetention retention) {
        SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(key).rollCycle(settings.rollCycle())
                .indexSpacing(INDEX_SPACING).indexCount(INDEX_COUNT).readOnly(readOnly);
        if (retention != null) {
            builder.storeFileListener(retention);
        }
        if (time != null) {
            builder.timeProvider(time);
        }
        return builder;
    }

    /** The journal's newest file (Chronicle's names sort by time within one roll cycle), or null. */
    private static Path lastFile(Path key) throws IOException {
        try (Stream<Path> files = Files.list(key)) {
            return files.filter(file -> file.getFileName().toString().endsWith(QUEUE_FILE_SUFFIX))
                    .max(java.util.Comparator.comparing(file -> file.getFileName().toString())).orElse(null);
        }
    }

    /**
     * {@code tail} if the damage is still there a moment later, else null: another process writing
     * the journal shows an unfinished record for microseconds, and a file it is growing can seem cut
     * short to a check that read its size just before.
     */
    private static JournalTail.Damage confirmed(Path last, JournalTail.Damage tail) throws IOException {
        if (tail == null) {
            return null;
        }
        try {
            TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        JournalTail.Damage again = JournalTail.inspect(last);
        return again != null && again.kind() == tail.kind() && again.position() == tail.position() ? again : null;
    }

    /**
     * Locks the journal's lock file, shared (every process that has the journal open) or exclusive (a
     * repair); waits for a repair in another process. {@code null} where the lock cannot be had: this
     * JVM holds it already (another bus instance), or the file cannot be made.
     */
    private static FileChannel lock(Path directory, Path key, boolean shared) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(key.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            if (shared) {
                channel.lock(0, Long.MAX_VALUE, true);
                return channel;
            }
            if (channel.tryLock(0, Long.MAX_VALUE, false) != null) {
                return channel;
            }
        } catch (IOException | RuntimeException e) { // OverlappingFileLockException: this JVM holds it
            LOG.debug("journal {}: no lock on {}", directory, LOCK_FILE, e);
        }
        closeQuietly(channel);
        return null;
    }

    /** Trades the shared lock for the exclusive one; null (the shared one released) if another process holds it. */
    private static FileChannel upgrade(Path directory, Path key, FileChannel shared) throws IOException {
        shared.close();
        return lock(directory, key, false);
    }

    private static List<Journal.Damage> readNotes(Path key) throws IOException {
        List<Journal.Damage> notes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(key, "*" + QUEUE_FILE_SUFFIX + ".damage-*"
                + NOTE_SUFFIX)) {
            for (Path file : files) {
                String note = Files.readString(file, StandardCharsets.UTF_8).strip();
                int space = note.indexOf(' ');
                try {
                    notes.add(new Journal.Damage(Long.parseUnsignedLong(note.substring(2, space), 16),
                            note.substring(space + 1)));
                } catch (RuntimeException e) {
                    LOG.warn("journal {}: unreadable damage note {}", key, file.getFileName());
                }
            }
        }
        notes.sort(java.util.Comparator.comparingLong(Journal.Damage::index));
        return notes;
    }

    private static void writeNote(Path key, String name, long index, String cause) {
        Path note = key.resolve(name);
        try {
            if (!Files.exists(note)) {
                Files.writeString(note, "0x" + Long.toHexString(index) + " " + cause + "\n", StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            LOG.warn("journal {}: cannot write the damage note {}", key, name, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing releases the lock either way
            }
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
