package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The metrics' configuration in a real daemon: a misspelt key is refused in the log and /metrics answers 503; the
 * corrected file is picked up while the daemon runs, and per-sandbox series then carry the sandbox's id.
 */
class MetricsConfigurationIT {

    @Test
    void aBadKeyIsRefusedAndTheFixedFileTurnsOnPerSandboxSeries() throws Exception {
        Path root = Files.createTempDirectory(Files.createDirectories(
                MeridianHome.moduleDirectory().resolve("target/it-metrics")), "c");
        try (DaemonProcess daemon = DaemonProcess.start(root,
                Map.of("dev.meridian.observability", "metrics.per.sandboxes = true")).awaitStarted()) {
            SocketAddress socket = UnixDomainSocketAddress.of(daemon.state.resolve("control.sock"));
            daemon.awaitLog(line -> line.contains("dev.meridian.observability: unknown key metrics.per.sandboxes "
                    + "(known: metrics.max.rules, metrics.per.sandbox, metrics.max.sandboxes, metrics.max.bundles)"),
                    Duration.ofSeconds(30));
            RawHttp.Response refused = RawHttp.get(socket, "/metrics", Map.of());
            assertEquals(503, refused.status(), refused::describe);
            assertTrue(refused.body().contains("observability bundle"), refused::describe);

            Files.writeString(daemon.config.resolve("dev.meridian.observability.cfg"),
                    "metrics.per.sandbox = true\nmetrics.max.sandboxes = 4\n");
            awaitMetrics(socket);

            Path journal = MeridianHome.freshJournal();
            Commands.Outcome run = Commands.meridian(List.of("run", "--state", daemon.state.toString(), "--journal",
                    journal.toString(), "--profile", "trace", "--", "/bin/cat", "/etc/hostname"));
            assertEquals(0, run.exitCode(), run::describe);
            String id = (String) JournalQueries.sandboxes(journal).getFirst().get("sandbox");
            long openats = JournalQueries.calls(journal, "--sandbox", id, "--syscall", "openat").size();
            String series = "meridian_syscalls_total{sandbox=\"" + id + "\",syscall=\"openat\",verdict=\"allow\"} "
                    + (double) openats;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String metrics = "";
            while (System.nanoTime() < deadline && !metrics.contains(series + "\n")) {
                metrics = RawHttp.get(socket, "/metrics", Map.of()).body();
                Thread.sleep(100);
            }
            String last = metrics;
            assertTrue(last.contains(series + "\n"), () -> "no line '" + series + "' in:\n" + Commands.excerpt(last));
            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon::log);
        }
    }

    /** Waits until /metrics answers 200 (FileInstall polls etc/ about once a second). */
    private static void awaitMetrics(SocketAddress socket) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        RawHttp.Response response = RawHttp.get(socket, "/metrics", Map.of());
        while (response.status() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = RawHttp.get(socket, "/metrics", Map.of());
        }
        assertEquals(200, response.status(), response::describe);
    }
}
