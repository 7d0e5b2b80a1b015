package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live trace of a real daemon with real guests: {@code GET /v1/trace} and {@code meridian trace}, their filters,
 * the bound on subscribers, and a subscriber that never reads, which must not slow a guest.
 */
class LiveTraceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int MAX_SUBSCRIBERS = 3;
    private static final int LOOP_CALLS = 200_000;
    private static final Pattern LINE = Pattern.compile("([0-9a-f]{12}) \\[pid (\\d+)] (.*)");

    private static DaemonProcess daemon;
    private static Path socket;
    private static Path loop;

    @BeforeAll
    static void startDaemon() throws IOException {
        Path root = Files.createTempDirectory(Files.createDirectories(
                MeridianHome.moduleDirectory().resolve("target/it-trace")), "t");
        daemon = DaemonProcess.start(root, Map.of("dev.meridian.control",
                "trace.max.subscribers = " + MAX_SUBSCRIBERS)).awaitStarted();
        socket = daemon.state.resolve("control.sock");
        loop = MeridianHome.compileTestProgram("getppid_loop", root);
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon::log);
        }
    }

    @Test
    void theSyscallFilterDeliversOnlyThoseCallsOfEverySandbox() throws Exception {
        RunningClient trace = trace("--syscall", "openat,getppid");
        Commands.Outcome cat = meridian("run", "--profile", "trace", "--", "cat", "/etc/hostname");
        assertEquals(0, cat.exitCode(), cat::describe);
        Commands.Outcome getppid = meridian("run", "--profile", "trace", "--", loop.toString(), "3");
        assertEquals(0, getppid.exitCode(), getppid::describe);
        trace.awaitOutput("\"/etc/hostname\"");
        trace.awaitOutput("getppid()");
        assertEquals(130, interrupt(trace), trace::describe);
        List<Matcher> lines = lines(trace);
        assertTrue(lines.stream().allMatch(line -> line.group(3).startsWith("openat(")
                || line.group(3).startsWith("getppid()")), trace::describe);
        assertEquals(3, lines.stream().filter(line -> line.group(3).startsWith("getppid()")).count(),
                trace::describe);
        assertEquals("meridian: tracing every sandbox; Ctrl-C stops\n", trace.err(), "nothing but the notice");
    }

    @Test
    void aDenialUnderStrictShowsWithTheVerdictFilter() throws Exception {
        RunningClient trace = trace("--verdict", "deny");
        Commands.Outcome run = meridian("run", "--profile", "strict", "--", "sh", "-c",
                "cat /etc/shadow; cat /etc/hostname");
        assertEquals(0, run.exitCode(), run::describe);
        assertTrue(run.err().contains("Permission denied"), run::describe);
        trace.awaitOutput("/etc/shadow");
        assertEquals(130, interrupt(trace), trace::describe);
        List<Matcher> lines = lines(trace);
        assertFalse(lines.isEmpty(), trace::describe);
        for (Matcher line : lines) {
            assertTrue(line.group(3).contains("<denied"), () -> "not a denial: " + line.group());
        }
        assertTrue(lines.stream().anyMatch(line -> line.group(3).startsWith("openat(AT_FDCWD, \"/etc/shadow\"")
                && line.group(3).contains("= -1 EACCES (Permission denied) <denied by strict/")), trace::describe);
    }

    /** Two sandboxes at once: each line names its sandbox, and their calls interleave as they happened. */
    @Test
    void twoSandboxesInterleaveEachLineAfterItsShortId() throws Exception {
        RunningClient trace = trace("--syscall", "openat");
        RunningClient first = waitingGuest("cat /etc/hostname > /dev/null; ", "cat /etc/hosts > /dev/null").client();
        Commands.Outcome second = meridian("run", "--profile", "trace", "--", "cat", "/etc/passwd");
        assertEquals(0, second.exitCode(), second::describe);
        first.closeStdin();
        assertEquals(0, first.waitFor(), first::describe);
        trace.awaitOutput("\"/etc/hosts\"");
        assertEquals(130, interrupt(trace), trace::describe);

        List<Matcher> lines = lines(trace);
        String firstId = idOf(lines, "\"/etc/hostname\"");
        String secondId = idOf(lines, "\"/etc/passwd\"");
        assertFalse(firstId.equals(secondId), trace::describe);
        assertEquals(firstId, idOf(lines, "\"/etc/hosts\""), trace::describe);
        int passwd = indexOf(lines, "\"/etc/passwd\"");
        assertTrue(indexOf(lines, "\"/etc/hostname\"") < passwd && passwd < indexOf(lines, "\"/etc/hosts\""),
                () -> "the second sandbox's calls come between the first's: " + trace.describe());
    }

    @Test
    void oneSandboxByIdWithAFilterEndsWithIt() throws Exception {
        WaitingGuest guest = waitingGuest("", "cat /etc/hostname > /dev/null; " + loop + " 2");
        RunningClient trace = client("trace", "--syscall", "getppid", guest.id().substring(0, 6));
        guest.client().closeStdin();
        assertEquals(0, guest.client().waitFor(), guest.client()::describe);
        assertEquals(0, trace.waitFor(), trace::describe);
        List<String> lines = trace.out().lines().toList();
        assertTrue(lines.size() >= 2 && lines.stream().allMatch(line -> line.matches(
                "\\[pid \\d+] getppid\\(\\) = \\?")), trace::describe);
        assertEquals(getppidCalls(guest.id()).out(), trace.out(),
                "the sandbox's getppid calls, from its start, as the journal has them");
    }

    @Test
    void badFiltersAndNoDaemonAreClearErrors() throws IOException {
        Commands.Outcome syscall = meridian("trace", "--syscall", "openat,opnat");
        assertEquals(2, syscall.exitCode(), syscall::describe);
        assertEquals("meridian: trace: --syscall names a system call no shim knows: opnat\n", syscall.err());
        Commands.Outcome verdict = meridian("trace", "--verdict", "maybe");
        assertEquals(2, verdict.exitCode(), verdict::describe);
        assertEquals("meridian: trace: --verdict takes allow, deny, emulate or kill, not 'maybe'\n", verdict.err());
        Path nowhere = Files.createTempDirectory(daemon.state.getParent(), "no-daemon-");
        Commands.Outcome none = Commands.meridian(List.of("trace", "--state", nowhere.toString()));
        assertEquals(1, none.exitCode(), none::describe);
        assertTrue(none.err().startsWith("meridian: no daemon runs at " + nowhere), none::describe);

        String[] refused = new String[1];
        assertNull(UnixWebSocket.connect(socket, "/v1/trace?sandbox=zz", refused));
        assertTrue(refused[0].startsWith("HTTP/1.1 400 ") && refused[0].contains("\"field\":\"sandbox\""),
                refused[0]);
        assertNull(UnixWebSocket.connect(socket, "/v1/trace?sandbox=0123456789abcdef", refused));
        assertTrue(refused[0].startsWith("HTTP/1.1 404 "), refused[0]);
        Commands.Outcome ended = meridian("run", "--", "true");
        assertEquals(0, ended.exitCode(), ended::describe);
        assertNull(UnixWebSocket.connect(socket, "/v1/trace?sandbox=" + sandboxRunning("true", true), refused));
        assertTrue(refused[0].startsWith("HTTP/1.1 409 ") && refused[0].contains("meridian journal --sandbox"),
                refused[0]);
        assertNull(UnixWebSocket.connect(socket, "/v1/trace?verdict=allow&follow=1", refused));
        assertTrue(refused[0].contains("unknown query parameter \\\"follow\\\""), refused[0]);
    }

    /** Frames carry the sandbox and the latency; filters repeat as comma lists; a sandbox is named by a prefix. */
    @Test
    void theTraceStreamSendsCallFramesOfTheNamedSandbox() throws Exception {
        WaitingGuest guest = waitingGuest("", loop + " 5");
        String id = guest.id();
        try (UnixWebSocket stream = subscribe("/v1/trace?sandbox=" + id.substring(0, 5)
                + "&syscall=getppid&verdict=allow&verdict=deny")) {
            guest.client().closeStdin();
            assertEquals(0, guest.client().waitFor(), guest.client()::describe);
            for (int i = 0; i < 5; i++) {
                Map<String, Object> call = Json.parseObject(stream.read().text());
                assertEquals("call", call.get("type"));
                assertEquals(id, call.get("sandbox"));
                assertEquals("getppid", call.get("syscall"));
                assertEquals("allow", call.get("verdict"));
                assertEquals("getppid() = ?", call.get("line"));
                assertTrue(call.get("latencyNanos") instanceof Long latency && latency > 0, call::toString);
            }
        }
    }

    @Test
    void subscribersBeyondTheBoundAreRefusedUntilOneLeaves() throws Exception {
        List<UnixWebSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_SUBSCRIBERS; i++) {
                open.add(subscribe("/v1/trace"));
            }
            String[] refused = new String[1];
            assertNull(UnixWebSocket.connect(socket, "/v1/trace", refused));
            assertTrue(refused[0].startsWith("HTTP/1.1 503 ") && refused[0].contains("trace.max.subscribers"),
                    refused[0]);
            open.removeFirst().close();
            // The slot is free once the daemon has seen the close.
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            UnixWebSocket again;
            while ((again = UnixWebSocket.connect(socket, "/v1/trace", refused)) == null) {
                assertTrue(refused[0].startsWith("HTTP/1.1 503 "), refused[0]);
                assertTrue(System.nanoTime() < deadline, "no slot after a subscriber left: " + refused[0]);
                Thread.sleep(50);
            }
            open.add(again);
            assertEquals("{\"type\":\"ready\"}", again.read().text());
        } finally {
            for (UnixWebSocket socket : open) {
                socket.close();
            }
        }
    }

    /**
     * A subscriber that never reads: the daemon's writes to it fill the socket and its write queue, and its follower
     * waits. A guest making 200,000 supervised calls must run to its end meanwhile (were it coupled to the subscriber,
     * it would block and this test would fail by its bounded wait), with every call journaled, while the subscriber
     * has been sent only what the buffers hold. Afterwards a fresh subscriber works, the daemon is healthy, and the
     * stuck one, reading at last, gets every call: nothing was lost.
     */
    @Test
    void aStuckSubscriberDoesNotSlowAGuest() throws Exception {
        try (UnixWebSocket stuck = subscribe("/v1/trace?syscall=getppid")) {
            Commands.Outcome run = Commands.meridian(List.of("run", "--state", daemon.state.toString(), "--profile",
                    "trace", "--", loop.toString(), Integer.toString(LOOP_CALLS)), new byte[0], TIMEOUT);
            assertEquals(0, run.exitCode(), run::describe);
            assertEquals("getppid_loop calls=" + LOOP_CALLS + " wrong=0\n", run.out(), run::describe);

            String id = sandboxRunning(Integer.toString(LOOP_CALLS), true);
            Commands.Outcome journal = getppidCalls(id);
            assertEquals(LOOP_CALLS, journal.out().lines().count(), "every call is journaled");

            int sent = callFrames(stuck.readArrived());
            System.out.printf("stuck subscriber: the guest's %d calls took %d ms; %d of them had been sent to it%n",
                    LOOP_CALLS, run.elapsed().toMillis(), sent);
            assertTrue(sent < LOOP_CALLS / 10, "the stuck subscriber had been sent " + sent + " of " + LOOP_CALLS
                    + " calls when the guest finished");

            try (UnixWebSocket fresh = subscribe("/v1/trace?syscall=getppid")) {
                Commands.Outcome small = meridian("run", "--profile", "trace", "--", loop.toString(), "1");
                assertEquals(0, small.exitCode(), small::describe);
                Map<String, Object> call = Json.parseObject(fresh.read().text());
                assertEquals("getppid", call.get("syscall"));
                assertFalse(id.equals(call.get("sandbox")), "a fresh subscriber starts from now");
            }
            assertTrue(get("/v1/health").startsWith("HTTP/1.1 200 "));

            // Reading at last, the stuck subscriber gets every call of the guest, in order.
            long drainStart = System.nanoTime();
            long previous = -1;
            for (int i = 0; i < LOOP_CALLS; i++) {
                Map<String, Object> call = Json.parseObject(stuck.read().text());
                assertEquals(id, call.get("sandbox"), "call " + i);
                long seq = (Long) call.get("seq");
                assertTrue(seq > previous, "in journal order");
                previous = seq;
            }
            System.out.printf("stuck subscriber: read the rest in %d ms%n",
                    (System.nanoTime() - drainStart) / 1_000_000);
        }
    }

    // ---- helpers

    private static Commands.Outcome meridian(String command, String... arguments) {
        List<String> line = new ArrayList<>(List.of(command, "--state", daemon.state.toString()));
        line.addAll(List.of(arguments));
        return Commands.meridian(line, new byte[0], TIMEOUT);
    }

    /** {@code meridian journal}: the getppid calls of sandbox {@code id} in the daemon's journal, one line each. */
    private static Commands.Outcome getppidCalls(String id) {
        Commands.Outcome journal = Commands.meridian(List.of("journal", "--journal",
                daemon.state.resolve("journal").toString(), "--sandbox", id, "--syscall", "getppid"));
        assertEquals(0, journal.exitCode(), journal::describe);
        return journal;
    }

    /**
     * {@code meridian trace ARGS} with SIGINT at its default (a test runner started in the background may ignore it,
     * and the JVM keeps an ignored SIGINT ignored); returns once it follows every journal.
     */
    private static RunningClient trace(String... arguments) throws Exception {
        List<String> line = new ArrayList<>(List.of("env", "--default-signal=INT", MeridianHome.launcher().toString(),
                "trace", "--state", daemon.state.toString()));
        line.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(line);
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        RunningClient trace = new RunningClient(builder.start());
        trace.awaitError("meridian: tracing every sandbox");
        return trace;
    }

    private static RunningClient client(String command, String... arguments) throws IOException {
        List<String> line = new ArrayList<>(List.of(MeridianHome.launcher().toString(), command, "--state",
                daemon.state.toString()));
        line.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(line);
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        return new RunningClient(builder.start());
    }

    /** A guest (under the trace profile) waiting for a line on stdin: its client and its sandbox's id. */
    private record WaitingGuest(RunningClient client, String id) {
    }

    /** Runs {@code sh -c "BEFORE echo ready; read line; THEN"} and waits for the ready. */
    private static WaitingGuest waitingGuest(String before, String then) throws Exception {
        String script = before + "echo ready; read line; " + then;
        RunningClient guest = client("run", "--profile", "trace", "--", "sh", "-c", script);
        guest.awaitOutput("ready");
        return new WaitingGuest(guest, sandboxRunning(script, false));
    }

    /** SIGINT, as Ctrl-C sends it; returns the exit status. */
    private static int interrupt(RunningClient client) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(client.process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        return client.waitFor();
    }

    /** The lines of a trace of every sandbox, each {@code SHORTID [pid N] CALL}. */
    private static List<Matcher> lines(RunningClient trace) {
        List<Matcher> lines = new ArrayList<>();
        for (String text : trace.out().lines().toList()) {
            Matcher line = LINE.matcher(text);
            assertTrue(line.matches(), () -> "not a trace line: " + text);
            lines.add(line);
        }
        return lines;
    }

    private static int indexOf(List<Matcher> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).group(3).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + text);
    }

    private static String idOf(List<Matcher> lines, String text) {
        return lines.get(indexOf(lines, text)).group(1);
    }

    /**
     * Opens a trace WebSocket and reads its ready frame: from now on every call is delivered. A 503 is retried for a
     * while: the slot of a subscriber of the test before is free once the daemon has seen it leave.
     */
    private static UnixWebSocket subscribe(String uri) throws IOException, InterruptedException {
        String[] refused = new String[1];
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        UnixWebSocket stream;
        while ((stream = UnixWebSocket.connect(socket, uri, refused)) == null && refused[0].startsWith("HTTP/1.1 503 ")
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertNotNull(stream, () -> uri + " refused: " + refused[0]);
        assertEquals("{\"type\":\"ready\"}", stream.read().text());
        return stream;
    }

    /** The call frames among {@code bytes} (server frames, unmasked; a partial last frame is not counted). */
    private static int callFrames(byte[] bytes) {
        int frames = 0;
        int at = 0;
        while (at + 2 <= bytes.length) {
            int length = bytes[at + 1] & 0x7F;
            int header = 2;
            if (length == 126) {
                if (at + 4 > bytes.length) {
                    break;
                }
                length = ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                throw new AssertionError("a call frame of more than 64 KiB");
            }
            if (at + header + length > bytes.length) {
                break;
            }
            if (new String(bytes, at + header, length, StandardCharsets.UTF_8).startsWith("{\"type\":\"call\"")) {
                frames++;
            }
            at += header + length;
        }
        return frames;
    }

    /** The id of the one sandbox (running, or with {@code finished} any) whose command ends with {@code last}. */
    private static String sandboxRunning(String last, boolean finished) {
        Commands.Outcome ps = finished ? meridian("ps", "--json", "-a") : meridian("ps", "--json");
        assertEquals(0, ps.exitCode(), ps::describe);
        List<String> ids = new ArrayList<>();
        for (Object element : (List<?>) Json.parse(ps.out().strip())) {
            Map<?, ?> sandbox = (Map<?, ?>) element;
            if (((List<?>) sandbox.get("command")).getLast().equals(last)) {
                ids.add((String) sandbox.get("id"));
            }
        }
        assertEquals(1, ids.size(), () -> "sandboxes running " + last + ": " + ps.describe());
        return ids.getFirst();
    }

    private static String get(String path) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
