package dev.meridian.api;

import java.util.List;
import java.util.function.Consumer;

/** Reads a journal back, after the fact or live. Off the guest path. */
public interface JournalReader extends AutoCloseable {

    /** The sandboxes recorded, oldest first. */
    List<SandboxRecord> sandboxes();

    /**
     * Delivers every call matching {@code query}, in journal order, joined with its completion
     * when one was recorded.
     */
    void entries(JournalQuery query, Consumer<JournalEntry> sink);

    /**
     * Follows one sandbox live from the start of its record: delivers each of its calls once the
     * completion is journaled, in journal order, on a thread of the reader's own. The returned
     * handle's {@link Follow#awaitEnd} returns once the sandbox's end has been read and every call
     * before it delivered.
     */
    Follow follow(long sandboxId, Consumer<JournalEntry> sink);

    /**
     * Follows the whole journal live from its current end: delivers every call matching
     * {@code query} (any sandbox unless it names one) once its completion is journaled, in journal
     * order, on a thread of the reader's own, until closed. A sink that blocks only holds up this
     * follow (it is a tailer; the journal keeps everything), never a guest. {@link Follow#awaitEnd}
     * returns false until closed. Returns once the follower stands at the end: every call journaled
     * after that is delivered.
     *
     * <p>With {@link JournalQuery#fromMillis} the follow begins at the journal's start instead and
     * delivers the calls received at or after that time: for a journal that appeared after the
     * subscriber began watching, whose first records a follow from the end would miss. It reads the
     * whole journal to get there.
     */
    Follow followAll(JournalQuery query, Consumer<JournalEntry> sink);

    @Override
    void close();

    /** A live subscription to one sandbox's calls. */
    interface Follow extends AutoCloseable {
        /** Waits until the sandbox's end is read; false if {@code timeoutMillis} passed first. */
        boolean awaitEnd(long timeoutMillis) throws InterruptedException;

        @Override
        void close();
    }
}
