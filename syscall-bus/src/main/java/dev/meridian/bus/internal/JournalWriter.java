package dev.meridian.bus.internal;

import dev.meridian.api.SandboxIds;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that moves a journal's {@link JournalRing}s into its Chronicle queue. It wakes on a
 * timer, not per call: a wake-up from the supervisor would cost the guest a system call. With
 * traffic it passes every {@value #BUSY_PAUSE_MICROS} µs (up to a few hundred records of a busy
 * sandbox a pass, well within a ring; passing more often cost the guest more than it saved: on a
 * two-core host each wake-up can land on the core where a guest and its supervisor ping-pong); idle, its pause doubles up to {@value #IDLE_PAUSE_MILLIS} ms, and with no ring it sleeps
 * until one is added. A supervisor that would wait for it (a full ring, a flush) copies a batch
 * itself when the writer is not copying that ring right now, else unparks it. Allocates nothing per
 * record or per pass.
 */
final class JournalWriter {

    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
    private static final long BUSY_PAUSE_MICROS = 1_000;
    private static final long IDLE_PAUSE_MILLIS = 2;
    /** Records taken from one ring before the next ring's turn. */
    private static final int BATCH = 512;
    private static final long RETIRE_WAIT_SECONDS = 10;

    private final Journal journal;
    private final Thread thread;
    /** Replaced (copy on write) under this object's lock; read by the thread without one. */
    private volatile JournalRing[] rings = new JournalRing[0];
    private volatile boolean stopped;

    JournalWriter(Journal journal) {
        this.journal = journal;
        this.thread = Thread.ofPlatform().daemon().name("meridian-journal-writer").unstarted(this::run);
        thread.start();
    }

    synchronized void add(JournalRing ring) {
        ring.attachWriter(thread);
        JournalRing[] more = Arrays.copyOf(rings, rings.length + 1);
        more[rings.length] = ring;
        rings = more;
        LockSupport.unpark(thread);
    }

    /**
     * Copies what is left of {@code ring}, closes it (deleting its file if every record made it) and
     * returns. Bounded: if the thread is stuck, the ring is closed when it gets there.
     */
    void retire(JournalRing ring) {
        CountDownLatch done = ring.retire();
        LockSupport.unpark(thread);
        try {
            if (!done.await(RETIRE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("journal {}: sandbox {}: the journal writer has not copied its last records after {} s; "
                        + "they stay in {}", journal.directory(), SandboxIds.format(ring.sandboxId()),
                        RETIRE_WAIT_SECONDS, ring.file());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread once it has copied and closed every ring left (their gateways are gone). */
    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(RETIRE_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        ExcerptAppender appender = journal.queue().createAppender();
        try {
            long pauseNanos = TimeUnit.MICROSECONDS.toNanos(BUSY_PAUSE_MICROS);
            while (true) {
                JournalRing[] current = rings;
                int moved = 0;
                boolean backlog = false;
                for (JournalRing ring : current) {
                    int taken = ring.tryDrain(appender, BATCH);
                    moved += taken;
                    backlog |= taken == BATCH;
                    if (ring.retiring() && (ring.hasFailed() || !ring.pending())) {
                        remove(ring);
                        ring.close();
                        ring.retired();
                    }
                }
                if (backlog) {
                    continue;
                }
                if (stopped && rings.length == 0) {
                    return;
                }
                if (moved > 0) {
                    pauseNanos = TimeUnit.MICROSECONDS.toNanos(BUSY_PAUSE_MICROS);
                } else {
                    pauseNanos = Math.min(pauseNanos * 2, TimeUnit.MILLISECONDS.toNanos(IDLE_PAUSE_MILLIS));
                }
                if (rings.length == 0 && !stopped) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, pauseNanos);
                }
            }
        } finally {
            appender.close();
        }
    }

    private synchronized void remove(JournalRing ring) {
        JournalRing[] current = rings;
        JournalRing[] fewer = new JournalRing[current.length - 1];
        int at = 0;
        for (JournalRing r : current) {
            if (r != ring) {
                fewer[at++] = r;
            }
        }
        rings = fewer;
    }
}
