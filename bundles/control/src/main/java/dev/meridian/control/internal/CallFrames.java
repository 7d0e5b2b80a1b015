package dev.meridian.control.internal;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.NorthShim;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SyscallBus;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The calls of a live stream ({@code events}, {@code trace}) as WebSocket text frames, one JSON object per call that
 * passes the filter. Called by journal followers: when the socket's write queue is full, the follower waits until it
 * drains, so a slow or stuck client only falls behind; the journal keeps what the follower has not read, and the
 * guest never waits for it. Thread-safe (a trace has a follower per journal); frames of one follower keep its order.
 */
final class CallFrames {

    private final ServerWebSocket socket;
    private final Supplier<SyscallBus> bus;
    private final CallFilter filter;
    private volatile boolean closed;

    CallFrames(ServerWebSocket socket, Supplier<SyscallBus> bus, CallFilter filter) {
        this.socket = socket;
        this.bus = bus;
        this.filter = filter;
        socket.closeHandler(nothing -> closed = true);
        // The client has nothing to say on these sockets; anything it sends is ignored.
        socket.handler(data -> { });
    }

    /** Whether the client left (or the socket was closed here). */
    boolean closed() {
        return closed;
    }

    /** Sends {@code entry} if it passes the filter; waits while the socket's write queue is full. */
    synchronized void send(JournalEntry entry) {
        if (closed) {
            return;
        }
        SyscallBus current = bus.get();
        NorthShim shim = current == null ? null : current.shimFor(entry.abi());
        String name = shim == null ? null : shim.syscallName(entry.number());
        String syscall = name != null ? name : "syscall_" + entry.number();
        if (!filter.matches(entry, syscall)) {
            return;
        }
        JsonObject call = new JsonObject()
                .put("type", "call")
                .put("sandbox", SandboxIds.format(entry.sandboxId()))
                .put("seq", entry.sequence())
                .put("pid", entry.pid())
                .put("tid", entry.tid())
                .put("syscall", syscall)
                .put("line", shim != null ? shim.render(entry) : rawLine(syscall, entry))
                .put("verdict", entry.completed() ? entry.action().name().toLowerCase(Locale.ROOT) : null)
                .put("rule", entry.rule())
                .put("latencyNanos", entry.completed() ? entry.latencyNanos() : null);
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

    /** A frame of the stream itself (not a call), after the calls sent so far. */
    synchronized Future<Void> sendMessage(JsonObject message) {
        return socket.writeTextMessage(message.encode());
    }

    /** Runs {@code start} (which may start followers), then sends {@code message}, before any call frame. */
    synchronized void sendFirst(Runnable start, JsonObject message) {
        start.run();
        socket.writeTextMessage(message.encode());
    }

    Future<Void> close(int code, String reason) {
        closed = true;
        return socket.close((short) code, reason(reason));
    }

    /** With no shim for the call's ABI any more: the raw registers rather than nothing. */
    private static String rawLine(String name, JournalEntry entry) {
        StringBuilder raw = new StringBuilder(name).append('(');
        for (int i = 0; i < 6; i++) {
            raw.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(entry.arg(i)));
        }
        return raw.append(") = ?").toString();
    }

    /** A close reason fits in a control frame (123 bytes). */
    static String reason(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= 123) {
            return text;
        }
        return new String(bytes, 0, 117, StandardCharsets.UTF_8) + "...";
    }
}
