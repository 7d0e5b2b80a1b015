package dev.meridian.bus.internal;

import dev.meridian.api.SandboxIds;
import dev.meridian.api.SyscallEvent;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.DirectoryStream;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox's CALL and COMPLETION records on their way into the journal: a single-producer,
 * single-consumer ring in a file mapped by this process. The supervisor thread writes each record
 * here (a few stores; {@link RecordFormat}'s layout) before it answers the kernel; the journal's
 * {@link JournalWriter} thread moves the records into the Chronicle queue, in order, off the
 * guest's path. The guest waits for its supervisor on the same CPU (SYNC_WAKE_UP), so a Chronicle
 * append there (index upkeep, the queue's write lock, page faults: ~1 µs a call) was paid by every
 * call; a store into the ring is not.
 *
 * <p>The ring is as durable as the queue: both are shared file mappings, which survive a crash of
 * this process in the page cache (neither is fsynced). Its owner holds an exclusive lock on the
 * file; a ring found unlocked belongs to a process that died, and the next process that opens the
 * journal for writing appends what it still holds ({@link #recover}). A COMPLETION refers to its
 * CALL by journal index, which only the writer learns: it patches the field in the ring before the
 * copy, and keeps the last CALL's index in the header so a recovery can do the same. A CALL's wall
 * clock is stamped in the copy too, from its receivedNanos and an anchor (a wall-clock and a
 * {@code nanoTime} reading taken together) that the copier refreshes in the header every pass and
 * a recovery reuses: the guest path reads one clock fewer.
 *
 * <pre>
 * header  magic:i64 version:i32 0:i32 sandboxId:i64 capacity:i64 …
 *         @64  published:i64   bytes the producer has made visible (release store)
 *         @128 drained:i64     bytes the writer has copied into the queue (release store)
 *         @136 lastCall:i64    the journal index of the last CALL copied, -1 before the first
 *         @144 anchorWall:i64  System.currentTimeMillis() and, @152 anchorNanos:i64, System.nanoTime()
 *                              read together by the copier (version 2; version 1 rings carry the
 *                              wall clock in each CALL)
 * data    @256, capacity bytes; each record 8-byte aligned: length:i32 0:i32 payload:u8[length];
 *         length -1 = the rest of the ring is padding (the next record starts at its beginning)
 * </pre>
 *
 * Positions only grow; a record sits at {@code position % capacity}.
 */
final class JournalRing {

    /** Where a journal keeps the rings of its running sandboxes. */
    static final String DIRECTORY = "inflight";
    static final String SUFFIX = ".ring";
    /** Holds ~10,000 calls: ~50 ms of a sandbox at full speed, far more than the writer lags. */
    static final int DEFAULT_CAPACITY = 2 << 20;

    private static final long MAGIC = 0x474e4952_4e44524dL; // "MRDNRING", little-endian
    private static final int VERSION = 2;
    /** Rings of version 1 (the CALL records hold their own wall clock) are still recovered. */
    private static final int FIRST_VERSION = 1;
    /** How long the producer sleeps between looks at a full ring (or a flush not done yet). */
    private static final long WAIT_NANOS = 1_000;
    /** Records the producer copies before it looks for room again. */
    private static final int ASSIST_BATCH = 64;
    private static final VarHandle DRAINING;

    static {
        try {
            DRAINING = MethodHandles.lookup().findVarHandle(JournalRing.class, "draining", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private static final long SANDBOX_AT = 16;
    private static final long CAPACITY_AT = 24;
    private static final long PUBLISHED_AT = 64;
    private static final long DRAINED_AT = 128;
    private static final long LAST_CALL_AT = 136;
    private static final long ANCHOR_WALL_AT = 144;
    private static final long ANCHOR_NANOS_AT = 152;
    private static final long DATA_AT = 256;
    private static final int RECORD_HEADER = 8;
    private static final int PADDING = -1;
    /** A CALL with every capture full; nothing larger goes through the ring. */
    static final int MAX_RECORD = RecordFormat.MAX_CALL_LENGTH;

    private static final Logger LOG = LoggerFactory.getLogger(JournalRing.class);

    /** The journal's directory, for messages. */
    private final Path journalKey;
    private final Path file;
    private final long sandboxId;
    private final FileChannel channel;
    private final FileLock lock;
    private final Arena arena;
    /** The mapping, read and written through Chronicle's store (the queue copies from one). */
    private final BytesStore<?, ?> store;
    private final long capacity;

    // Producer side (the supervisor thread).
    private long published;
    private long drainedSeen;

    // Consumer side (the writer thread).
    private long drained;
    private long lastCall;
    /** This process writes the ring (false: a dead process's ring being recovered). */
    private final boolean live;
    /** The CALL records hold 0 for their wall clock, stamped in the copy (version 2). */
    private final boolean stampsWall;
    private long anchorWall;
    private long anchorNanos;
    /** A recovery found the ring's first record already in the queue and did not copy it again. */
    private boolean duplicateSkipped;

    /** Set by the writer when the journal cannot be written; the producer fails its next call. */
    private volatile Throwable failure;
    /** Set when the gateway closes; counted down by the writer once the ring is closed. */
    private volatile CountDownLatch retired;
    /** Held (true) by whichever thread copies from the ring: see {@link #tryDrain}. */
    @SuppressWarnings("unused") // through DRAINING
    private volatile boolean draining;
    /** The producer's own appender, for copying when the ring is full; null: wait for the writer. */
    private Supplier<ExcerptAppender> assistant;
    /** The writer thread, unparked when the producer waits for room or for a flush. */
    private volatile Thread writer;

    private JournalRing(Path journalKey, Path file, long sandboxId, FileChannel channel, FileLock lock, Arena arena,
            BytesStore<?, ?> store, long capacity, long drained, long lastCall, boolean live, boolean stampsWall) {
        this.journalKey = journalKey;
        this.file = file;
        this.sandboxId = sandboxId;
        this.channel = channel;
        this.lock = lock;
        this.arena = arena;
        this.store = store;
        this.capacity = capacity;
        this.published = store.readVolatileLong(PUBLISHED_AT);
        this.drainedSeen = drained;
        this.drained = drained;
        this.lastCall = lastCall;
        this.live = live;
        this.stampsWall = stampsWall;
        this.anchorWall = store.readLong(ANCHOR_WALL_AT);
        this.anchorNanos = store.readLong(ANCHOR_NANOS_AT);
    }

    /** Makes and locks the ring of {@code sandboxId} under {@code journalKey}. */
    static JournalRing create(Path journalKey, long sandboxId, int capacity) throws IOException {
        if (Integer.bitCount(capacity) != 1 || capacity < 2 * (MAX_RECORD + RECORD_HEADER)) {
            throw new IllegalArgumentException("ring capacity " + capacity + " is not a power of two >= "
                    + 2 * (MAX_RECORD + RECORD_HEADER));
        }
        Path directory = Files.createDirectories(journalKey.resolve(DIRECTORY));
        Path file = directory.resolve(SandboxIds.format(sandboxId) + SUFFIX);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        Arena arena = Arena.ofShared();
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IOException(file + " is locked by another process");
            }
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, DATA_AT + capacity, arena);
            BytesStore<?, ?> store = BytesStore.wrap(mapping.address(), mapping.byteSize());
            store.writeLong(0, MAGIC);
            store.writeInt(8, VERSION);
            store.writeLong(SANDBOX_AT, sandboxId);
            store.writeLong(CAPACITY_AT, capacity);
            store.writeLong(LAST_CALL_AT, -1);
            store.writeLong(ANCHOR_WALL_AT, System.currentTimeMillis());
            store.writeLong(ANCHOR_NANOS_AT, System.nanoTime());
            store.writeLong(DRAINED_AT, 0);
            store.writeOrderedLong(PUBLISHED_AT, 0);
            return new JournalRing(journalKey, file, sandboxId, channel, lock, arena, store, capacity, 0, -1, true,
                    true);
        } catch (IOException | RuntimeException e) {
            arena.close();
            channel.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    long sandboxId() {
        return sandboxId;
    }

    Path file() {
        return file;
    }

    void attachWriter(Thread writer) {
        this.writer = writer;
    }

    // ---- producer (the sandbox's supervisor thread) ----

    /** Adds {@code call}'s CALL record; allocates nothing. */
    void appendCall(SyscallEvent call) {
        long at = reserve(RecordFormat.callLength(call));
        publish(at, RecordFormat.writeCall(store, at + RECORD_HEADER, call));
    }

    /** Adds {@code call}'s COMPLETION record (its CALL's index is filled in by the writer). */
    void appendCompletion(SyscallEvent call) {
        long at = reserve(RecordFormat.COMPLETION_LENGTH);
        publish(at, RecordFormat.writeCompletion(store, at + RECORD_HEADER, call));
    }

    /** Returns once every record published so far is in the queue (or throws the writer's failure). */
    void flush() {
        long target = published;
        while ((drainedSeen = store.readVolatileLong(DRAINED_AT)) < target) {
            waitForWriter();
        }
        throwIfFailed();
    }

    /** The offset in the mapping where a record of {@code length} bytes goes, once there is room for it. */
    private long reserve(int length) {
        throwIfFailed();
        int size = RecordFormat.align8(RECORD_HEADER + length);
        long offset = published & (capacity - 1);
        long padding = offset + size > capacity ? capacity - offset : 0;
        awaitRoom(padding + size);
        if (padding > 0) {
            store.writeInt(DATA_AT + offset, PADDING);
            published += padding;
            offset = 0;
        }
        return DATA_AT + offset;
    }

    private void publish(long at, int length) {
        store.writeInt(at, length);
        published += RecordFormat.align8(RECORD_HEADER + length);
        store.writeOrderedLong(PUBLISHED_AT, published);
    }

    /** Returns once {@code bytes} are free (see {@link #waitForWriter} for who frees them). */
    private void awaitRoom(long bytes) {
        if (published + bytes - drainedSeen <= capacity) {
            return;
        }
        while (published + bytes - (drainedSeen = store.readVolatileLong(DRAINED_AT)) > capacity) {
            waitForWriter();
        }
    }

    /**
     * Copies a batch itself if it can (the writer is not copying right now), else lets the writer
     * go on: a writer starved of CPU (a cold JVM's compiler threads share it) would otherwise set
     * the pace, while the supervisor's CPU idles with its guest blocked.
     */
    private void waitForWriter() {
        throwIfFailed();
        if (assistant != null && tryDrain(assistant.get(), ASSIST_BATCH) > 0) {
            return;
        }
        throwIfFailed();
        LockSupport.unpark(writer);
        LockSupport.parkNanos(WAIT_NANOS);
    }

    /**
     * Lets the producer copy records itself when the ring is full or flushed, through
     * {@code appender} (an appender of its own thread, asked for only then).
     */
    void assistWith(Supplier<ExcerptAppender> appender) {
        this.assistant = appender;
    }

    /**
     * {@link #drainTo} unless another thread is copying from this ring right now, or the ring has
     * failed (then 0): the writer and, when the ring is full, the producer take turns. A copy that
     * fails marks the ring failed (logged once, here): the producer's next record throws.
     */
    int tryDrain(ExcerptAppender appender, int max) {
        if (failure != null || !DRAINING.compareAndSet(this, false, true)) {
            return 0;
        }
        try {
            return drainTo(appender, max, null, -1);
        } catch (Throwable t) { // Chronicle throws checked exceptions undeclared; the sandbox must learn of any
            LOG.error("journal {}: cannot copy the calls of sandbox {} into it; the sandbox is stopped at its next "
                    + "call and the calls not copied stay in {}", journalKey, SandboxIds.format(sandboxId), file, t);
            failed(t);
            return 0;
        } finally {
            DRAINING.setRelease(this, false);
        }
    }

    private void throwIfFailed() {
        Throwable cause = failure;
        if (cause != null) {
            throw new IllegalStateException("journal cannot be written (" + RecordScanner.causeOf(cause)
                    + "); the calls not copied yet stay in " + file, cause);
        }
    }

    // ---- consumer (the journal's writer thread, or a recovery) ----

    /** Whether records wait to be copied. */
    boolean pending() {
        return drained < store.readVolatileLong(PUBLISHED_AT);
    }

    /**
     * Copies up to {@code max} records into the queue through {@code appender}. Only reads the ring
     * (a line the writer dirtied would cost the supervisor a miss when it comes round again), except
     * for the drained mark and the last CALL's index, on lines of their own.
     *
     * @param alreadyCopied the queue's last excerpt when a dead process's ring is recovered: if the
     *     ring's first record matches it, the process died between its copy and the drained mark,
     *     and it is not copied twice; null otherwise
     * @param alreadyCopiedIndex that excerpt's index
     * @return how many records were taken off the ring
     */
    int drainTo(ExcerptAppender appender, int max, byte[] alreadyCopied, long alreadyCopiedIndex) {
        long end = store.readVolatileLong(PUBLISHED_AT);
        long start = drained;
        int taken = 0;
        if (live && drained < end) {
            anchorWall = System.currentTimeMillis();
            anchorNanos = System.nanoTime();
            store.writeLong(ANCHOR_WALL_AT, anchorWall);
            store.writeLong(ANCHOR_NANOS_AT, anchorNanos);
        }
        while (drained < end && taken < max) {
            long offset = drained & (capacity - 1);
            int length = store.readInt(DATA_AT + offset);
            if (length == PADDING) {
                drained += capacity - offset;
                continue;
            }
            long payload = DATA_AT + offset + RECORD_HEADER;
            byte type = store.readByte(payload + RecordFormat.TYPE_AT);
            long index = alreadyCopiedIndex;
            if (taken == 0 && alreadyCopied != null && matches(payload, length, type, alreadyCopied)) {
                duplicateSkipped = true;
            } else {
                try (DocumentContext document = appender.writingDocument()) {
                    Bytes<?> bytes = document.wire().bytes();
                    long at = bytes.writePosition();
                    bytes.write(store, payload, length);
                    if (type == RecordFormat.COMPLETION) {
                        bytes.writeLong(at + RecordFormat.COMPLETION_CALL_AT, lastCall);
                    } else if (type == RecordFormat.CALL && stampsWall) {
                        long received = store.readLong(payload + RecordFormat.CALL_RECEIVED_AT);
                        bytes.writeLong(at + RecordFormat.WALL_MILLIS_AT,
                                anchorWall + Math.floorDiv(received - anchorNanos, 1_000_000L));
                    }
                }
                index = appender.lastIndexAppended();
            }
            if (type == RecordFormat.CALL) {
                lastCall = index;
                store.writeLong(LAST_CALL_AT, lastCall);
            }
            drained += RecordFormat.align8(RECORD_HEADER + length);
            store.writeOrderedLong(DRAINED_AT, drained);
            taken++;
        }
        if (drained != start) {
            store.writeOrderedLong(DRAINED_AT, drained); // covers padding at the end of the ring
        }
        return taken;
    }

    /**
     * Whether the record at {@code payload} is {@code excerpt}, the fields the copy fills in aside (a
     * COMPLETION's CALL index, a CALL's wall clock).
     */
    private boolean matches(long payload, int length, byte type, byte[] excerpt) {
        if (excerpt.length != length) {
            return false;
        }
        int filledAt = type == RecordFormat.COMPLETION ? RecordFormat.COMPLETION_CALL_AT
                : type == RecordFormat.CALL && stampsWall ? RecordFormat.WALL_MILLIS_AT : -Long.BYTES;
        for (int i = 0; i < length; i++) {
            boolean filledIn = i >= filledAt && i < filledAt + Long.BYTES;
            if (!filledIn && store.readByte(payload + i) != excerpt[i]) {
                return false;
            }
        }
        return true;
    }

    /** The writer could not write the journal: the producer's next record fails the sandbox. */
    void failed(Throwable cause) {
        failure = cause;
    }

    boolean hasFailed() {
        return failure != null;
    }

    /** The gateway is done with the ring: the writer copies the rest, then closes it and counts the latch down. */
    CountDownLatch retire() {
        retired = new CountDownLatch(1);
        return retired;
    }

    boolean retiring() {
        return retired != null;
    }

    void retired() {
        retired.countDown();
    }

    /** Unmaps, unlocks and, if every record reached the queue, deletes the ring. The writer's job. */
    void close() {
        boolean complete = failure == null && !pending();
        arena.close();
        try {
            lock.release();
            channel.close();
            if (complete) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // the lock goes with the descriptor; a leftover empty ring is recovered as empty
        }
    }

    // ---- recovery ----

    /**
     * Appends what the rings of dead processes under {@code journalKey} still hold, then deletes
     * them. A ring another process has locked is that process's, and left alone; a file that is no
     * ring is renamed {@code NAME.damaged} and reported.
     *
     * @param lastExcerpt the bytes of the queue's last excerpt (a crash may have come between its copy
     *     and the ring's drained mark), or null if the queue is empty
     * @param lastIndex that excerpt's index
     * @return one line per ring recovered or set aside, for the log
     */
    static List<String> recover(Path journalKey, ExcerptAppender appender, byte[] lastExcerpt, long lastIndex)
            throws IOException {
        List<String> report = new ArrayList<>();
        Path directory = journalKey.resolve(DIRECTORY);
        if (!Files.isDirectory(directory)) {
            return report;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            listing.forEach(files::add);
        }
        for (Path file : files) {
            JournalRing orphan;
            try {
                orphan = openOrphan(file);
            } catch (IOException e) {
                Path aside = file.resolveSibling(file.getFileName() + ".damaged");
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                report.add(e.getMessage() + "; set aside as " + aside.getFileName());
                continue;
            }
            if (orphan == null) {
                continue;
            }
            try {
                int count = 0;
                for (int moved; (moved = orphan.drainTo(appender, Integer.MAX_VALUE,
                        count == 0 ? lastExcerpt : null, lastIndex)) > 0; ) {
                    count += moved;
                }
                int appended = count - (orphan.duplicateSkipped ? 1 : 0);
                if (count > 0) {
                    report.add("sandbox " + SandboxIds.format(orphan.sandboxId) + ": " + appended
                            + " records its process left in flight were appended"
                            + (orphan.duplicateSkipped ? " (one more was in the journal already)" : ""));
                }
            } finally {
                orphan.close();
            }
        }
        return report;
    }

    /** The ring in {@code file} if no live process holds it, else null; a file that is no ring is set aside. */
    private static JournalRing openOrphan(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Arena arena = null;
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException live) {
                lock = null; // this process owns it
            }
            if (lock == null) {
                channel.close();
                return null;
            }
            long size = channel.size();
            arena = Arena.ofShared();
            if (size < DATA_AT) {
                throw new IOException("ring file " + file + " is truncated (" + size + " bytes)");
            }
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            BytesStore<?, ?> store = BytesStore.wrap(mapping.address(), mapping.byteSize());
            long capacity = store.readLong(CAPACITY_AT);
            int version = store.readInt(8);
            if (store.readLong(0) != MAGIC || version < FIRST_VERSION || version > VERSION
                    || Long.bitCount(capacity) != 1 || DATA_AT + capacity != size) {
                throw new IOException("ring file " + file + " has no valid header");
            }
            long drained = store.readLong(DRAINED_AT);
            long published = store.readLong(PUBLISHED_AT);
            if (drained < 0 || drained > published || published - drained > capacity) {
                throw new IOException("ring file " + file + " has inconsistent positions (drained " + drained
                        + ", published " + published + ")");
            }
            Path journalKey = file.getParent().getParent();
            return new JournalRing(journalKey, file, store.readLong(SANDBOX_AT), channel, lock, arena, store,
                    capacity, drained, store.readLong(LAST_CALL_AT), false, version >= 2);
        } catch (IOException | RuntimeException e) {
            if (arena != null) {
                arena.close();
            }
            channel.close();
            throw e;
        }
    }
}
