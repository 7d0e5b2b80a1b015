package dev.meridian.launcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How {@code meridian trace} and {@code run --trace} print the frames of the daemon's live streams. */
class TraceFollowerTest {

    private static final String OPEN = "{\"type\":\"call\",\"sandbox\":\"3f9c0a1b2c3d4e5f\",\"seq\":7,\"pid\":40,"
            + "\"tid\":41,\"syscall\":\"openat\",\"line\":\"openat(AT_FDCWD, \\\"/etc/hosts\\\", O_RDONLY) = 3\","
            + "\"verdict\":\"allow\",\"rule\":\"trace/all\",\"latencyNanos\":15000}";
    private static final String DENIED = "{\"type\":\"call\",\"sandbox\":\"41c4000000000001\",\"seq\":9,\"pid\":50,"
            + "\"tid\":50,\"syscall\":\"openat\",\"line\":\"openat(AT_FDCWD, \\\"/etc/shadow\\\", O_RDONLY) = -1 "
            + "EACCES (Permission denied) <denied by strict/secrets>\",\"verdict\":\"deny\","
            + "\"rule\":\"strict/secrets\",\"latencyNanos\":21000}";

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @Test
    void oneSandboxPrintsStraceLinesUntilItsEnd() {
        TraceFollower follower = follower(false, null, OPEN, "{\"type\":\"end\",\"code\":0,\"signal\":0,\"status\":0}");
        follower.run();
        assertEquals("[pid 41] openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3\n", text());
        assertTrue(follower.awaitEnd(0));
        assertNull(follower.failure());
    }

    @Test
    void severalSandboxesPrefixTheShortIdAndReadyIsAnnounced() {
        AtomicInteger ready = new AtomicInteger();
        TraceFollower follower = follower(true, ready, "{\"type\":\"ready\"}", OPEN, DENIED);
        follower.run();
        assertEquals(1, ready.get());
        assertEquals("""
                3f9c0a1b2c3d [pid 41] openat(AT_FDCWD, "/etc/hosts", O_RDONLY) = 3
                41c400000000 [pid 50] openat(AT_FDCWD, "/etc/shadow", O_RDONLY) = -1 EACCES (Permission denied) \
                <denied by strict/secrets>
                """, text());
        // The stream ended without an end message and without being closed here: the daemon closed it.
        assertEquals("the daemon closed it", follower.failure());
        assertFalse(follower.awaitEnd(0));
    }

    @Test
    void aClosedOutputStopsTheTraceQuietly() {
        PrintStream broken = new PrintStream(OutputStream.nullOutputStream()) {
            @Override
            public boolean checkError() {
                return true;
            }
        };
        TraceFollower follower = new TraceFollower(socket(OPEN, DENIED), broken, false, () -> { });
        follower.run();
        assertTrue(follower.outputClosed());
        assertNull(follower.failure(), "nobody reads the trace any more: no failure to report");
    }

    private TraceFollower follower(boolean prefix, AtomicInteger ready, String... frames) {
        return new TraceFollower(socket(frames), new PrintStream(printed, true, StandardCharsets.UTF_8), prefix,
                () -> ready.incrementAndGet());
    }

    private static WebSocket socket(String... frames) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String frame : frames) {
            all.writeBytes(WebSocket.encodeFrame(WebSocket.OP_TEXT, true, frame.getBytes(StandardCharsets.UTF_8),
                    null));
        }
        return new WebSocket(new ChannelInput(Channels.newChannel(new ByteArrayInputStream(all.toByteArray())), 64),
                Channels.newChannel(OutputStream.nullOutputStream()));
    }

    private String text() {
        return printed.toString(StandardCharsets.UTF_8);
    }
}
