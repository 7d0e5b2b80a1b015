package dev.meridian.bus.internal;

import dev.meridian.api.CompletedCall;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.TrafficTap;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus's {@link TrafficTap}: one daemon thread, {@value #THREAD_NAME}, that follows every
 * journal the bus opens for writing and hands each record to the listeners. It starts with the
 * first subscription, at the end of each journal then open for writing (a journal opened later is
 * followed from before its first record; a directory is followed, so records another process
 * appends to it come too), and stops when the last subscription closes. It only
 * reads the journals, so the guest path does not change: a slow or blocked listener holds up the
 * tap alone, and what it has not read yet waits in the journal, counted as lag.
 *
 * <p>Records: a sandbox's start goes out as {@link TrafficListener#sandboxStarted}, its end as
 * {@link TrafficListener#sandboxExited}; a call goes out once its completion is read, joined with
 * it, as {@link TrafficListener#callCompleted}; a policy replacement renames the sandbox's rules
 * for the completions after it. Per call, the tap thread allocates nothing (see
 * {@link TappedJournal} and {@link RuleNames}).
 *
 * <p>Counts ({@link #status}): a record is <em>delivered</em> once handed on (a call when read, as
 * it waits for its completion; a policy record once applied), <em>lost</em> if it cannot be
 * (damaged or undecodable, a completion whose call the journal cannot give back, records of files
 * deleted before the tap read them). Everything after the tap's position is <em>lag</em>.
 */
final class ChronicleTrafficTap implements TrafficTap {

    static final String THREAD_NAME = "meridian-traffic-tap";
    /** How long closing waits for a listener call in progress, or stopping for the thread. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long CLOSE_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /**
     * The pause after a pass that found records. Metrics need no faster reads, and on a two-core
     * host every wake-up of this thread can land on the core where a guest and its supervisor
     * ping-pong: a guest making 150,000 calls a second paid for waking it every 20 µs.
     */
    private static final long BUSY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The journals' size is read from the file system at most this often. */
    private static final long BYTES_REFRESH_MILLIS = 1_000;
    private static final int LOGGED_LISTENER_FAILURES = 10;
    private static final TrafficListener[] NO_LISTENERS = {};
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleTrafficTap.class);

    private final JournalRegistry registry;
    private final Object lock = new Object();
    /** The thread running now with its listeners, or null; under {@link #lock}. */
    private Run run;
    private boolean shutDown;

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    private final Object statusLock = new Object();
    private long lostToDeletion;
    private long journalBytes;
    private long journalBytesMillis = Long.MIN_VALUE;
    private int journalBytesCount = -1;

    ChronicleTrafficTap(JournalRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Subscription subscribe(TrafficListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            if (shutDown) {
                throw new IllegalStateException("the syscall bus is stopped");
            }
            if (run == null) {
                run = new Run();
                run.start();
            }
            run.add(listener);
            return new ListenerSubscription(run, listener);
        }
    }

    /** Ends every subscription and the thread; the bus is going away. */
    void shutDown() {
        Run stopped;
        synchronized (lock) {
            shutDown = true;
            stopped = run;
            run = null;
            if (stopped != null) {
                stopped.stop();
            }
        }
        if (stopped != null) {
            stopped.awaitEnd();
        }
    }

    @Override
    public Status status() {
        Run current;
        synchronized (lock) {
            current = run;
        }
        List<TappedJournal> journals = current == null ? List.of() : current.journals;
        synchronized (statusLock) {
            long lagRecords = 0;
            double lagSeconds = 0;
            for (TappedJournal journal : journals) {
                TappedJournal.Lag lag = journal.measure();
                lagRecords += lag.records();
                lagSeconds = Math.max(lagSeconds, lag.seconds());
                lostToDeletion += lag.newlyLost();
            }
            long now = System.currentTimeMillis();
            if (now - journalBytesMillis >= BYTES_REFRESH_MILLIS || journals.size() != journalBytesCount) {
                journalBytes = journals.stream().mapToLong(TappedJournal::bytes).sum();
                journalBytesMillis = now;
                journalBytesCount = journals.size();
            }
            return new Status(delivered.get(), lost.get() + lostToDeletion, lagRecords, lagSeconds, journalBytes,
                    journals.size());
        }
    }

    /** The tap's thread while it runs, else null (for tests and benchmarks measuring it). */
    Thread thread() {
        synchronized (lock) {
            return run == null ? null : run.thread;
        }
    }

    private void closed(Run from, TrafficListener listener) {
        boolean last;
        synchronized (lock) {
            last = from.remove(listener) && run == from;
            if (last) {
                run = null;
                from.stop();
            }
        }
        if (last) {
            from.awaitEnd();
        } else {
            from.awaitPass();
        }
    }

    private final class ListenerSubscription implements Subscription {
        private final Run run;
        private final TrafficListener listener;
        private boolean closed;

        ListenerSubscription(Run run, TrafficListener listener) {
            this.run = run;
            this.listener = listener;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            closed(run, listener);
        }
    }

    /**
     * One life of the tap's thread, from the first subscription to the last one's close. Also the
     * listener the journals hand their records to: it passes each on to every subscriber, keeping
     * a failing listener from stopping the others.
     */
    private final class Run implements TrafficListener {
        final Thread thread = Thread.ofPlatform().daemon().name(THREAD_NAME).unstarted(this::loop);
        /** Every journal followed; status reads it from any thread. */
        final List<TappedJournal> journals = new CopyOnWriteArrayList<>();
        private final ConcurrentLinkedQueue<TappedJournal> adopted = new ConcurrentLinkedQueue<>();
        private final RuleNames names = new RuleNames();
        private final TappedCall call = new TappedCall();
        private final BooleanSupplier stoppingCheck = () -> this.stopping;
        /** The journals the thread reads; the thread's own copy of {@link #journals}. */
        private TappedJournal[] followed = {};
        private volatile TrafficListener[] listeners = NO_LISTENERS;
        private volatile boolean stopping;
        /** Passes over the journals completed; a closing subscription waits for the next. */
        private volatile long passes;
        private int listenerFailures;

        /** Starts following the journals open for writing now, and those opened from now on. */
        void start() {
            registry.tap(this::adopt);
            thread.start();
        }

        /**
         * Called by the registry, under its lock, with a share of the journal for the tap.
         *
         * <p>The tap does not count as a reader for retention ({@link Journal#readerOpened}): it
         * holds its tailers for the life of the daemon, so retention would never run. Retention only
         * deletes cycles that ended longer than the retention ago, far behind a tap that keeps up;
         * records of a file deleted before the tap read them are counted lost
         * ({@link TappedJournal#measure}).
         */
        private void adopt(Journal journal) {
            long last;
            try {
                last = journal.queue().lastIndex();
            } catch (RuntimeException e) {
                LOG.error("traffic tap: cannot follow journal {}: {}", journal.directory(), RecordScanner.causeOf(e));
                journal.release();
                return;
            }
            TappedJournal tapped = new TappedJournal(journal, last);
            journals.add(tapped);
            adopted.add(tapped);
            LockSupport.unpark(thread);
        }

        void add(TrafficListener listener) {
            TrafficListener[] now = listeners;
            TrafficListener[] more = Arrays.copyOf(now, now.length + 1);
            more[now.length] = listener;
            listeners = more;
        }

        /** Removes one subscription of {@code listener}; true if none is left. */
        boolean remove(TrafficListener listener) {
            TrafficListener[] now = listeners;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == listener) {
                    TrafficListener[] fewer = new TrafficListener[now.length - 1];
                    System.arraycopy(now, 0, fewer, 0, i);
                    System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                    listeners = fewer;
                    break;
                }
            }
            return listeners.length == 0;
        }

        /** Under the tap's lock: no journal is handed over after this returns. */
        void stop() {
            registry.untap();
            stopping = true;
            LockSupport.unpark(thread);
        }

        /** Waits (bounded) for the thread to end, unless called from it (a listener closing itself). */
        void awaitEnd() {
            if (Thread.currentThread() == thread) {
                return;
            }
            try {
                thread.join(TimeUnit.NANOSECONDS.toMillis(CLOSE_WAIT_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("traffic tap: a listener has held the tap's thread for more than {} s; it ends once the"
                        + " listener returns", TimeUnit.NANOSECONDS.toSeconds(CLOSE_WAIT_NANOS));
            }
        }

        /** Waits (bounded) until a pass begun before now is over, so a removed listener is called no more. */
        void awaitPass() {
            if (Thread.currentThread() == thread || !thread.isAlive()) {
                return;
            }
            long target = passes + 1;
            long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
            LockSupport.unpark(thread);
            while (passes < target && thread.isAlive() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(CLOSE_POLL_NANOS);
            }
        }

        /**
         * One pass over the followed journals; a method of its own so the JIT compiles it whole (the
         * loop around it runs for the thread's life and would otherwise stay interpreted).
         *
         * @return the most records consumed from one journal
         */
        private int pass(boolean stepOverDamage) {
            if (!adopted.isEmpty()) {
                adopted.clear();
                followed = journals.toArray(new TappedJournal[0]);
            }
            int most = 0;
            for (TappedJournal journal : followed) {
                most = Math.max(most, journal.pump(this, names, call, stepOverDamage, stoppingCheck));
                long newlyDelivered = journal.takeDelivered();
                if (newlyDelivered != 0) {
                    delivered.addAndGet(newlyDelivered);
                }
                long newlyLost = journal.takeLost();
                if (newlyLost != 0) {
                    lost.addAndGet(newlyLost);
                }
            }
            passes = passes + 1;
            return most;
        }

        private void loop() {
            long idleNanos = BUSY_PAUSE_NANOS;
            try {
                while (!stopping) {
                    // Damage looks like the end of the journal; look past it only once nothing moves.
                    int consumed = pass(idleNanos >= JournalFollower.MAX_IDLE_NANOS);
                    if (consumed >= TappedJournal.BATCH) {
                        continue; // a backlog: read on at once
                    }
                    idleNanos = consumed > 0 ? BUSY_PAUSE_NANOS : Math.min(2 * idleNanos, JournalFollower.MAX_IDLE_NANOS);
                    LockSupport.parkNanos(idleNanos);
                }
            } catch (RuntimeException | Error e) {
                LOG.error("traffic tap: the tap's thread failed; nothing more is delivered", e);
            } finally {
                passes = passes + 1;
                for (TappedJournal journal : journals) {
                    journal.close();
                    journal.journal.release();
                }
            }
        }

        @Override
        public void sandboxStarted(long sandboxId, long wallClockMillis, String policy, List<String> command) {
            for (TrafficListener listener : listeners) {
                try {
                    listener.sandboxStarted(sandboxId, wallClockMillis, policy, command);
                } catch (RuntimeException | LinkageError e) { // a bug, or a listener whose bundle was refreshed
                    failed(listener, e);
                }
            }
        }

        @Override
        public void callCompleted(CompletedCall completed) {
            for (TrafficListener listener : listeners) {
                try {
                    listener.callCompleted(completed);
                } catch (RuntimeException | LinkageError e) {
                    failed(listener, e);
                }
            }
        }

        @Override
        public void sandboxExited(long sandboxId, long wallClockMillis, ExitStatus status) {
            for (TrafficListener listener : listeners) {
                try {
                    listener.sandboxExited(sandboxId, wallClockMillis, status);
                } catch (RuntimeException | LinkageError e) {
                    failed(listener, e);
                }
            }
        }

        private void failed(TrafficListener listener, Throwable e) {
            if (listenerFailures++ < LOGGED_LISTENER_FAILURES) {
                LOG.warn("traffic tap: listener {} failed; the record still counts as delivered{}", listener,
                        listenerFailures == LOGGED_LISTENER_FAILURES ? " (further failures are not logged)" : "", e);
            }
        }
    }
}
