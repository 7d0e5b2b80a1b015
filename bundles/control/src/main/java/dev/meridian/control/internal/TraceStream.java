package dev.meridian.control.internal;

import dev.meridian.api.JournalException;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.SandboxInfo;
import dev.meridian.api.SandboxManager;
import dev.meridian.api.SyscallBus;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code trace} WebSocket: the calls of every sandbox (or of the named ones) from the moment of subscribing, live,
 * for as long as the client stays. Each journal the sandboxes write is followed from its end by a
 * {@link JournalReader#followAll follower} of its own, which sends through {@link CallFrames}: a client that does not
 * read holds up its own followers, never a guest. The stream's thread finds the journals: the daemon's, and any other a
 * sandbox writes (a journal that appears after the subscription is followed from its start, so its first calls are not
 * missed).
 */
final class TraceStream implements Runnable {

    private static final long POLL_MILLIS = 100;
    private static final AtomicInteger NUMBER = new AtomicInteger();

    private final Services services;
    private final CallFrames frames;
    private final Runnable onEnd;
    /** The journals to follow: the daemon's and those of the sandboxes traced or seen. */
    private final Set<Path> journals = new LinkedHashSet<>();
    /** Journals followed, by real path: two names of one directory are followed once. */
    private final Map<Path, Followed> followed = new HashMap<>();
    private final Set<Path> opened = new HashSet<>();
    /** With no sandbox named: the sandboxes whose journal was looked at (pruned to the listed ones). */
    private final Set<Long> seenSandboxes = new HashSet<>();
    private final boolean everySandbox;
    private final Long onlySandbox;
    private long since;

    private record Followed(JournalReader reader, JournalReader.Follow follow) {
    }

    /**
     * @param journals the journals of the named sandboxes; with none named, the daemon's default journal
     * @param everySandbox whether every sandbox is traced (then journals of sandboxes that appear are followed too)
     * @param onEnd called once the stream is over (the subscriber's slot is free)
     */
    TraceStream(Services services, CallFrames frames, Collection<Path> journals, boolean everySandbox,
            Long onlySandbox, Runnable onEnd) {
        this.services = services;
        this.frames = frames;
        this.everySandbox = everySandbox;
        this.onlySandbox = onlySandbox;
        this.onEnd = onEnd;
        for (Path journal : journals) {
            this.journals.add(journal.toAbsolutePath().normalize());
        }
    }

    void start() {
        Thread.ofPlatform().daemon().name("meridian-trace-" + NUMBER.incrementAndGet()).start(this);
    }

    @Override
    public void run() {
        try {
            since = System.currentTimeMillis();
            discover();
            // Once every journal that exists is followed from its end, a client may start its workload.
            frames.sendFirst(() -> follow(true), new JsonObject().put("type", "ready"));
            while (!frames.closed()) {
                Thread.sleep(POLL_MILLIS);
                discover();
                follow(false);
                checkFollowers();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            frames.close(1001, "the daemon is stopping");
        } catch (RuntimeException e) {
            frames.close(1011, "the trace failed: " + Errors.describe(e));
        } finally {
            for (Followed each : followed.values()) {
                each.follow().close();
                each.reader().close();
            }
            onEnd.run();
        }
    }

    /** Adds the journals of sandboxes not seen before, when every sandbox is traced. */
    private void discover() {
        SandboxManager manager = services.sandboxes();
        if (!everySandbox || manager == null) {
            return;
        }
        Set<Long> listed = new HashSet<>();
        for (SandboxInfo info : manager.list(false)) {
            listed.add(info.id());
            if (seenSandboxes.add(info.id())) {
                manager.find(info.id()).ifPresent(sandbox ->
                        journals.add(sandbox.spec().journalDirectory().toAbsolutePath().normalize()));
            }
        }
        seenSandboxes.retainAll(listed);
    }

    /**
     * Starts a follower on each journal not followed yet that can be read. At the subscription a journal is followed
     * from its end; one that appears later is followed from its start, from the subscription's time on.
     */
    private void follow(boolean subscribing) {
        SyscallBus bus = services.bus();
        if (bus == null) {
            if (subscribing) {
                throw new IllegalStateException("the syscall bus is not running");
            }
            return; // Being replaced: the next poll tries again.
        }
        for (Path journal : journals) {
            if (opened.contains(journal)) {
                continue;
            }
            JournalReader reader;
            try {
                reader = bus.reader(journal);
            } catch (JournalException notYet) {
                continue; // No sandbox has written it yet.
            }
            opened.add(journal);
            Path key = realPath(journal);
            if (followed.containsKey(key)) {
                reader.close();
                continue;
            }
            JournalQuery query = new JournalQuery(onlySandbox, null, null, subscribing ? null : since, null);
            followed.put(key, new Followed(reader, reader.followAll(query, frames::send)));
        }
    }

    /** A follower that failed ends the stream with its reason. */
    private void checkFollowers() throws InterruptedException {
        for (Followed each : followed.values()) {
            each.follow().awaitEnd(0); // throws with the cause once the follower failed
        }
    }

    private static Path realPath(Path journal) {
        try {
            return journal.toRealPath();
        } catch (IOException e) {
            return journal;
        }
    }
}
