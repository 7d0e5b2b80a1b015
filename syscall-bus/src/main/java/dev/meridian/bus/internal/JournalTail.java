package dev.meridian.bus.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Checks the end of a journal's last file the way Chronicle lays excerpts out, with plain reads and
 * before Chronicle maps the file: mapping a file for writing grows it to its chunk size, and the
 * evidence of a truncation (a record that runs past the end of the file) would be gone, leaving a
 * record of zeros that decodes as garbage and a write position past the data that new appends
 * would be hidden behind.
 *
 * <p>An excerpt is a little-endian int header (bit 31: not complete, bit 30: metadata, bits 0-29:
 * length) followed by its bytes; the next header starts at the next multiple of 4. A header of 0
 * is the end of the data; {@code 0xC0000000} marks a file sealed by a roll. The store's header (the
 * first excerpt) holds the write position: where the last excerpt starts. The check reads from
 * there, so it costs a few reads however long the file; only a damaged file is walked from its
 * start, to find the first excerpt that is not whole.
 */
final class JournalTail {

    static final int NOT_COMPLETE = 0x8000_0000;
    static final int META_DATA = 0x4000_0000;
    static final int LENGTH_MASK = 0x3fff_ffff;
    static final int END_OF_DATA = NOT_COMPLETE | META_DATA;
    private static final int HEADER_SIZE = 4;
    /** BinaryWireCode.I64_ARRAY: capacity:i64 used:i64 values:i64[]. */
    private static final byte I64_ARRAY = (byte) 0x8d;
    private static final byte[] WRITE_POSITION = "writePosition".getBytes(StandardCharsets.US_ASCII);
    private static final int WINDOW = 1 << 16;

    /** How the end of the data is damaged. */
    enum Kind {
        /** The file ends inside an excerpt (it was truncated: a crash of the host, a full disk). */
        TRUNCATED,
        /** Where an excerpt should start there are zeros (pages of the tail never reached the disk). */
        ZEROED,
        /**
         * The last excerpt was left unfinished: its writer died while writing it (Chronicle writes
         * the header last; older writers left it marked not complete).
         */
        UNFINISHED
    }

    /**
     * The first excerpt that is not whole.
     *
     * @param position where its header is in the file
     * @param sequence how many data excerpts (journal records) precede it in the file, so its
     *     index is the cycle's index of this sequence number
     * @param fileSize the file's size when it was checked
     */
    record Damage(Kind kind, long position, long sequence, long fileSize) {

        /** What happened, for a warning. */
        String cause(Path file) {
            String name = file.getFileName().toString();
            return switch (kind) {
                case TRUNCATED -> "the journal file " + name + " ends inside this record (at byte " + fileSize
                        + "; the record starts at byte " + position + "): it was truncated, e.g. by a crash of the "
                        + "host or a full disk";
                case ZEROED -> "the journal file " + name + " holds zeros where this record should start (byte "
                        + position + "): its tail never reached the disk, e.g. after a crash of the host";
                case UNFINISHED -> "this record was left unfinished at byte " + position + " of " + name
                        + ": the process writing it died";
            };
        }
    }

    /** Whether only Chronicle can mend it: an unfinished header is overwritten by the next append. */
    static boolean needsRebuild(Damage damage) {
        return damage.kind() != Kind.UNFINISHED;
    }

    /**
     * Rewrites {@code file} (the last file of a journal, of {@code cycle}) with the whole excerpts
     * before {@code damage}, through Chronicle, so its write position and index are right again and
     * new records follow the last whole one; the excerpts keep their indexes. The damaged original is
     * kept beside it as {@code NAME.damage-POSITION}. Only while no other process has the journal
     * open (see {@link JournalRegistry}).
     *
     * @param builder a builder of a queue like the journal's (roll cycle, index layout) in a directory
     * @param cycleStartMillis when {@code cycle} began (so the rebuilt file has the same name)
     * @return where the original was kept
     */
    static Path rebuild(Path file, Damage damage, RollCycle rollCycle, int cycle, long cycleStartMillis,
            Function<Path, SingleChronicleQueueBuilder> builder) throws IOException {
        Path directory = file.getParent();
        Path scratch = directory.resolve(".repair-" + ProcessHandle.current().pid());
        deleteTree(scratch);
        Files.createDirectories(scratch);
        try {
            SetTimeProvider clock = new SetTimeProvider(java.time.Instant.ofEpochMilli(cycleStartMillis));
            long copied;
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                    SingleChronicleQueue queue = builder.apply(scratch).rollCycle(rollCycle).timeProvider(clock).build();
                    ExcerptAppender appender = queue.createAppender()) {
                copied = new JournalTail(in).copyExcerpts(damage.position(), appender);
                if (copied > 0 && appender.cycle() != cycle) {
                    throw new IOException("the rebuilt file is of cycle " + appender.cycle() + ", not " + cycle);
                }
            }
            if (copied != damage.sequence()) {
                throw new IOException("copied " + copied + " records of " + damage.sequence());
            }
            Path kept = directory.resolve(file.getFileName() + ".damage-" + damage.position());
            Files.move(file, kept, StandardCopyOption.REPLACE_EXISTING);
            if (copied > 0) {
                Files.move(scratch.resolve(file.getFileName()), file, StandardCopyOption.ATOMIC_MOVE);
            }
            return kept;
        } finally {
            deleteTree(scratch);
        }
    }

    /** Appends the data excerpts before {@code end} to {@code appender}; returns how many. */
    private long copyExcerpts(long end, ExcerptAppender appender) throws IOException {
        long position = 0;
        long copied = 0;
        ByteBuffer excerpt = ByteBuffer.allocate(1024);
        while (position < end) {
            int header = intAt(position);
            int length = header & LENGTH_MASK;
            if ((header & META_DATA) == 0) {
                if (excerpt.capacity() < length) {
                    excerpt = ByteBuffer.allocate(Math.max(length, 2 * excerpt.capacity()));
                }
                excerpt.clear().limit(length);
                while (excerpt.hasRemaining()) {
                    if (channel.read(excerpt, position + HEADER_SIZE + excerpt.position()) < 0) {
                        throw new IOException("unexpected end of file at byte " + position);
                    }
                }
                try (DocumentContext document = appender.writingDocument()) {
                    document.wire().bytes().write(excerpt.array(), 0, length);
                }
                copied++;
            }
            long next = position + HEADER_SIZE + length;
            position = next + (-next & 3);
        }
        return copied;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private final FileChannel channel;
    private final long size;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW).order(ByteOrder.LITTLE_ENDIAN);
    private long windowStart = -1;
    private int windowLength;

    private JournalTail(FileChannel channel) throws IOException {
        this.channel = channel;
        this.size = channel.size();
    }

    /** The damage at the end of {@code file}, or {@code null} if its data ends cleanly. */
    static Damage inspect(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new JournalTail(channel).inspect();
        }
    }

    private Damage inspect() throws IOException {
        long writePosition = writePosition();
        if (writePosition > 0 && walk(writePosition, writePosition) == null) {
            return null;
        }
        // Damaged (rare): walk from the start, to find the first excerpt that is not whole and its sequence.
        return walk(0, writePosition);
    }

    /**
     * Steps from the excerpt at {@code from} to the end of the data, counting data excerpts (so
     * the count is the damaged excerpt's sequence number only when walking from the start).
     *
     * @param writePosition where the store says the last excerpt starts (-1 if unknown): zeros at or
     *     before it are damage, zeros after it the end of the data
     * @return the first excerpt that is not whole, or {@code null} if the data ends cleanly
     */
    private Damage walk(long from, long writePosition) throws IOException {
        long position = from;
        long sequence = 0;
        while (true) {
            if (position + HEADER_SIZE > size) {
                // Chronicle grows its files ahead of the data: the data ends in a header of zeros.
                return new Damage(Kind.TRUNCATED, position, sequence, size);
            }
            int header = intAt(position);
            if (header == 0) {
                if (position <= writePosition) {
                    return new Damage(Kind.ZEROED, position, sequence, size);
                }
                // Chronicle writes an excerpt's bytes, then its header, and clears the 8 bytes after each
                // excerpt: bytes where the next one's would start are a record whose writer never finished.
                return position + HEADER_SIZE < size && byteAt(position + HEADER_SIZE) != 0
                        ? new Damage(Kind.UNFINISHED, position, sequence, size) : null;
            }
            if (header == END_OF_DATA) {
                return null;
            }
            if ((header & NOT_COMPLETE) != 0) {
                return new Damage(Kind.UNFINISHED, position, sequence, size);
            }
            long end = position + HEADER_SIZE + (header & LENGTH_MASK);
            if (end > size) {
                return new Damage(Kind.TRUNCATED, position, sequence, size);
            }
            if ((header & META_DATA) == 0) {
                sequence++;
            }
            position = end + (-end & 3);
        }
    }

    /**
     * The write position recorded in the store's header (the first excerpt), or -1 if it cannot be
     * found there, in which case the file is walked from its start.
     */
    private long writePosition() throws IOException {
        if (size < HEADER_SIZE) {
            return -1;
        }
        int header = intAt(0);
        int length = header & LENGTH_MASK;
        if ((header & (NOT_COMPLETE | META_DATA)) != META_DATA || length > WINDOW - HEADER_SIZE
                || length + HEADER_SIZE > size) {
            return -1;
        }
        ByteBuffer store = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(store, HEADER_SIZE);
        int name = indexOf(store.array(), WRITE_POSITION);
        if (name < 0) {
            return -1;
        }
        for (int i = name + WRITE_POSITION.length; i + 1 + 3 * Long.BYTES <= length; i++) {
            if (store.get(i) == I64_ARRAY) {
                long value = store.getLong(i + 1 + 2 * Long.BYTES);
                return value > 0 ? value : -1;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] bytes, byte[] wanted) {
        outer:
        for (int i = 0; i + wanted.length <= bytes.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (bytes[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private int byteAt(long position) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        return channel.read(one, position) == 1 ? one.get(0) : 0;
    }

    private int intAt(long position) throws IOException {
        if (windowStart < 0 || position < windowStart || position + HEADER_SIZE > windowStart + windowLength) {
            window.clear();
            windowStart = position;
            windowLength = 0;
            while (window.hasRemaining()) {
                int n = channel.read(window, position + window.position());
                if (n < 0) {
                    break;
                }
            }
            windowLength = window.position();
        }
        return window.getInt((int) (position - windowStart));
    }
}
