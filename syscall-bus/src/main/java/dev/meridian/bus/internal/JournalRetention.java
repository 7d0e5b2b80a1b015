package dev.meridian.bus.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the files of a journal's finished cycles once they are older than the retention: a cycle's
 * file goes when its cycle ended more than the retention ago, no reader of this process has the
 * journal open (a reader may be in any cycle; writers append to the current one only) and it is
 * neither the current cycle's file nor the journal's newest. Runs when the journal is opened for
 * writing, when its last reader closes and when Chronicle lets go of a cycle's file (after a roll,
 * on Chronicle's background thread), never on the guest path. Files a damaged tail left beside a cycle's file ({@code NAME.cq4.damage-*}) go with it.
 */
final class JournalRetention implements StoreFileListener {

    private static final Logger LOG = LoggerFactory.getLogger(JournalRetention.class);

    private final Path directory;
    private final Duration retention;
    /** Readers of this process with the journal open: they may be in any cycle. */
    private final AtomicInteger readers = new AtomicInteger();
    private volatile SingleChronicleQueue queue;

    JournalRetention(Path directory, Duration retention) {
        this.directory = directory;
        this.retention = retention;
    }

    /** Starts deleting for {@code journal} (the queue this listener was built into). */
    void attach(SingleChronicleQueue journal) {
        this.queue = journal;
    }

    /**
     * A reader of this process opened the journal: nothing is deleted until the last one closes.
     * Synchronized with {@link #sweep}: a sweep already past its check of the readers (one Chronicle
     * started after a roll, on its own thread) finishes before the reader goes on, so it cannot
     * delete a file under the reader, nor judge the files by a clock read after the reader opened.
     */
    synchronized void readerOpened() {
        readers.incrementAndGet();
    }

    void readerClosed() {
        if (readers.decrementAndGet() == 0) {
            sweep();
        }
    }

    /** Chronicle let go of a cycle's file (after a roll): the previous cycles may now be past the retention. */
    @Override
    public void onReleased(int cycle, File file) {
        sweep();
    }

    /** Deletes the files of the cycles past the retention; returns how many cycles went. */
    synchronized int sweep() {
        SingleChronicleQueue journal = queue;
        if (journal == null || retention == null || readers.get() > 0 || journal.isClosed()
                || !Files.isDirectory(directory)) {
            return 0;
        }
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SingleChronicleQueue.SUFFIX)) {
            RollingResourcesCache names = names(journal);
            int newest = Integer.MIN_VALUE;
            Map<Integer, Path> byCycle = new HashMap<>();
            for (Path file : files) {
                String name = file.getFileName().toString();
                int cycle = names.parseCount(name.substring(0, name.length() - SingleChronicleQueue.SUFFIX.length()));
                byCycle.put(cycle, file);
                newest = Math.max(newest, cycle);
            }
            int current = journal.cycle();
            long length = journal.rollCycle().lengthInMillis();
            long now = journal.time().currentTimeMillis();
            for (Map.Entry<Integer, Path> entry : byCycle.entrySet()) {
                int cycle = entry.getKey();
                long end = journal.epoch() + (cycle + 1L) * length;
                if (cycle < newest && cycle < current && end + retention.toMillis() <= now
                        && delete(entry.getValue())) {
                    deleted++;
                }
            }
            if (deleted > 0) {
                journal.refreshDirectoryListing();
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // the journal directory is gone: nothing to keep or delete
        } catch (IOException | RuntimeException e) { // a file not of this roll cycle, a closed queue: try again later
            LOG.warn("journal {}: retention sweep failed", directory, e);
        }
        return deleted;
    }

    /** The cycle of the file named {@code name}, as Chronicle numbers it. */
    static int cycleOf(SingleChronicleQueue journal, String name) {
        return names(journal).parseCount(name.substring(0, name.length() - SingleChronicleQueue.SUFFIX.length()));
    }

    private static RollingResourcesCache names(SingleChronicleQueue journal) {
        return new RollingResourcesCache(journal.rollCycle(), journal.epoch(), File::new, File::getName);
    }

    /** Deletes {@code file} and what a repair left beside it. */
    private boolean delete(Path file) {
        String name = file.getFileName().toString();
        try {
            boolean deleted = Files.deleteIfExists(file);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory, name + ".damage-*")) {
                for (Path leftover : leftovers) {
                    Files.deleteIfExists(leftover);
                }
            }
            return deleted;
        } catch (IOException e) {
            LOG.warn("journal {}: cannot delete {} past the retention of {}", directory, name, retention, e);
            return false;
        }
    }
}
