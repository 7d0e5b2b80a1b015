package dev.meridian.control.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.JournalReader;
import dev.meridian.api.Sandbox;
import dev.meridian.api.SandboxState;
import dev.meridian.api.SyscallBus;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The {@code events} WebSocket: one sandbox's journaled calls (those its filter passes), live, as JSON text frames,
 * then its end. Runs on a thread of its own; the journal follower delivers on another, through {@link CallFrames}, so
 * a slow client slows only its own stream, never the guest.
 */
final class EventStream implements Runnable {

    private static final long POLL_MILLIS = 50;

    private final Sandbox sandbox;
    private final Supplier<SyscallBus> bus;
    private final CallFrames frames;

    EventStream(Sandbox sandbox, Supplier<SyscallBus> bus, ServerWebSocket socket, CallFilter filter) {
        this.sandbox = sandbox;
        this.bus = bus;
        this.frames = new CallFrames(socket, bus, filter);
    }

    void start() {
        Thread.ofPlatform().daemon().name("meridian-events-" + sandbox.displayId()).start(this);
    }

    @Override
    public void run() {
        try {
            // A created sandbox has no journal record yet: follow it from its start.
            while (!frames.closed() && sandbox.state() == SandboxState.CREATED) {
                Thread.sleep(POLL_MILLIS);
            }
            if (frames.closed()) {
                return;
            }
            if (sandbox.info().startedMillis() != 0) {
                follow();
            }
            if (frames.closed()) {
                return;
            }
            ExitStatus status = null;
            while (!frames.closed() && status == null) {
                try {
                    status = sandbox.exit().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // Still running (its end record is read first, its exit completes just after); or the client left.
                }
            }
            if (frames.closed()) {
                return;
            }
            JsonObject end = new JsonObject().put("type", "end").put("code", status.code())
                    .put("signal", status.signal()).put("status", status.shellStatus());
            frames.sendMessage(end).eventually(() -> frames.close(1000, "ended"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            frames.close(1001, "the daemon is stopping");
        } catch (ExecutionException | RuntimeException e) {
            frames.close(1011, "the event stream failed: " + Errors.describe(e));
        } catch (JournalFailure e) {
            frames.close(1011, e.getMessage());
        }
    }

    /** A journal could not be read; the message names it. */
    private static final class JournalFailure extends Exception {
        private static final long serialVersionUID = 1L;

        JournalFailure(String message) {
            super(message, null, false, false);
        }
    }

    private void follow() throws InterruptedException, JournalFailure {
        SyscallBus current = bus.get();
        if (current == null) {
            throw new JournalFailure("the syscall bus is not running");
        }
        try (JournalReader reader = current.reader(sandbox.spec().journalDirectory());
                JournalReader.Follow follow = reader.follow(sandbox.id(), frames::send)) {
            while (!frames.closed() && !follow.awaitEnd(POLL_MILLIS)) {
                // Waiting for the sandbox's end record, or for the client to leave.
            }
        } catch (dev.meridian.api.JournalException e) {
            throw new JournalFailure(e.getMessage());
        }
    }
}
