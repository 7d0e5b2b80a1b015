package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package, installed by ./build test) scraping a real daemon's /metrics over its
 * loopback TCP port with the daemon's metrics token (it reads /metrics only), configured from the shipped example
 * (observability/prometheus/prometheus.yml). Real guests run through the daemon (traced calls, a call the
 * strict profile denies) and the shim is swapped twice, so that every panel of the shipped Grafana dashboard
 * has something to show; the series must arrive with the daemon's values, and every query of the dashboard
 * must return data.
 */
class PrometheusIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
    private static final Map<String, String> FAST_DEPLOY =
            Map.of("dev.meridian.deploy", "poll.millis = 50\nsettle.millis = 100");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\S+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
    /** Two rounds of guests and swaps: Prometheus sees no increase in a series' first sample, only after it. */
    private static final int ROUNDS = 2;

    @TempDir
    Path workspace;

    @Test
    void prometheusScrapesTheDaemonAndEveryDashboardQueryReturnsData() throws Exception {
        PrometheusServer.binary(); // before anything starts: without prometheus the test fails at once, saying why
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Map<String, String> settings = new LinkedHashMap<>(FAST_DEPLOY);
        settings.put("dev.meridian.control", "tcp.port = " + port);
        try (DaemonProcess daemon = DaemonProcess.start(workspace.resolve("daemon"), settings).awaitStarted()) {
            // Prometheus gets the token that reads /metrics only, as the shipped example says.
            Path token = daemon.state.resolve("metrics-token");
            InetSocketAddress tcp = new InetSocketAddress("127.0.0.1", port);
            Map<String, String> bearer = Map.of("Authorization", "Bearer " + Files.readString(token).strip());
            daemonMetrics(tcp, bearer, daemon); // served before Prometheus is pointed at it

            Instant started = Instant.now();
            try (PrometheusServer prometheus = PrometheusServer.start(workspace.resolve("prometheus"),
                    scrapeConfig(token, port))) {
                List<Map<String, Object>> targets = prometheus.awaitTargetsUp(TIMEOUT);
                assertEquals(1, targets.size(), targets::toString);
                assertEquals("http://127.0.0.1:" + port + "/metrics", targets.getFirst().get("scrapeUrl"));

                byte[] shim = TestBundles.installed(TestBundles.SHIM);
                for (int round = 1; round <= ROUNDS; round++) {
                    runGuests(daemon);
                    swapShim(daemon, shim, round);
                    int expected = round;
                    // Scraped after this round: the next round's changes are increases Prometheus can see.
                    prometheus.awaitQuery("sum(meridian_bundle_swaps_total{bundle=\"" + TestBundles.SHIM
                            + "\",outcome=\"updated\"})", result -> value(result) == expected, TIMEOUT,
                            "the shim's " + expected + " update(s)");
                }

                // The guests are done: once the tap has delivered what they journaled, the daemon's counters hold
                // still, and Prometheus must catch up to them exactly.
                Map<String, Double> calls = series(deliveredMetrics(tcp, bearer, daemon), "meridian_syscalls_total",
                        "syscall", "verdict");
                assertTrue(calls.keySet().stream().anyMatch(key -> key.endsWith(" deny")),
                        () -> "no denied call in the daemon's /metrics: " + calls);
                prometheus.awaitQuery("meridian_syscalls_total", result -> calls.equals(series(result, "syscall",
                        "verdict")), TIMEOUT, "the daemon's meridian_syscalls_total " + calls);
                assertEquals(0.0, value(prometheus.query("sum(meridian_bus_events_lost_total)")), "events lost");
                assertEquals(2.0 * ROUNDS, value(prometheus.query("sum(meridian_sandboxes_started_total)")),
                        "sandboxes started (two guests a round)");
                assertEquals(1.0 * ROUNDS, value(prometheus.query(
                        "sum(meridian_policy_denials_total{rule=\"strict/secrets\"})")), "denials by strict/secrets");
                assertEquals(calls.values().stream().mapToDouble(Double::doubleValue).sum(),
                        value(prometheus.query("sum(meridian_syscall_duration_seconds_count)")),
                        "answered calls and latencies observed");
                assertEquals(2.0 * ROUNDS, value(prometheus.query("sum(meridian_sandboxes{state=\"exited\"})")),
                        "sandboxes exited");
                assertEquals(0.0, value(prometheus.query("sum(meridian_sandboxes{state=\"running\"})")),
                        "sandboxes running");
                prometheus.awaitQuery("max(meridian_bus_lag_events)", result -> value(result) == 0, TIMEOUT,
                        "the tap caught up (no bus lag)");

                runEveryDashboardQuery(prometheus, started, port);
            }
            assertEquals(0, daemon.terminate(TIMEOUT), daemon::log);
        }
    }

    /**
     * The shipped example configuration with what a test changes: a 1 s scrape interval (and timeout), the
     * daemon's token file and its port. Each must be found exactly once, so the example cannot drift from what
     * this test proves works.
     */
    private static String scrapeConfig(Path token, int port) {
        String config = Dashboard.read(Dashboard.repository().resolve("observability/prometheus/prometheus.yml"));
        config = replaceOnce(config, "scrape_interval: \\S+", "scrape_interval: 1s");
        config = replaceOnce(config, "scrape_timeout: \\S+", "scrape_timeout: 1s");
        config = replaceOnce(config, "credentials_file: \\S+", "credentials_file: " + token);
        return replaceOnce(config, "targets: \\['127\\.0\\.0\\.1:\\d+']", "targets: ['127.0.0.1:" + port + "']");
    }

    private static String replaceOnce(String text, String regex, String replacement) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        int found = (int) matcher.results().count();
        assertEquals(1, found, () -> "observability/prometheus/prometheus.yml has " + found + " lines matching "
                + regex + ", not one:\n" + text);
        return matcher.replaceFirst(Matcher.quoteReplacement(replacement));
    }

    /** A guest the supervisor sees every call of, and one whose read of /etc/shadow the strict profile denies. */
    private static void runGuests(DaemonProcess daemon) {
        Commands.Outcome traced = Commands.meridian(List.of("run", "--state", daemon.state.toString(), "--profile",
                "trace", "--", "sh", "-c", "head -c 64 /etc/passwd > /dev/null; ls / > /dev/null"), new byte[0],
                RUN_TIMEOUT);
        assertEquals(0, traced.exitCode(), traced::describe);
        Commands.Outcome denied = Commands.meridian(List.of("run", "--state", daemon.state.toString(), "--profile",
                "strict", "--", "cat", "/etc/shadow"), new byte[0], RUN_TIMEOUT);
        assertEquals(1, denied.exitCode(), denied::describe);
        assertTrue(denied.err().contains("Permission denied"), denied::describe);
    }

    /** A new build of the shim dropped into the deploy directory: the daemon updates it (a swap with a stall). */
    private static void swapShim(DaemonProcess daemon, byte[] shim, int round) {
        daemon.drop(TestBundles.variant(shim, "prometheus swap " + round, Map.of()), TestBundles.SHIM + ".jar");
        daemon.awaitLogLines(line -> line.contains("deployed " + TestBundles.SHIM + " ") && line.contains("(updated"),
                round, TIMEOUT);
    }

    /**
     * Every query of the shipped dashboard, with Grafana's variables given concrete values as Grafana would
     * for a range covering the whole run: $__range and $__rate_interval both span from Prometheus's start to now
     * plus a minute (a rate needs two samples in its window; the guests and swaps happened inside it), $__interval
     * is the scrape interval, and a dashboard variable is ".*", its "All" (the dashboard's default). Range
     * queries (time series, heatmap panels) run as /api/v1/query_range over the run in 1 s steps ending now,
     * instant ones (bar gauges) as /api/v1/query now; each must return at least one series with a finite value.
     * The variables' own queries (label_values) must list this daemon's instance.
     */
    private static void runEveryDashboardQuery(PrometheusServer prometheus, Instant started, int port) {
        Instant now = Instant.now();
        long seconds = Duration.between(started, now).toSeconds() + 1;
        String window = (seconds + 60) + "s";
        // The range's steps end at now exactly (the last guests and swap may be only a second old).
        Instant from = now.minusSeconds(seconds);
        Dashboard dashboard = Dashboard.shipped();
        Map<String, String> values = new TreeMap<>(Map.of("__range", window, "__rate_interval", window,
                "__interval", "1s"));
        for (Dashboard.Variable variable : dashboard.variables()) {
            values.put(variable.name(), ".*");
            Object listed = prometheus.api("label/" + variable.label() + "/values",
                    Map.of("match[]", variable.metric()));
            assertEquals(List.of("127.0.0.1:" + port), listed, "the values of the dashboard variable " + variable);
        }
        List<String> empty = new ArrayList<>();
        List<Dashboard.Query> queries = dashboard.queries();
        for (Dashboard.Query query : queries) {
            String promql = Dashboard.substitute(query.expr(), values);
            List<Map<String, Object>> result = query.instant() ? prometheus.query(promql)
                    : prometheus.queryRange(promql, from, now, Duration.ofSeconds(1));
            if (!hasFiniteValue(result)) {
                StringBuilder samples = new StringBuilder();
                for (String metric : Dashboard.metricNames(query.expr())) {
                    samples.append("\n    ").append(metric).append('[').append(window).append("] = ")
                            .append(prometheus.api("query", Map.of("query", metric + "[" + window + "]")));
                }
                empty.add(query + "\n    ran as " + promql + "\n    = " + result + samples);
            }
        }
        assertEquals(List.of(), empty, () -> empty.size() + " of " + queries.size()
                + " dashboard queries returned no data (variables: " + values + ")");
        System.out.printf("PrometheusIT: %d dashboard queries, each with data (window %s)%n", queries.size(), window);
    }

    @SuppressWarnings("unchecked")
    private static boolean hasFiniteValue(List<Map<String, Object>> result) {
        for (Map<String, Object> series : result) {
            List<Object> samples = series.containsKey("values") ? (List<Object>) series.get("values")
                    : List.of(series.get("value"));
            for (Object sample : samples) {
                if (Double.isFinite(Double.parseDouble((String) ((List<Object>) sample).get(1)))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The one value of a one-series instant result (an aggregation); NaN when there is no series. */
    @SuppressWarnings("unchecked")
    private static double value(List<Map<String, Object>> result) {
        if (result.isEmpty()) {
            return Double.NaN;
        }
        assertEquals(1, result.size(), result::toString);
        return Double.parseDouble((String) ((List<Object>) result.getFirst().get("value")).get(1));
    }

    /** An instant result as "LABEL1 LABEL2" → value. */
    @SuppressWarnings("unchecked")
    private static Map<String, Double> series(List<Map<String, Object>> result, String... labels) {
        Map<String, Double> series = new TreeMap<>();
        for (Map<String, Object> element : result) {
            Map<String, Object> metric = (Map<String, Object>) element.get("metric");
            series.put(key(metric::get, labels),
                    Double.parseDouble((String) ((List<Object>) element.get("value")).get(1)));
        }
        return series;
    }

    /** The samples of {@code family} in a Prometheus text exposition as "LABEL1 LABEL2" → value. */
    private static Map<String, Double> series(String exposition, String family, String... labels) {
        Map<String, Double> series = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            Matcher sample = SAMPLE.matcher(line.strip());
            if (line.startsWith("#") || !sample.matches() || !sample.group(1).equals(family)) {
                continue;
            }
            Map<String, Object> labelValues = new LinkedHashMap<>();
            Matcher label = LABEL.matcher(sample.group(2) == null ? "" : sample.group(2));
            while (label.find()) {
                labelValues.put(label.group(1), label.group(2));
            }
            series.put(key(labelValues::get, labels), Double.parseDouble(sample.group(3)));
        }
        return series;
    }

    private static String key(Function<String, Object> label, String... labels) {
        List<String> parts = new ArrayList<>();
        for (String name : labels) {
            parts.add(String.valueOf(label.apply(name)));
        }
        return String.join(" ", parts);
    }

    /** GET /metrics over TCP with the token, as Prometheus does; a failure carries the daemon's log. */
    private static String daemonMetrics(InetSocketAddress tcp, Map<String, String> bearer, DaemonProcess daemon) {
        try {
            RawHttp.Response response = RawHttp.get(tcp, "/metrics", bearer);
            assertEquals(200, response.status(), () -> "GET /metrics: " + response.describe() + "\ndaemon log:\n"
                    + daemon.log());
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("GET /metrics on " + tcp, e);
        }
    }

    /** The daemon's metrics once its bus tap has delivered every record journaled so far (no lag). */
    private static String deliveredMetrics(InetSocketAddress tcp, Map<String, String> bearer, DaemonProcess daemon) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            String metrics = daemonMetrics(tcp, bearer, daemon);
            Double lag = series(metrics, "meridian_bus_lag_events").get("");
            if (lag != null && lag == 0) {
                return metrics;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the daemon's bus tap still lags after " + TIMEOUT.toSeconds() + " s:\n"
                        + metrics + "\ndaemon log:\n" + daemon.log());
            }
            PrometheusServer.pause(Duration.ofMillis(100));
        }
    }
}
