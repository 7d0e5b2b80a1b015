package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meridian daemon}: its state directory and lock, its configuration, its graceful stop. */
class DaemonIT {

    @TempDir
    Path workspace;

    @Test
    void oneDaemonPerStateDirectoryAndSigtermStopsItWithStatusZero() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start(workspace, Map.of()).awaitStarted()) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.state)));
            assertEquals(Long.toString(daemon.pid()),
                    Files.readString(daemon.state.resolve("daemon.lock"), StandardCharsets.US_ASCII).strip());

            Process second = DaemonProcess.launch(daemon.state, daemon.config, daemon.deploy);
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second daemon did not give up");
            String refusal = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, second.exitValue(), refusal);
            assertTrue(refusal.contains("another daemon (pid " + daemon.pid() + ")"), refusal);

            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon::log);
            assertTrue(daemon.log().contains("SIGTERM: stopping"), daemon::log);
        }
        // The lock went with the process: a new daemon takes the same state directory.
        try (DaemonProcess again = DaemonProcess.start(workspace, Map.of()).awaitStarted()) {
            assertEquals(0, again.terminate(Duration.ofSeconds(60)), again::log);
        }
    }

    @Test
    void badOptionsAreRefusedWithUsage() throws IOException, InterruptedException {
        Commands.Outcome outcome = Commands.meridian(List.of("daemon", "--stat", workspace.toString()));
        assertEquals(2, outcome.exitCode(), outcome::describe);
        assertTrue(outcome.err().contains("unknown option \"--stat\"") && outcome.err().contains("usage:"),
                outcome::describe);
    }

    /** etc/dev.meridian.supervisor.cfg shutdown.mode = wait: a running sandbox finishes before the daemon exits. */
    @Test
    void onSigtermARunningSandboxFinishesWhenConfiguredToWait() {
        Path journal = MeridianHome.freshJournal();
        try (DaemonProcess daemon = DaemonProcess.start(workspace,
                Map.of("dev.meridian.supervisor", "shutdown.mode = wait\nshutdown.timeout.seconds = 30")).awaitStarted()) {
            startSandbox(daemon, "/bin/sleep\t3", journal);
            long stopping = System.nanoTime();
            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon::log);
            assertTrue(System.nanoTime() - stopping > Duration.ofMillis(1500).toNanos(),
                    () -> "the daemon did not wait for the sandbox:\n" + daemon.log());
        }
        Map<String, Object> sandbox = JournalQueries.sandboxes(journal).getFirst();
        assertEquals(0L, sandbox.get("exit"), sandbox::toString);
    }

    /** shutdown.mode = kill: a running sandbox is killed at once, and the end is journaled. */
    @Test
    void onSigtermARunningSandboxIsKilledWhenConfiguredToKill() {
        Path journal = MeridianHome.freshJournal();
        try (DaemonProcess daemon = DaemonProcess.start(workspace,
                Map.of("dev.meridian.supervisor", "shutdown.mode = kill")).awaitStarted()) {
            startSandbox(daemon, "/bin/sleep\t60", journal);
            long stopping = System.nanoTime();
            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon::log);
            assertTrue(System.nanoTime() - stopping < Duration.ofSeconds(20).toNanos(), daemon::log);
        }
        Map<String, Object> sandbox = JournalQueries.sandboxes(journal).getFirst();
        assertTrue(!Long.valueOf(0).equals(sandbox.get("exit")), () -> "the sandbox was not killed: " + sandbox);
    }

    private void startSandbox(DaemonProcess daemon, String command, Path journal) {
        Path result = workspace.resolve("result");
        daemon.drop(TestBundles.starter("dev.meridian.it.daemon", Map.of(
                "Meridian-Test-Command", command,
                "Meridian-Test-Journal", journal.toString(),
                "Meridian-Test-Result", result.toString())), "starter.jar");
        HotSwapIT.awaitFile(result.resolveSibling("result.started"), daemon);
    }
}
