package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code meridian run}, {@code ps}, {@code kill}, {@code trace} and {@code bundles} as clients of a real daemon
 * ({@code bin/meridian daemon --state DIR}): stdio, exit codes and signals pass through the control API, and
 * without a daemon {@code run} still runs embedded.
 */
class DaemonRunIT {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static Path state;
    private static Process daemon;
    private static Path daemonLog;

    @BeforeAll
    static void startDaemon() throws Exception {
        Path root = Files.createDirectories(MeridianHome.moduleDirectory().resolve("target/it-daemons"));
        state = Files.createTempDirectory(root, "state-");
        daemonLog = state.resolveSibling(state.getFileName() + ".log");
        ProcessBuilder builder = new ProcessBuilder(MeridianHome.launcher().toString(), "daemon", "--state",
                state.toString());
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        builder.redirectErrorStream(true).redirectOutput(daemonLog.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        daemon = builder.start();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new AssertionError("the daemon exited with " + daemon.exitValue() + ":\n" + log());
            }
            last = get("/v1/ready");
            if (last.startsWith("HTTP/1.1 200")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the daemon was not ready within " + READY_TIMEOUT.toSeconds() + " s (last: " + last
                + "):\n" + log());
    }

    @AfterAll
    static void stopDaemon() throws InterruptedException {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                throw new AssertionError("the daemon did not stop within 30 s of SIGTERM:\n" + log());
            }
            assertEquals(0, daemon.exitValue(), DaemonRunIT::log);
        }
    }

    private static String log() {
        try {
            return Files.readString(daemonLog);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A plain GET over the control socket (the test's own HTTP, independent of the client under test). */
    private static String get(String path) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(state.resolve("control.sock")));
            channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            return new String(java.nio.channels.Channels.newInputStream(channel).readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<String> meridian(String command, String... arguments) {
        List<String> line = new ArrayList<>(List.of(command, "--state", state.toString()));
        line.addAll(List.of(arguments));
        return line;
    }

    private static Commands.Outcome client(byte[] stdin, String command, String... arguments) {
        return Commands.meridian(meridian(command, arguments), stdin, TIMEOUT);
    }

    @Test
    void stdoutStderrAndTheExitCodeComeBackSeparately() {
        Commands.Outcome outcome = client(new byte[0], "run", "--", "sh", "-c",
                "echo to-stdout; echo to-stderr >&2; exit 3");
        assertEquals(3, outcome.exitCode(), outcome::describe);
        assertEquals("to-stdout\n", outcome.out(), outcome::describe);
        assertEquals("to-stderr\n", outcome.err(), outcome::describe);
    }

    @Test
    void stdinReachesTheGuestAndItsEndToo() {
        byte[] input = "hello daemon\n".repeat(10_000).getBytes(StandardCharsets.UTF_8);
        Commands.Outcome outcome = client(input, "run", "--", "tr", "a-z", "A-Z");
        assertEquals(0, outcome.exitCode(), outcome::describe);
        assertEquals("HELLO DAEMON\n".repeat(10_000), outcome.out());
    }

    @Test
    void theEnvironmentAndWorkingDirectoryAreTheClients() throws Exception {
        Path directory = Files.createTempDirectory(state.getParent(), "cwd-");
        ProcessBuilder builder = new ProcessBuilder(command(meridian("run", "--", "sh", "-c",
                "pwd; echo \"$DAEMON_IT_MARK\"")));
        builder.directory(directory.toFile()).environment().put("DAEMON_IT_MARK", "marked");
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        RunningClient run = new RunningClient(builder.start());
        assertEquals(0, run.waitFor(), run::describe);
        assertEquals(directory.toRealPath() + "\nmarked\n", run.out(), run::describe);
    }

    @Test
    void aForwardedSigintReachesTheGuest() throws Exception {
        RunningClient trapped = start(meridian("run", "--", "sh", "-c",
                "trap 'echo guest-got-INT; exit 5' INT; echo ready; while :; do sleep 0.05; done"));
        trapped.awaitOutput("ready\n");
        signal(trapped.process, "INT");
        assertEquals(5, trapped.waitFor(), trapped::describe);
        assertEquals("ready\nguest-got-INT\n", trapped.out(), trapped::describe);

        RunningClient untrapped = start(meridian("run", "--", "sh", "-c", "echo ready; exec sleep 100"));
        untrapped.awaitOutput("ready\n");
        signal(untrapped.process, "INT");
        assertEquals(130, untrapped.waitFor(), untrapped::describe);
    }

    @Test
    void psListsRunningClientSandboxesAndWithAllTheFinishedOnes() throws Exception {
        RunningClient sleeper = start(meridian("run", "--", "sh", "-c", "echo ready; read line; echo done"));
        sleeper.awaitOutput("ready\n");
        String id = idOf("echo ready; read line; echo done");
        Commands.Outcome running = client(new byte[0], "ps");
        assertEquals(0, running.exitCode(), running::describe);
        assertTrue(running.out().startsWith("ID "), running::describe);
        String row = rowOf(running.out(), id);
        assertTrue(row.contains("running"), running::describe);

        sleeper.closeStdin();
        assertEquals(0, sleeper.waitFor(), sleeper::describe);
        assertEquals("ready\ndone\n", sleeper.out());
        Commands.Outcome after = client(new byte[0], "ps");
        assertFalse(after.out().contains(id.substring(0, 12)), after::describe);
        Commands.Outcome all = client(new byte[0], "ps", "-a");
        assertTrue(rowOf(all.out(), id).contains("exited (0)"), all::describe);
        Commands.Outcome json = client(new byte[0], "ps", "-a", "--json");
        assertEquals(0, json.exitCode(), json::describe);
        assertTrue(Json.parse(json.out().strip()) instanceof List<?> list && !list.isEmpty(), json::describe);
    }

    @Test
    void killEndsTheWholeTreeAndSignalSendsOne() throws Exception {
        RunningClient killed = start(meridian("run", "--", "sh", "-c", "echo ready; sleep 100 & wait"));
        killed.awaitOutput("ready\n");
        String id = idOf("echo ready; sleep 100 & wait");
        Commands.Outcome kill = client(new byte[0], "kill", id.substring(0, 6));
        assertEquals(0, kill.exitCode(), kill::describe);
        assertEquals(137, killed.waitFor(), killed::describe);
        assertTrue(rowOf(client(new byte[0], "ps", "-a").out(), id).contains("killed"));

        RunningClient terminated = start(meridian("run", "--", "sh", "-c", "echo ready; exec sleep 100"));
        terminated.awaitOutput("ready\n");
        String other = idOf("echo ready; exec sleep 100");
        Commands.Outcome term = client(new byte[0], "kill", "--signal", "TERM", other);
        assertEquals(0, term.exitCode(), term::describe);
        assertEquals(143, terminated.waitFor(), terminated::describe);

        Commands.Outcome unknown = client(new byte[0], "kill", "ffffffffffffffff");
        assertEquals(1, unknown.exitCode(), unknown::describe);
        assertTrue(unknown.err().startsWith("meridian: "), unknown::describe);
    }

    @Test
    void traceFollowsASandboxUntilItEnds() throws Exception {
        RunningClient guest = start(meridian("run", "--profile", "trace", "--", "sh", "-c",
                "echo ready; read line; cat /etc/hostname > /dev/null"));
        guest.awaitOutput("ready\n");
        String id = idOf("echo ready; read line; cat /etc/hostname > /dev/null");
        RunningClient trace = start(meridian("trace", id.substring(0, 8)));
        guest.closeStdin();
        assertEquals(0, guest.waitFor(), guest::describe);
        assertEquals(0, trace.waitFor(), trace::describe);
        assertTrue(trace.out().contains("/etc/hostname"), trace::describe);
    }

    @Test
    void runWithTracePrintsTheCallsToStderr() {
        Commands.Outcome outcome = client(new byte[0], "run", "--trace", "--profile", "trace", "--", "cat",
                "/etc/hostname");
        assertEquals(0, outcome.exitCode(), outcome::describe);
        assertTrue(outcome.err().contains("\"/etc/hostname\""), outcome::describe);
        assertFalse(outcome.out().contains("openat"), outcome::describe);
    }

    @Test
    void setupFailuresExitAsAnEmbeddedRunDoes() {
        Commands.Outcome missing = client(new byte[0], "run", "--", "/no/such/program");
        assertEquals(127, missing.exitCode(), missing::describe);
        assertTrue(missing.err().startsWith("meridian: ") && missing.err().contains("/no/such/program"),
                missing::describe);
        Commands.Outcome usage = client(new byte[0], "run", "--net", "wifi", "--", "true");
        assertEquals(2, usage.exitCode(), usage::describe);
        assertEquals("meridian: run: --net takes none, loopback or host, not 'wifi'\n", usage.err());
        Commands.Outcome fd = client(new byte[0], "run", "--fd", "3", "--", "true");
        assertEquals(2, fd.exitCode(), fd::describe);
        assertTrue(fd.err().contains("--embedded"), fd::describe);
    }

    /** The daemon checks the values (the client passes them as given) and the client names the option it refuses. */
    @Test
    void aBadOptionValueReadsTheSameThroughTheDaemonAsEmbedded() {
        for (List<String> options : List.of(List.of("--allow-connect", "80,443,8000-x"), List.of("--limit", "mem=1"),
                List.of("--cgroup", "memory=1G,io=1"), List.of("--hostname", "a b"), List.of("--ro", "relative"))) {
            List<String> arguments = new ArrayList<>(options);
            arguments.addAll(List.of("--", "true"));
            Commands.Outcome throughDaemon = client(new byte[0], "run", arguments.toArray(String[]::new));
            arguments.addFirst("--embedded");
            Commands.Outcome embedded = client(new byte[0], "run", arguments.toArray(String[]::new));
            assertEquals(2, throughDaemon.exitCode(), throughDaemon::describe);
            assertEquals(2, embedded.exitCode(), embedded::describe);
            assertTrue(throughDaemon.err().startsWith("meridian: run: " + options.getFirst() + " "),
                    throughDaemon::describe);
            assertEquals(embedded.err(), throughDaemon.err());
        }
    }

    @Test
    void bundlesListsWhatRuns() {
        Commands.Outcome list = client(new byte[0], "bundles");
        assertEquals(0, list.exitCode(), list::describe);
        assertTrue(list.out().contains("dev.meridian.supervisor") && list.out().contains("ACTIVE"), list::describe);
        Commands.Outcome remove = client(new byte[0], "bundles", "remove", "no.such.bundle");
        assertEquals(1, remove.exitCode(), remove::describe);
        assertTrue(remove.err().startsWith("meridian: "), remove::describe);
    }

    @Test
    void aTerminalRunGetsATerminal() {
        String line = MeridianHome.launcher() + " run --state " + state
                + " -- sh -c 'tty; test -t 0 && echo stdin-is-a-terminal; stty size'";
        Commands.Outcome outcome = Commands.runNative(List.of("script", "--quiet", "--return", "--command", line,
                "/dev/null"), new byte[0], TIMEOUT);
        assertEquals(0, outcome.exitCode(), outcome::describe);
        assertTrue(outcome.out().contains("/dev/pts/"), outcome::describe);
        assertTrue(outcome.out().contains("stdin-is-a-terminal"), outcome::describe);
    }

    @Test
    void controlCOnTheTerminalInterruptsTheGuest() throws Exception {
        // The client's terminal is raw: ^C travels as a byte and the guest's own terminal turns it into SIGINT.
        String line = MeridianHome.launcher() + " run --state " + state
                + " -- sh -c 'trap \"echo caught-INT; exit 9\" INT; echo ready; while :; do sleep 0.05; done'";
        ProcessBuilder builder = new ProcessBuilder("script", "--quiet", "--return", "--command", line, "/dev/null");
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        RunningClient terminal = new RunningClient(builder.start());
        terminal.awaitOutput("ready");
        OutputStream keyboard = terminal.process.getOutputStream();
        keyboard.write(3);
        keyboard.flush();
        assertEquals(9, terminal.waitFor(), terminal::describe);
        assertTrue(terminal.out().contains("caught-INT"), terminal::describe);
    }

    @Test
    void withoutADaemonRunIsEmbeddedAndTheOthersSaySo() throws IOException {
        Path empty = Files.createTempDirectory(state.getParent(), "no-daemon-");
        Commands.Outcome run = Commands.meridian(List.of("run", "--state", empty.toString(), "--journal",
                MeridianHome.freshJournal().toString(), "--", "sh", "-c", "echo embedded; exit 4"));
        assertEquals(4, run.exitCode(), run::describe);
        assertEquals("embedded\n", run.out(), run::describe);
        Commands.Outcome ps = Commands.meridian(List.of("ps", "--state", empty.toString()));
        assertEquals(1, ps.exitCode(), ps::describe);
        assertEquals("meridian: no daemon runs at " + empty + " (start one with: meridian daemon --state " + empty
                + ")\n", ps.err());
        assertFalse(Files.exists(empty.resolve("control.sock")));
    }

    @Test
    void embeddedIsForcedWhenAsked() {
        Commands.Outcome run = client(new byte[0], "run", "--embedded", "--journal",
                MeridianHome.freshJournal().toString(), "--", "sh", "-c", "echo here");
        assertEquals(0, run.exitCode(), run::describe);
        assertEquals("here\n", run.out());
        // Through the daemon the sandbox would be listed; embedded, the daemon never saw it.
        assertFalse(client(new byte[0], "ps", "-a", "--json").out().contains("echo here"));
    }

    /** The id of the one sandbox whose command ends with {@code script}. */
    private static String idOf(String script) {
        Commands.Outcome ps = client(new byte[0], "ps", "--json");
        assertEquals(0, ps.exitCode(), ps::describe);
        List<String> ids = new ArrayList<>();
        for (Object element : (List<?>) Json.parse(ps.out().strip())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> sandbox = (Map<String, Object>) element;
            List<?> command = (List<?>) sandbox.get("command");
            if (command.getLast().equals(script)) {
                ids.add((String) sandbox.get("id"));
            }
        }
        assertEquals(1, ids.size(), () -> "sandboxes running " + script + ": " + ps.describe());
        return ids.getFirst();
    }

    private static String rowOf(String table, String id) {
        return table.lines().filter(line -> line.startsWith(id.substring(0, 12))).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + id + " in\n" + table));
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    private static List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(MeridianHome.launcher().toString());
        command.addAll(arguments);
        return command;
    }

    private static RunningClient start(List<String> arguments) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(arguments));
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        return new RunningClient(builder.start());
    }
}
