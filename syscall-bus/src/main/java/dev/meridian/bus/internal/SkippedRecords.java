package dev.meridian.bus.internal;

import dev.meridian.bus.JournalDiagnostics;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** The records of one journal that could not be decoded, by index; shared by a reader's threads. */
final class SkippedRecords {

    private final Path directory;
    private final ConcurrentSkipListMap<Long, String> causes = new ConcurrentSkipListMap<>();
    /** The map's size, kept apart: counting a skip-list map walks it. */
    private final AtomicLong count = new AtomicLong();

    SkippedRecords(Path directory) {
        this.directory = directory;
    }

    /** Notes that the record at {@code index} was skipped; a record read twice counts once. */
    void add(long index, String cause) {
        if (causes.putIfAbsent(index, cause) == null) {
            count.incrementAndGet();
        }
    }

    long count() {
        return count.get();
    }

    List<String> warnings() {
        return causes.entrySet().stream()
                .limit(JournalDiagnostics.MAX_WARNINGS)
                .map(e -> "journal " + directory + ": skipped record 0x" + Long.toHexString(e.getKey()) + ": "
                        + e.getValue())
                .toList();
    }
}
