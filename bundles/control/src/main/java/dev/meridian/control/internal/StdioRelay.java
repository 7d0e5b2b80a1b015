package dev.meridian.control.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestStdio;
import dev.meridian.api.Sandbox;
import dev.meridian.api.SandboxState;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Carries one sandbox's standard streams to and from the WebSocket attached to it (at most one at a time). Each
 * output stream has a reader thread of its own that blocks on the guest's pipe or terminal and hands a chunk to the
 * socket only when the previous one was written, so a slow client stops the reads and the guest blocks on a full pipe
 * rather than the daemon buffering without bound. A chunk read while no client is attached waits for the next one.
 * Input goes through one writer thread per sandbox, in order; the socket is paused while too much input waits.
 */
final class StdioRelay {

    static final byte STDIN = 0;
    static final byte STDOUT = 1;
    static final byte STDERR = 2;
    private static final int CHUNK_BYTES = 32 * 1024;
    private static final long INPUT_PAUSE_BYTES = 1 << 20;
    private static final long INPUT_RESUME_BYTES = 256 * 1024;

    private final Sandbox sandbox;
    private final boolean discardOutput;
    private final Consumer<StdioRelay> onFinished;
    private final CompletableFuture<GuestStdio> stdio = new CompletableFuture<>();
    private final CompletableFuture<Void> outputDrained = new CompletableFuture<>();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final ExecutorService input;
    private final AtomicLong pendingInput = new AtomicLong();
    private final Object attachLock = new Object();
    private Session attached;
    private volatile boolean closed;

    /** One attached WebSocket. */
    private record Session(ServerWebSocket socket, Context context) {
    }

    StdioRelay(Sandbox sandbox, boolean discardOutput, Consumer<StdioRelay> onFinished) {
        this.sandbox = sandbox;
        this.discardOutput = discardOutput;
        this.onFinished = onFinished;
        this.input = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
                .name("meridian-stdin-" + sandbox.displayId()).factory());
    }

    Sandbox sandbox() {
        return sandbox;
    }

    /** Once the guest runs: starts the readers (the guest's streams exist only from then on). */
    void started() {
        if (stdio.isDone()) {
            return;
        }
        GuestStdio streams;
        try {
            streams = sandbox.process().stdio();
        } catch (RuntimeException e) {
            // It never ran (start failed): nothing to relay, only the end to report.
            streams = null;
        }
        if (!stdio.complete(streams)) {
            return;
        }
        if (streams == null) {
            outputDrained.complete(null);
            return;
        }
        List<InputStream> outputs = streams.errors() == null ? List.of(streams.output())
                : List.of(streams.output(), streams.errors());
        openStreams.set(outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            byte stream = (byte) (i + 1);
            InputStream in = outputs.get(i);
            Thread.ofPlatform().daemon().name("meridian-" + (stream == STDOUT ? "stdout-" : "stderr-")
                    + sandbox.displayId()).start(() -> pump(stream, in));
        }
        if (discardOutput) {
            closeInput();
            // Nobody attaches to a null stdio: the relay ends with the guest.
            outputDrained.thenCompose(nothing -> sandbox.exit()).whenComplete((status, failure) -> close());
        }
    }

    boolean discardsOutput() {
        return discardOutput;
    }

    boolean isStarted() {
        return stdio.isDone();
    }

    /**
     * Makes {@code socket} the attached client; false if another one is attached. Frames from the client go to the
     * guest; once all output was sent and the guest is gone, the exit frame follows and the socket is closed.
     */
    boolean attach(ServerWebSocket socket, Context context) {
        Session session = new Session(socket, context);
        synchronized (attachLock) {
            if (attached != null) {
                return false;
            }
            attached = session;
            attachLock.notifyAll();
        }
        socket.binaryMessageHandler(message -> fromClient(session, message));
        socket.textMessageHandler(text -> control(session, text));
        socket.closeHandler(nothing -> detach(session));
        outputDrained.thenCompose(nothing -> sandbox.exit()).whenComplete((status, failure) ->
                context.runOnContext(nothing -> finish(session, status)));
        return true;
    }

    private void finish(Session session, ExitStatus status) {
        synchronized (attachLock) {
            if (attached != session) {
                return;
            }
        }
        JsonObject exit = new JsonObject().put("type", "exit");
        if (status != null) {
            exit.put("code", status.code()).put("signal", status.signal()).put("status", status.shellStatus());
        }
        SandboxState state = sandbox.state();
        exit.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        session.socket().writeTextMessage(exit.encode())
                .eventually(() -> session.socket().close((short) 1000, "exited"));
        close();
    }

    private void detach(Session session) {
        synchronized (attachLock) {
            if (attached == session) {
                attached = null;
            }
        }
    }

    private void fromClient(Session session, Buffer message) {
        if (message.length() == 0 || message.getByte(0) != STDIN) {
            error(session, "a binary frame from the client starts with byte 0 (stdin)");
            return;
        }
        if (discardOutput) {
            error(session, "the sandbox's stdio is null: its input is closed");
            return;
        }
        byte[] data = message.getBytes(1, message.length());
        if (pendingInput.addAndGet(data.length) > INPUT_PAUSE_BYTES) {
            session.socket().pause();
        }
        input.execute(() -> {
            try {
                OutputStream in = stdio.get() == null ? null : stdio.get().input();
                if (in != null) {
                    in.write(data);
                    in.flush();
                }
            } catch (IOException | ExecutionException e) {
                // The guest closed its input or is gone: what it no longer reads is dropped, as a pipe would.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (pendingInput.addAndGet(-data.length) < INPUT_RESUME_BYTES) {
                    session.context().runOnContext(nothing -> session.socket().resume());
                }
            }
        });
    }

    private void control(Session session, String text) {
        JsonObject message;
        String type;
        try {
            message = new JsonObject(text);
            type = StrictJson.string(message, "", "type");
            if (type == null) {
                throw ApiException.badRequest("missing required field \"type\"");
            }
            switch (type) {
                case "eof" -> {
                    StrictJson.onlyKnown(message, "", List.of("type"));
                    closeInput();
                }
                case "signal" -> {
                    StrictJson.onlyKnown(message, "", List.of("type", "signal"));
                    int signal = Signals.number("signal", StrictJson.required(message, "", "signal"));
                    if (sandbox.state() == SandboxState.RUNNING) {
                        sandbox.process().signal(signal);
                    }
                }
                case "resize" -> {
                    StrictJson.onlyKnown(message, "", List.of("type", "rows", "columns"));
                    long rows = StrictJson.integer("rows", StrictJson.required(message, "", "rows"));
                    long columns = StrictJson.integer("columns", StrictJson.required(message, "", "columns"));
                    if (rows < 1 || rows > 0xFFFF || columns < 1 || columns > 0xFFFF) {
                        throw ApiException.badRequest("rows and columns take 1 to 65535");
                    }
                    input.execute(() -> {
                        GuestStdio streams = stdio.join();
                        if (streams != null) {
                            streams.resize((int) rows, (int) columns);
                        }
                    });
                }
                default -> throw ApiException.badRequest("unknown message type '" + type
                        + "' (known: eof, signal, resize)");
            }
        } catch (ApiException e) {
            error(session, e.getMessage());
        } catch (io.vertx.core.json.DecodeException e) {
            error(session, "a text frame holds one JSON object: " + e.getMessage());
        }
    }

    /** Tells the client what was wrong with a frame it sent; the session goes on. */
    private static void error(Session session, String message) {
        session.socket().writeTextMessage(new JsonObject().put("type", "error").put("message", message).encode());
    }

    private void closeInput() {
        input.execute(() -> {
            try {
                GuestStdio streams = stdio.get();
                if (streams != null) {
                    streams.input().close();
                }
            } catch (IOException | ExecutionException e) {
                // Already closed.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void pump(byte stream, InputStream in) {
        byte[] chunk = new byte[CHUNK_BYTES];
        try {
            while (!closed) {
                int count;
                try {
                    count = in.read(chunk);
                } catch (IOException e) {
                    // A terminal whose last writer is gone reads EIO: the end, as for a pipe.
                    break;
                }
                if (count < 0) {
                    break;
                }
                if (count > 0 && !discardOutput) {
                    deliver(Buffer.buffer(count + 1).appendByte(stream).appendBytes(chunk, 0, count));
                }
            }
        } finally {
            if (openStreams.decrementAndGet() == 0) {
                outputDrained.complete(null);
            }
        }
    }

    /** Blocks until an attached client has written {@code frame} (or the relay is closed). */
    private void deliver(Buffer frame) {
        while (!closed) {
            Session session;
            synchronized (attachLock) {
                while (attached == null && !closed) {
                    try {
                        attachLock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                session = attached;
            }
            if (session == null) {
                return;
            }
            try {
                session.socket().writeBinaryMessage(frame).toCompletionStage().toCompletableFuture().get();
                return;
            } catch (ExecutionException e) {
                // That client went away mid-write: the chunk waits for the next one.
                detach(session);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops relaying: the exit was sent, or the daemon stops. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        stdio.complete(null);
        synchronized (attachLock) {
            attachLock.notifyAll();
        }
        input.shutdown();
        onFinished.accept(this);
    }
}
