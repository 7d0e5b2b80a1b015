package dev.meridian.control.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalReader;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Sandbox;
import dev.meridian.api.SandboxState;
import dev.meridian.api.SyscallBus;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The {@code events} WebSocket: one sandbox's journaled calls, live, as JSON text frames, then its end. Runs on a
 * thread of its own (the journal follower delivers on another); when the socket's write queue is full the follower
 * waits, so a slow client slows only its own stream, never the guest.
 */
final class EventStream implements Runnable {

    private static final long POLL_MILLIS = 50;

    private final Sandbox sandbox;
    private final Supplier<SyscallBus> bus;
    private final ServerWebSocket socket;
    private volatile boolean closed;

    EventStream(Sandbox sandbox, Supplier<SyscallBus> bus, ServerWebSocket socket) {
        this.sandbox = sandbox;
        this.bus = bus;
        this.socket = socket;
        socket.closeHandler(nothing -> closed = true);
        // The client has nothing to say on this socket; anything it sends is ignored.
        socket.handler(data -> { });
    }

    void start() {
        Thread.ofPlatform().daemon().name("meridian-events-" + sandbox.displayId()).start(this);
    }

    @Override
    public void run() {
        try {
            // A created sandbox has no journal record yet: follow it from its start.
            while (!closed && sandbox.state() == SandboxState.CREATED) {
                Thread.sleep(POLL_MILLIS);
            }
            if (closed) {
                return;
            }
            if (sandbox.info().startedMillis() != 0) {
                follow();
            }
            if (closed) {
                return;
            }
            ExitStatus status = null;
            while (!closed && status == null) {
                try {
                    status = sandbox.exit().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // Still running (its end record is read first, its exit completes just after); or the client left.
                }
            }
            if (closed) {
                return;
            }
            JsonObject end = new JsonObject().put("type", "end").put("code", status.code())
                    .put("signal", status.signal()).put("status", status.shellStatus());
            socket.writeTextMessage(end.encode()).eventually(() -> socket.close((short) 1000, "ended"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.close((short) 1001, "the daemon is stopping");
        } catch (ExecutionException | RuntimeException e) {
            socket.close((short) 1011, reason("the event stream failed: " + Errors.describe(e)));
        } catch (JournalFailure e) {
            socket.close((short) 1011, reason(e.getMessage()));
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
                JournalReader.Follow follow = reader.follow(sandbox.id(), this::send)) {
            while (!closed && !follow.awaitEnd(POLL_MILLIS)) {
                // Waiting for the sandbox's end record, or for the client to leave.
            }
        } catch (dev.meridian.api.JournalException e) {
            throw new JournalFailure(e.getMessage());
        }
    }

    private void send(JournalEntry entry) {
        if (closed) {
            return;
        }
        SyscallBus current = bus.get();
        NorthShim shim = current == null ? null : current.shimFor(entry.abi());
        String name = shim == null ? null : shim.syscallName(entry.number());
        JsonObject call = new JsonObject()
                .put("type", "call")
                .put("seq", entry.sequence())
                .put("pid", entry.pid())
                .put("tid", entry.tid())
                .put("syscall", name != null ? name : "syscall_" + entry.number())
                .put("line", shim != null ? shim.render(entry) : rawLine(name, entry))
                .put("verdict", entry.completed() ? entry.action().name().toLowerCase(Locale.ROOT) : null)
                .put("rule", entry.rule());
        Future<Void> written = socket.writeTextMessage(call.encode());
        if (socket.writeQueueFull()) {
            try {
                written.toCompletionStage().toCompletableFuture().get();
            } catch (ExecutionException e) {
                closed = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }
    }

    /** With no shim for the call's ABI any more: the raw registers rather than nothing. */
    private static String rawLine(String name, JournalEntry entry) {
        StringBuilder raw = new StringBuilder(name != null ? name : "syscall_" + entry.number()).append('(');
        for (int i = 0; i < 6; i++) {
            raw.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(entry.arg(i)));
        }
        return raw.append(") = ?").toString();
    }

    /** A close reason fits in a control frame (123 bytes). */
    static String reason(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= 123) {
            return text;
        }
        return new String(bytes, 0, 117, java.nio.charset.StandardCharsets.UTF_8) + "...";
    }
}
