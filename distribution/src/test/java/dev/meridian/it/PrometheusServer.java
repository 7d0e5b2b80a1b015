package dev.meridian.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real Prometheus server of a test: Debian's {@code prometheus} binary (installed by {@code ./build test}) with
 * the test's configuration, its own storage and log under a directory, on a free loopback port; stopped by
 * {@link #close()}. Every failure message carries the end of Prometheus's own log.
 */
final class PrometheusServer implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    private static final int LOG_TAIL_LINES = 60;

    private final Process process;
    private final Path log;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /** The prometheus binary on PATH, or a failure that says how to get it (never a skip). */
    static Path binary() {
        for (String directory : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, "prometheus");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("no prometheus binary on PATH (" + System.getenv("PATH") + "): run ./build test,"
                + " which installs Debian's prometheus package (or apt-get install prometheus)");
    }

    /**
     * Starts Prometheus with {@code config} (written to {@code directory}/prometheus.yml) and storage in
     * {@code directory}/data, and waits until it is ready. A port another process took between the probe and the
     * bind is tried again, twice.
     */
    static PrometheusServer start(Path directory, String config) {
        Path binary = binary();
        try {
            Path configFile = Files.writeString(Files.createDirectories(directory).resolve("prometheus.yml"), config);
            for (int attempt = 1; ; attempt++) {
                int port = freePort();
                Path log = directory.resolve("prometheus-" + attempt + ".log");
                Process process = new ProcessBuilder(binary.toString(),
                        "--config.file=" + configFile,
                        "--storage.tsdb.path=" + directory.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port)
                        .redirectErrorStream(true).redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                PrometheusServer server = new PrometheusServer(process, log, port);
                if (server.awaitReady()) {
                    return server;
                }
                String state = server.state();
                server.close();
                if (attempt == 3 || !server.log().contains("address already in use")) {
                    throw new AssertionError("prometheus did not become ready within " + READY_TIMEOUT.toSeconds()
                            + " s (" + state + "); its log:\n" + server.log());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start prometheus in " + directory, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** Polls /-/ready until it answers 200 (true), the process exits or the time is up (false). */
    private boolean awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (process.isAlive() && System.nanoTime() < deadline) {
            if (!notReady()) {
                return true;
            }
            pause(Duration.ofMillis(200));
        }
        return false;
    }

    private boolean notReady() {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/-/ready")).timeout(REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() != 200;
        } catch (IOException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    URI base() {
        return base;
    }

    /**
     * GET {@code /api/v1/PATH?PARAMETERS}; its {@code data} when the answer is {@code "status": "success"},
     * else a failure naming the request, the answer and the log.
     */
    Object api(String path, Map<String, String> parameters) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, value) -> query.append(query.isEmpty() ? "?" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        URI uri = base.resolve("/api/v1/" + path + query);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + uri + " failed: " + e + " (" + state() + "); prometheus log:\n" + log(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        Map<String, Object> answer;
        try {
            answer = Json.parseObject(response.body());
        } catch (IllegalArgumentException e) {
            throw new AssertionError("GET " + uri + ": " + response.statusCode() + " with no JSON: " + response.body());
        }
        if (!"success".equals(answer.get("status"))) {
            // 400 and 422 are the query's fault (bad_data, execution); anything else may be the server's.
            throw new AssertionError("GET " + uri + ": " + response.statusCode() + " " + answer
                    + (response.statusCode() == 400 || response.statusCode() == 422 ? ""
                            : "\nprometheus log:\n" + log()));
        }
        return answer.get("data");
    }

    /** The result vector of an instant query now: one {metric, value: [time, "number"]} per series. */
    List<Map<String, Object>> query(String promql) {
        return result(api("query", Map.of("query", promql)), "vector", promql);
    }

    /** The result matrix of a range query: one {metric, values: [[time, "number"], ...]} per series. */
    List<Map<String, Object>> queryRange(String promql, Instant start, Instant end, Duration step) {
        return result(api("query_range", Map.of("query", promql, "start", seconds(start), "end", seconds(end),
                "step", Double.toString(step.toMillis() / 1000.0))), "matrix", promql);
    }

    private static String seconds(Instant instant) {
        return instant.getEpochSecond() + "." + String.format("%03d", instant.getNano() / 1_000_000);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> result(Object data, String type, String promql) {
        Map<String, Object> map = (Map<String, Object>) data;
        if (!type.equals(map.get("resultType"))) {
            throw new AssertionError(promql + ": a " + map.get("resultType") + " where a " + type + " was expected");
        }
        return (List<Map<String, Object>>) map.get("result");
    }

    /** The active targets once every one is up, or a failure with their health, last errors and the log. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> awaitTargetsUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Map<String, Object>> targets = (List<Map<String, Object>>) ((Map<String, Object>) api("targets",
                    Map.of("state", "active"))).get("activeTargets");
            if (!targets.isEmpty() && targets.stream().allMatch(target -> "up".equals(target.get("health")))) {
                return targets;
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                StringBuilder described = new StringBuilder();
                for (Map<String, Object> target : targets) {
                    described.append("\n  ").append(target.get("scrapeUrl")).append(": ").append(target.get("health"))
                            .append(", last error: ").append(target.get("lastError"));
                }
                throw new AssertionError("prometheus's targets were not all up within " + timeout.toSeconds() + " s ("
                        + state() + "):" + (targets.isEmpty() ? " no active target" : described)
                        + "\nprometheus log:\n" + log());
            }
            pause(Duration.ofMillis(250));
        }
    }

    /**
     * Runs the instant query {@code promql} until {@code condition} holds for its result; the last result, or a
     * failure saying what was awaited, what came and the log.
     */
    List<Map<String, Object>> awaitQuery(String promql, Predicate<List<Map<String, Object>>> condition,
            Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Map<String, Object>> result = query(promql);
            if (condition.test(result)) {
                return result;
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("prometheus did not show " + what + " within " + timeout.toSeconds()
                        + " s (" + state() + "): " + promql + " = " + result + "\nprometheus log:\n" + log());
            }
            pause(Duration.ofMillis(250));
        }
    }

    private String state() {
        return process.isAlive() ? "running at " + base : "exited with " + process.exitValue();
    }

    /** The last lines of Prometheus's log. */
    String log() {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of("(no log yet)");
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** SIGTERM and a wait (Prometheus flushes its head block), then SIGKILL if it lingers. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
