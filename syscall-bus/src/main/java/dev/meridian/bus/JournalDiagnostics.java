package dev.meridian.bus;

import java.util.List;

/**
 * What a journal reader had to skip. Every {@link dev.meridian.api.JournalReader} the bus returns
 * implements it; callers check with {@code instanceof}. A skipped record never hides the readable
 * records around it.
 */
public interface JournalDiagnostics {

    /** Records skipped so far because they were corrupt, truncated or of an unknown type or version. */
    long skippedRecords();

    /**
     * One line per skipped record, naming the journal directory, the record's index and the cause,
     * in index order (at most the first {@value #MAX_WARNINGS}).
     */
    List<String> warnings();

    /** The most warnings {@link #warnings()} keeps; {@link #skippedRecords()} counts them all. */
    int MAX_WARNINGS = 100;
}
