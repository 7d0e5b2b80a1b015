package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus metrics of a real daemon and of a real run with {@code --metrics-port}, scraped over their real
 * sockets, against what the journal recorded of real guests; {@code meridian top} on a running guest.
 */
class MetricsIT {
    private static final Duration CATCH_UP = Duration.ofSeconds(30);
    private static final String OPEN_METRICS = "application/openmetrics-text;version=1.0.0;q=0.5,"
            + "text/plain;version=0.0.4;q=0.4,*/*;q=0.1";
    private static final String OPENAT_ALLOWED = "meridian_syscalls_total{syscall=\"openat\",verdict=\"allow\"}";

    private static DaemonProcess daemon;
    private static SocketAddress socket;
    private static SocketAddress tcp;
    private static String token;

    @BeforeAll
    static void startDaemon() throws IOException {
        Path root = Files.createTempDirectory(Files.createDirectories(
                MeridianHome.moduleDirectory().resolve("target/it-metrics")), "m");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        daemon = DaemonProcess.start(root, Map.of("dev.meridian.control", "tcp.port = " + port)).awaitStarted();
        socket = UnixDomainSocketAddress.of(daemon.state.resolve("control.sock"));
        tcp = new InetSocketAddress("127.0.0.1", port);
        token = Files.readString(daemon.state.resolve("token")).strip();
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), () -> "the daemon's log:\n" + daemon.log());
        }
    }

    @Test
    void theOpenatCallsTheJournalHoldsAreTheIncreaseOfTheCounter() throws Exception {
        double before = value(scrape(), OPENAT_ALLOWED);
        Path journal = MeridianHome.freshJournal();
        Commands.Outcome run = Commands.meridian(List.of("run", "--state", daemon.state.toString(), "--journal",
                journal.toString(), "--profile", "trace", "--", "/bin/sh", "-c",
                "for i in 1 2 3 4 5 6 7; do cat /etc/hostname; done > /dev/null"));
        assertEquals(0, run.exitCode(), run::describe);
        String id = onlySandbox(journal);
        String metrics = scrapeOnceDelivered(id);

        List<Map<String, Object>> openats = JournalQueries.calls(journal, "--sandbox", id, "--syscall", "openat");
        assertTrue(openats.size() >= 7, openats::toString);
        assertTrue(openats.stream().allMatch(call -> "allow".equals(call.get("verdict"))), openats::toString);
        assertEquals(openats.size(), value(metrics, OPENAT_ALLOWED) - before, 0, metrics);
    }

    @Test
    void aDenialCountsUnderTheRuleThatMadeIt() throws Exception {
        Path policy = Commands.writeFile(MeridianHome.freshJournal().resolve("no-uname.yaml"), PolicyIT.NO_UNAME);
        String series = "meridian_policy_denials_total{rule=\"no-uname/no-uname\"}";
        double before = value(scrape(), series);
        Path journal = MeridianHome.freshJournal();
        Commands.Outcome run = Commands.meridian(List.of("run", "--state", daemon.state.toString(), "--journal",
                journal.toString(), "--policy", policy.toString(), "--", "/usr/bin/uname"));
        assertTrue(run.err().contains("Permission denied"), run::describe);
        String id = onlySandbox(journal);
        String metrics = scrapeOnceDelivered(id);

        List<Map<String, Object>> denied = JournalQueries.calls(journal, "--sandbox", id, "--syscall", "uname");
        assertEquals(1, denied.size(), denied::toString);
        assertEquals("no-uname/no-uname", denied.getFirst().get("rule"));
        assertEquals(1, value(metrics, series) - before, 0, metrics);
        assertTrue(value(metrics, "meridian_syscalls_total{syscall=\"uname\",verdict=\"deny\"}") >= 1, metrics);
    }

    @Test
    void openMetricsWhenAskedTheTextFormatElseAndTcpNeedsTheToken() throws Exception {
        RawHttp.Response openMetrics = RawHttp.get(socket, "/metrics", Map.of("Accept", OPEN_METRICS));
        assertEquals(200, openMetrics.status(), openMetrics::describe);
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", openMetrics.header("Content-Type"));
        assertTrue(openMetrics.body().endsWith("# EOF\n"), openMetrics::describe);
        assertTrue(openMetrics.body().contains("# TYPE meridian_syscalls counter\n"), openMetrics::describe);

        RawHttp.Response text = RawHttp.get(socket, "/metrics", Map.of());
        assertEquals(200, text.status(), text::describe);
        assertEquals("text/plain; version=0.0.4; charset=utf-8", text.header("Content-Type"));
        assertTrue(text.body().contains("# TYPE meridian_syscalls_total counter\n"), text::describe);
        for (String family : List.of("meridian_bus_events_total", "meridian_bus_events_lost_total",
                "meridian_bus_lag_events", "meridian_bus_lag_seconds", "meridian_journal_size_bytes",
                "meridian_sandboxes{state=\"running\"}", "meridian_sandboxes_started_total", "jvm_threads_current",
                "process_cpu_seconds_total")) {
            assertTrue(Pattern.compile("(?m)^" + Pattern.quote(family) + "[ {]").matcher(text.body()).find(),
                    () -> family + " is missing:\n" + text.body());
        }
        assertEquals(0, value(text.body(), "meridian_bus_events_lost_total"), 0, text.body());

        RawHttp.Response noToken = RawHttp.get(tcp, "/metrics", Map.of());
        assertEquals(401, noToken.status(), noToken::describe);
        RawHttp.Response withToken = RawHttp.get(tcp, "/metrics", Map.of("Authorization", "Bearer " + token,
                "Accept", OPEN_METRICS));
        assertEquals(200, withToken.status(), withToken::describe);
        assertTrue(withToken.body().endsWith("# EOF\n"), withToken::describe);

        // The metrics token reads /metrics and nothing else.
        String metricsToken = Files.readString(daemon.state.resolve("metrics-token")).strip();
        Map<String, String> asPrometheus = Map.of("Authorization", "Bearer " + metricsToken);
        RawHttp.Response scraped = RawHttp.get(tcp, "/metrics", asPrometheus);
        assertEquals(200, scraped.status(), scraped::describe);
        assertTrue(scraped.body().contains("# TYPE meridian_syscalls_total counter\n"), scraped::describe);
        for (String path : List.of("/v1/sandboxes", "/v1/bundles", "/v1/openapi.json")) {
            RawHttp.Response refused = RawHttp.get(tcp, path, asPrometheus);
            assertEquals(403, refused.status(), refused::describe);
            assertTrue(refused.body().contains("\"forbidden\"") && refused.body().contains("metrics token"),
                    refused::describe);
        }
        RawHttp.Response start = RawHttp.exchange(tcp, "POST", "/v1/sandboxes",
                Map.of("Authorization", "Bearer " + metricsToken, "Content-Type", "application/json"),
                "{\"command\": [\"/bin/true\"]}".getBytes(StandardCharsets.UTF_8));
        assertEquals(403, start.status(), start::describe);
        assertFalse(metricsToken.equals(token), "a token of its own");
    }

    @Test
    void bundleSwapsAndRejectionsAreCounted() throws Exception {
        byte[] shim = TestBundles.variant(TestBundles.installed(TestBundles.SHIM), "metrics-it",
                Map.of("Bundle-Version", "0.1.0.metrics-it"));
        RawHttp.Response deployed = RawHttp.exchange(socket, "PUT", "/v1/bundles/" + TestBundles.SHIM,
                Map.of("Content-Type", "application/java-archive"), shim);
        assertEquals(200, deployed.status(), deployed::describe);
        byte[] broken = TestBundles.starter("dev.meridian.it.unresolvable",
                Map.of("Import-Package", "dev.meridian.api,org.osgi.framework,org.example.nowhere"));
        RawHttp.Response rejected = RawHttp.exchange(socket, "PUT", "/v1/bundles/dev.meridian.it.unresolvable",
                Map.of("Content-Type", "application/java-archive"), broken);
        assertEquals(422, rejected.status(), rejected::describe);

        String metrics = scrape();
        assertEquals(1, value(metrics, "meridian_bundle_swaps_total{bundle=\"" + TestBundles.SHIM
                + "\",outcome=\"updated\"}"), 0, metrics);
        assertEquals(1, value(metrics, "meridian_bundle_swap_stall_seconds_count{bundle=\"" + TestBundles.SHIM
                + "\"}"), 0, metrics);
        assertEquals(1, value(metrics, "meridian_bundle_swaps_total{bundle=\"dev.meridian.it.unresolvable\","
                + "outcome=\"rejected\"}"), 0, metrics);
    }

    @Test
    void aSwapListenerThatThrowsIsLoggedAndSkipped() throws Exception {
        String name = "dev.meridian.it.throwing.listener";
        byte[] jar = TestBundles.activated(name, "dev.meridian.it.swaplistener.ThrowingSwapListener", Map.of());
        RawHttp.Response deployed = RawHttp.exchange(socket, "PUT", "/v1/bundles/" + name,
                Map.of("Content-Type", "application/java-archive"), jar);
        try {
            assertEquals(200, deployed.status(), deployed::describe);
            daemon.awaitLog(line -> line.contains("a bundle swap listener (dev.meridian.it.swaplistener."
                    + "ThrowingSwapListener) failed") && line.contains("a swap listener that always fails (" + name
                    + ")"), Duration.ofSeconds(10));
            String metrics = scrape();
            assertEquals(1, value(metrics, "meridian_bundle_swaps_total{bundle=\"" + name
                    + "\",outcome=\"installed\"}"), 0, metrics);
        } finally {
            assertEquals(204, RawHttp.exchange(socket, "DELETE", "/v1/bundles/" + name, Map.of(), null).status());
        }
    }

    @Test
    void topShowsARunningGuestsCallsAtANonZeroRate() throws Exception {
        Process guest = new ProcessBuilder(MeridianHome.launcher().toString(), "run", "--state",
                daemon.state.toString(), "--journal", MeridianHome.freshJournal().toString(), "--profile", "trace",
                "--", "/bin/sh", "-c", "while :; do cat /etc/hostname; done > /dev/null")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        try {
            Commands.Outcome top = Commands.meridian(List.of("top", "--state", daemon.state.toString(), "-b", "-n",
                    "2"));
            assertEquals(0, top.exitCode(), top::describe);
            List<String> lines = Commands.lines(top.out());
            assertEquals(2, lines.stream().filter(line -> line.startsWith("meridian top ")).count(), top::describe);
            // The second block: its sandbox row and its openat row show calls per second above 0.
            List<String> second = lines.subList(lines.lastIndexOf(lines.stream()
                    .filter(line -> line.startsWith("meridian top ")).reduce((a, b) -> b).orElseThrow()),
                    lines.size());
            String sandboxRow = second.stream().filter(line -> line.matches("[0-9a-f]{12} +running .*")).findFirst()
                    .orElseThrow(() -> new AssertionError("no running sandbox:\n" + top.out()));
            assertTrue(rate(sandboxRow, 2) > 0, top::describe);
            assertTrue(sandboxRow.endsWith("/bin/sh -c while :; do cat /etc/hostname; done > /dev/null"),
                    top::describe);
            String openat = second.stream().filter(line -> line.startsWith("openat ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no openat row:\n" + top.out()));
            assertTrue(rate(openat, 1) > 0, top::describe);
        } finally {
            guest.toHandle().destroy();
            guest.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRunWithMetricsPortIsScrapedWhileItRuns() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path journal = MeridianHome.freshJournal();
        // The guest opens, says so, then waits for a line on stdin: the test scrapes in between.
        Process run = new ProcessBuilder(MeridianHome.launcher().toString(), "run", "--metrics-port",
                Integer.toString(port), "--journal", journal.toString(), "--profile", "trace", "--", "/bin/sh", "-c",
                "cat /etc/hostname > /dev/null; echo opened; read line").redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        SocketAddress metricsPort = new InetSocketAddress("127.0.0.1", port);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(),
                StandardCharsets.UTF_8)); OutputStream in = run.getOutputStream()) {
            assertEquals("opened", out.readLine());
            // The guest's calls reach the journal, and so the metrics, through its ring within a few
            // milliseconds of being answered: the count is taken once two scrapes 100 ms apart agree.
            String metrics = null;
            double previous = -1;
            long deadline = System.nanoTime() + CATCH_UP.toNanos();
            while (System.nanoTime() < deadline) {
                metrics = RawHttp.get(metricsPort, "/metrics", Map.of()).body();
                double opens = value(metrics, OPENAT_ALLOWED);
                if (value(metrics, "meridian_sandboxes_started_total") == 1
                        && value(metrics, "meridian_bus_lag_events") == 0 && opens > 0 && opens == previous) {
                    break;
                }
                previous = opens;
                Thread.sleep(100);
            }
            in.write("done\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertTrue(run.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, run.exitValue());
            assertEquals(1, value(metrics, "meridian_sandboxes{state=\"running\"}"), 0, metrics);
            String id = onlySandbox(journal);
            assertEquals(JournalQueries.calls(journal, "--sandbox", id, "--syscall", "openat").size(),
                    value(metrics, OPENAT_ALLOWED), 0, metrics);
        } finally {
            run.destroyForcibly();
        }
        // The port is closed with the run.
        try {
            RawHttp.get(metricsPort, "/metrics", Map.of());
            fail("127.0.0.1:" + port + " still answers after the run");
        } catch (IOException closed) {
            // As it should.
        }
    }

    /** The metrics components are delayed: a run that does not ask for metrics loads none of their classes. */
    @Test
    void onlyARunThatAsksForMetricsLoadsTheirClasses() throws Exception {
        Path work = MeridianHome.freshJournal();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        for (boolean metrics : new boolean[] {false, true}) {
            Path classes = work.resolve("classes-" + metrics + ".log");
            List<String> command = new ArrayList<>(List.of(MeridianHome.launcher().toString(), "run", "--embedded",
                    "--journal", work.toString()));
            if (metrics) {
                command.addAll(List.of("--metrics-port", Integer.toString(port)));
            }
            command.addAll(List.of("--", "/bin/true"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("MERIDIAN_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);
            Process run = builder.start();
            assertTrue(run.waitFor(90, TimeUnit.SECONDS));
            assertEquals(0, run.exitValue());
            String loaded = Files.readString(classes);
            assertEquals(metrics, loaded.contains(" dev.meridian.observability.internal.PrometheusMetrics "),
                    () -> "metrics " + metrics);
            assertEquals(metrics, loaded.contains(" io.prometheus.metrics.core.metrics.Counter "),
                    () -> "metrics " + metrics);
        }
    }

    @Test
    void aBadMetricsPortIsAOneLineUsageError() throws Exception {
        Commands.Outcome word = Commands.meridian(List.of("run", "--metrics-port", "http", "--", "/bin/true"));
        assertEquals(2, word.exitCode(), word::describe);
        assertEquals("meridian: run: --metrics-port takes a TCP port from 1 to 65535, not 'http'\n", word.err());
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Commands.Outcome inUse = Commands.meridian(List.of("run", "--metrics-port", Integer.toString(port), "--",
                    "/bin/true"));
            assertEquals(2, inUse.exitCode(), inUse::describe);
            assertEquals("meridian: run: --metrics-port " + port + ": 127.0.0.1:" + port
                    + " is in use; pick another port\n", inUse.err());
        }
    }

    // ---- helpers

    private static String scrape() throws IOException {
        RawHttp.Response response = RawHttp.get(socket, "/metrics", Map.of());
        assertEquals(200, response.status(), response::describe);
        return response.body();
    }

    /**
     * The metrics once the bus's tap delivered the whole run of sandbox {@code id}: its end reached the traffic
     * counters (the tap hands every record to each listener before the next record, so the metrics had its calls),
     * and the tap reports no lag.
     */
    private static String scrapeOnceDelivered(String id) throws Exception {
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        while (System.nanoTime() < deadline) {
            RawHttp.Response traffic = RawHttp.get(socket, "/v1/traffic", Map.of());
            assertEquals(200, traffic.status(), traffic::describe);
            boolean ended = traffic.body().contains("{\"id\":\"" + id + "\",\"running\":false");
            String metrics = scrape();
            if (ended && value(metrics, "meridian_bus_lag_events") == 0) {
                return metrics;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the tap did not deliver sandbox " + id + " within " + CATCH_UP.toSeconds()
                + " s; traffic: " + RawHttp.get(socket, "/v1/traffic", Map.of()).body() + "\nmetrics:\n" + scrape());
    }

    private static String onlySandbox(Path journal) {
        List<Map<String, Object>> sandboxes = JournalQueries.sandboxes(journal);
        assertEquals(1, sandboxes.size(), sandboxes::toString);
        return (String) sandboxes.getFirst().get("sandbox");
    }

    /** The sample's value; 0 when the series is not (yet) there, as for a counter never incremented. */
    private static double value(String exposition, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)").matcher(exposition);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    /** The number in the {@code column}th column (from 0) of a table row of {@code meridian top}. */
    private static double rate(String row, int column) {
        List<String> cells = new ArrayList<>(List.of(row.trim().split("\\s+")));
        return Double.parseDouble(cells.get(column));
    }
}
