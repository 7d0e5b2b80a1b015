package dev.meridian.launcher.client;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Prints the calls of a live stream of the daemon ({@code events} of one sandbox, or {@code trace}) as strace-like
 * lines, {@code [pid TID] openat(...) = 3}, prefixed with the sandbox's short id when the stream carries several
 * sandboxes. Ends with the stream's end message (one sandbox), when {@link #closeStream} closed it, when its output
 * was closed (a pipe whose reader left), or when the daemon closed it; runs on a thread of its own or the caller's.
 */
final class TraceFollower extends Thread {
    private final WebSocket events;
    final PrintStream output;
    private final boolean prefixSandbox;
    private final Runnable onReady;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean stopped;
    private volatile boolean outputClosed;
    private volatile String failure;

    /**
     * @param prefixSandbox whether each line starts with the sandbox's short id (a stream of several sandboxes)
     * @param onReady run when the daemon says the stream follows every journal (the {@code trace} stream)
     */
    TraceFollower(WebSocket events, PrintStream output, boolean prefixSandbox, Runnable onReady) {
        super("meridian-trace");
        setDaemon(true);
        this.events = events;
        this.output = output;
        this.prefixSandbox = prefixSandbox;
        this.onReady = onReady;
    }

    @Override
    public void run() {
        try {
            WebSocket.Message message;
            while ((message = events.receive()) != null) {
                if (!message.text()) {
                    continue;
                }
                Map<String, Object> event = Json.parseObject(message.string());
                Object type = event.get("type");
                if ("call".equals(type)) {
                    output.println(line(event));
                    if (output.checkError()) {
                        // As a program killed by SIGPIPE: nobody reads the trace any more.
                        outputClosed = true;
                        closeStream();
                        break;
                    }
                } else if ("ready".equals(type)) {
                    onReady.run();
                } else if ("end".equals(type)) {
                    ended.countDown();
                    closeStream();
                    return;
                }
            }
        } catch (IOException | Json.ParseException e) {
            if (!stopped) {
                failure = e.getMessage();
            }
        }
        if (failure == null && !stopped) {
            failure = "the daemon closed it" + (events.closeCode() == WebSocket.CLOSE_NO_STATUS ? ""
                    : " (" + events.closeCode() + (events.closeReason().isEmpty() ? ""
                            : ": " + Http.printable(events.closeReason())) + ")");
        }
        ended.countDown();
    }

    /** {@code [pid TID] LINE}, after the sandbox's short id when several sandboxes may appear. */
    private String line(Map<String, Object> call) throws Json.ParseException {
        String line = "[pid " + Json.integer(call, "tid") + "] " + Json.string(call, "line");
        return prefixSandbox ? Listing.shortId(Json.string(call, "sandbox")) + " " + line : line;
    }

    /** Closes the stream (an interrupted trace); the daemon's answer to the close ends {@link #run}. */
    void closeStream() {
        stopped = true;
        try {
            events.close(WebSocket.CLOSE_NORMAL, "");
        } catch (IOException alreadyClosed) {
            // The daemon closed it first.
        }
    }

    /** Whether the trace stopped because its output could not be written any more. */
    boolean outputClosed() {
        return outputClosed;
    }

    /** Why the stream stopped other than by its end, {@link #closeStream} or a closed output, or null. */
    String failure() {
        return failure;
    }

    /** Waits for the end of the stream; false if it did not come in time or the stream broke. */
    boolean awaitEnd(long millis) {
        try {
            return ended.await(millis, TimeUnit.MILLISECONDS) && failure == null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
