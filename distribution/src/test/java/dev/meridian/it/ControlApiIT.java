package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The control API of a real {@code meridian daemon} over its real Unix socket and its TCP port: every endpoint, the
 * token on TCP, bad requests, and real guests driven through attach, kill, wait and the events stream.
 */
class ControlApiIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final long CALL_SECONDS = 60;

    private static Path state;
    private static Path daemonLog;
    private static Process daemon;
    private static Vertx vertx;
    private static HttpClient http;
    private static WebSocketClient webSockets;
    private static SocketAddress unixSocket;
    private static SocketAddress tcpSocket;
    private static String token;

    /** One HTTP exchange's outcome. */
    record Response(int status, MultiMap headers, Buffer body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        String errorCode() {
            return json().getJsonObject("error").getString("code");
        }

        String errorMessage() {
            return json().getJsonObject("error").getString("message");
        }
    }

    @BeforeAll
    static void startDaemon() throws Exception {
        Path root = Files.createDirectories(MeridianHome.moduleDirectory().resolve("target/it-control"));
        // Short: the socket path must fit a sockaddr_un.
        state = Files.createTempDirectory(root, "s", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path config = Files.createDirectories(state.resolveSibling(state.getFileName() + "-etc"));
        Path deploy = Files.createDirectories(state.resolveSibling(state.getFileName() + "-deploy"));
        try (var files = Files.list(MeridianHome.home().resolve("etc"))) {
            for (Path file : files.toList()) {
                if (file.getFileName().toString().endsWith(".cfg")) {
                    Files.copy(file, config.resolve(file.getFileName()));
                }
            }
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Files.writeString(config.resolve("dev.meridian.control.cfg"), "tcp.port = " + port + "\n");
        daemonLog = state.resolveSibling(state.getFileName() + "-daemon.log");
        daemon = new ProcessBuilder(MeridianHome.launcher().toString(), "daemon", "--state", state.toString(),
                "--config", config.toString(), "--deploy", deploy.toString())
                .redirectErrorStream(true).redirectOutput(daemonLog.toFile()).start();

        vertx = Vertx.vertx();
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
        webSockets = vertx.createWebSocketClient();
        unixSocket = SocketAddress.domainSocketAddress(state.resolve("control.sock").toString());
        tcpSocket = SocketAddress.inetSocketAddress(port, "127.0.0.1");

        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            if (!daemon.isAlive()) {
                fail("the daemon exited with " + daemon.exitValue() + ":\n" + Files.readString(daemonLog));
            }
            if (Files.exists(state.resolve("control.sock"))) {
                try {
                    if (get("/v1/ready").status() == 200) {
                        break;
                    }
                } catch (Exception notYet) {
                    // Bound but not answering yet.
                }
            }
            if (System.nanoTime() > deadline) {
                fail("the daemon was not ready within " + STARTUP + ":\n" + Files.readString(daemonLog));
            }
            Thread.sleep(100);
        }
        token = Files.readString(state.resolve("token")).trim();
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                fail("the daemon did not stop on SIGTERM:\n" + Files.readString(daemonLog));
            }
            assertEquals(0, daemon.exitValue(), () -> "the daemon's exit status on SIGTERM; its log:\n" + log());
            assertFalse(Files.exists(state.resolve("control.sock")), "the socket is removed at the stop");
        }
    }

    private static String log() {
        try {
            return Files.readString(daemonLog);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    // ---- the HTTP client

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(CALL_SECONDS, TimeUnit.SECONDS);
    }

    static Response call(SocketAddress server, HttpMethod method, String path, MultiMap headers, Buffer body)
            throws Exception {
        RequestOptions options = new RequestOptions().setServer(server).setMethod(method).setURI(path)
                .setHost("localhost").setPort(0);
        if (headers != null) {
            options.setHeaders(headers);
        }
        return await(http.request(options).compose(request -> (body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(data -> new Response(response.statusCode(),
                        response.headers(), data)))));
    }

    static Response get(String path) throws Exception {
        return call(unixSocket, HttpMethod.GET, path, null, null);
    }

    static Response post(String path, String json) throws Exception {
        return call(unixSocket, HttpMethod.POST, path, json == null ? null
                : MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json"),
                json == null ? null : Buffer.buffer(json));
    }

    static Response delete(String path) throws Exception {
        return call(unixSocket, HttpMethod.DELETE, path, null, null);
    }

    static void assertError(Response response, int status, String code) {
        assertEquals(status, response.status(), () -> "status of " + response.body());
        assertTrue(response.headers().get("Content-Type").startsWith("application/json"), response.headers()::toString);
        String received;
        try {
            received = response.errorCode();
        } catch (RuntimeException e) {
            throw new AssertionError("not an error JSON: '" + response.body() + "' " + response.headers(), e);
        }
        assertEquals(code, received, response.body()::toString);
        assertFalse(response.errorMessage().isBlank());
    }

    private static JsonObject create(String json) throws Exception {
        Response created = post("/v1/sandboxes", json);
        assertEquals(201, created.status(), () -> created.body() + "\n" + log());
        return created.json();
    }

    // ---- health, readiness, the document

    @Test
    void healthAndReadinessOnTheSocketAndOverTcp() throws Exception {
        assertEquals(new JsonObject().put("status", "up"), get("/v1/health").json());
        // The health check is the one thing TCP answers without a token.
        Response tcpHealth = call(tcpSocket, HttpMethod.GET, "/v1/health", null, null);
        assertEquals(200, tcpHealth.status());
        Response ready = get("/v1/ready");
        assertEquals(200, ready.status(), ready.body()::toString);
        JsonObject readiness = ready.json();
        assertTrue(readiness.getBoolean("ready"));
        assertTrue(readiness.getJsonArray("shims").contains("linux-x86_64"), readiness::encode);
        assertEquals(new JsonArray(), readiness.getJsonArray("missing"));
    }

    @Test
    void theOpenApiDocumentIsServed() throws Exception {
        Response document = get("/v1/openapi.json");
        assertEquals(200, document.status());
        JsonObject openApi = document.json();
        assertEquals("3.1.0", openApi.getString("openapi"));
        for (String path : List.of("/v1/health", "/v1/sandboxes", "/v1/sandboxes/{id}/attach", "/v1/policies/{name}")) {
            assertTrue(openApi.getJsonObject("paths").containsKey(path), path);
        }
    }

    // ---- authentication on TCP

    @Test
    void tcpNeedsTheBearerToken() throws Exception {
        Response missing = call(tcpSocket, HttpMethod.GET, "/v1/sandboxes", null, null);
        assertError(missing, 401, "unauthorized");
        assertTrue(missing.headers().get("WWW-Authenticate").startsWith("Bearer"));
        Response wrong = call(tcpSocket, HttpMethod.GET, "/v1/sandboxes",
                MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + "0".repeat(64)), null);
        assertError(wrong, 401, "unauthorized");
        Response notBearer = call(tcpSocket, HttpMethod.GET, "/v1/ready",
                MultiMap.caseInsensitiveMultiMap().add("Authorization", "Basic " + token), null);
        assertError(notBearer, 401, "unauthorized");
        Response right = call(tcpSocket, HttpMethod.GET, "/v1/sandboxes",
                MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token), null);
        assertEquals(200, right.status(), right.body()::toString);
        assertNotNull(right.json().getJsonArray("sandboxes"));
        // Unauthenticated requests learn nothing, not even which paths exist.
        assertError(call(tcpSocket, HttpMethod.GET, "/v1/nowhere", null, null), 401, "unauthorized");
        // The token file is the owner's alone.
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("token"))));
        assertEquals("rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("metrics-token"))));
        // The metrics token is no key to the rest: 403, even where the path does not exist.
        String metricsToken = Files.readString(state.resolve("metrics-token")).trim();
        assertError(call(tcpSocket, HttpMethod.GET, "/v1/nowhere",
                MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + metricsToken), null),
                403, "forbidden");
        assertEquals("rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("control.sock"))));
    }

    // ---- bad requests

    @Test
    void unknownPathsAndWrongMethodsAreErrorsInJson() throws Exception {
        assertError(get("/v1/nowhere"), 404, "not_found");
        assertError(get("/"), 404, "not_found");
        Response wrongMethod = call(unixSocket, HttpMethod.PATCH, "/v1/sandboxes", null, null);
        assertError(wrongMethod, 405, "method_not_allowed");
        assertEquals("POST, GET", wrongMethod.headers().get("Allow"));
        assertError(post("/v1/health", null), 405, "method_not_allowed");
        assertError(get("/v1/sandboxes/0123456789abcdef"), 404, "not_found");
        assertError(get("/v1/sandboxes/not-an-id"), 404, "not_found");
        assertError(get("/v1/sandboxes?all=maybe"), 400, "bad_request");
        assertError(get("/v1/sandboxes?colour=red"), 400, "bad_request");
        // A WebSocket path asked without the upgrade.
        assertError(get("/v1/sandboxes/0123456789abcdef/attach"), 400, "bad_request");
    }

    @Test
    void malformedJsonUnknownFieldsWrongTypesAndWrongContentTypesAre4xx() throws Exception {
        Response malformed = post("/v1/sandboxes", "{\"command\": [\"true\"");
        assertError(malformed, 400, "bad_request");
        assertTrue(malformed.errorMessage().startsWith("malformed JSON"), malformed.errorMessage());
        Response unknown = post("/v1/sandboxes", "{\"comand\": [\"true\"]}");
        assertError(unknown, 400, "bad_request");
        assertTrue(unknown.errorMessage().startsWith("unknown field \"comand\" (known: command, env, cwd,"),
                unknown.errorMessage());
        Response wrongType = post("/v1/sandboxes", "{\"command\": \"true\"}");
        assertError(wrongType, 400, "bad_request");
        assertEquals("\"command\" must be an array, not a string", wrongType.errorMessage());
        assertError(post("/v1/sandboxes", "[]"), 400, "bad_request");
        assertError(post("/v1/sandboxes", "{}"), 400, "bad_request");
        assertError(call(unixSocket, HttpMethod.POST, "/v1/sandboxes",
                MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/plain"),
                Buffer.buffer("{\"command\": [\"true\"]}")), 415, "unsupported_media_type");
        assertError(call(unixSocket, HttpMethod.POST, "/v1/sandboxes", null, Buffer.buffer("{\"command\": [\"true\"]}")),
                415, "unsupported_media_type");
    }

    @Test
    void oversizedBodiesAre413WhetherDeclaredOrStreamed() throws Exception {
        String big = "{\"command\": [\"" + "x".repeat(2 << 20) + "\"]}";
        assertError(post("/v1/sandboxes", big), 413, "payload_too_large");
        // Chunked, no Content-Length: refused while reading, once past the limit.
        Response streamed = await(http.request(new RequestOptions().setServer(unixSocket).setMethod(HttpMethod.POST)
                .setURI("/v1/sandboxes").setHost("localhost").putHeader("Content-Type", "application/json"))
                .compose(request -> {
                    // The answer may come while the body is still going out: read it as soon as it does.
                    Future<Response> response = request.response().compose(answer -> answer.body()
                            .map(data -> new Response(answer.statusCode(), answer.headers(), data)));
                    request.setChunked(true);
                    for (int i = 0; i < 40; i++) {
                        request.write(Buffer.buffer("x".repeat(64 * 1024)));
                    }
                    request.end();
                    return response;
                }));
        assertError(streamed, 413, "payload_too_large");
        // And the daemon serves on.
        assertEquals(200, get("/v1/health").status());
    }

    // ---- sandboxes

    @Test
    void aProgramRunsThroughAttachWithStdinStdoutStderrAndItsExitCode() throws Exception {
        JsonObject created = create("""
                {"command": ["/bin/sh", "-c", "read line; echo out:$line; echo err:$line >&2; cat; exit 7"],
                 "env": {"PATH": "/usr/bin:/bin"}, "start": false}""");
        String id = created.getString("id");
        assertEquals("created", created.getString("state"));
        assertNull(created.getValue("exit"));

        Attached attached = attach(id);
        JsonObject started = post("/v1/sandboxes/" + id + "/start", null).json();
        assertEquals("running", started.getString("state"), started::encode);
        assertError(post("/v1/sandboxes/" + id + "/start", null), 409, "conflict");
        attached.socket.sendBinary(Buffer.buffer().appendByte((byte) 0).appendString("hello\nrest of input").getBytes());
        attached.socket.sendText("{\"type\":\"eof\"}");
        JsonObject exit = attached.exit.get(CALL_SECONDS, TimeUnit.SECONDS);

        assertEquals("out:hello\nrest of input", attached.stdout.toString(StandardCharsets.UTF_8));
        assertEquals("err:hello\n", attached.stderr.toString(StandardCharsets.UTF_8));
        assertEquals(new JsonObject().put("type", "exit").put("code", 7).put("signal", 0).put("status", 7)
                .put("state", "exited"), exit);
        assertEquals(1000, attached.closeCode.get(CALL_SECONDS, TimeUnit.SECONDS));

        JsonObject finished = get("/v1/sandboxes/" + id + "/wait").json();
        assertEquals("exited", finished.getString("state"));
        assertEquals(new JsonObject().put("code", 7).put("signal", 0).put("status", 7), finished.getJsonObject("exit"));
        assertNotNull(finished.getString("startedAt"));
        assertNotNull(finished.getString("endedAt"));
        assertTrue(finished.getLong("wallMillis") >= 0);

        assertTrue(ids(get("/v1/sandboxes?all=true")).contains(id));
        assertFalse(ids(get("/v1/sandboxes")).contains(id), "finished sandboxes are listed only with all=true");
        assertEquals(204, delete("/v1/sandboxes/" + id).status());
        assertError(get("/v1/sandboxes/" + id), 404, "not_found");
        assertError(delete("/v1/sandboxes/" + id), 404, "not_found");
    }

    @Test
    void oneClientAttachesAtATimeOverTheSocketOrTcp() throws Exception {
        String id = create("{\"command\": [\"/bin/sleep\", \"30\"], \"start\": false}").getString("id");
        Attached first = attach(id);
        // Without the token TCP refuses the upgrade.
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> await(
                webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(tcpSocket.port())
                        .setURI("/v1/sandboxes/" + id + "/attach"))));
        assertTrue(String.valueOf(refused.getCause()).contains("401"), refused::toString);
        WebSocket second = tcpWebSocket("/v1/sandboxes/" + id + "/attach");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CALL_SECONDS);
        while (!second.isClosed() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals((short) 1008, second.closeStatusCode());
        assertTrue(second.closeReason().contains("already has a client attached"), second.closeReason());
        assertFalse(first.closeCode.isDone());
        assertEquals(200, post("/v1/sandboxes/" + id + "/start", null).status());
        assertEquals("killed", post("/v1/sandboxes/" + id + "/kill", null).json().getString("state"));
        JsonObject exit = first.exit.get(CALL_SECONDS, TimeUnit.SECONDS);
        assertEquals("killed", exit.getString("state"));
        assertEquals(9, exit.getInteger("signal"));
        assertEquals(1000, first.closeCode.get(CALL_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void killWaitAndSignal() throws Exception {
        String sleeper = create("{\"command\": [\"/bin/sleep\", \"30\"], \"stdio\": \"null\"}").getString("id");
        JsonObject stillRunning = get("/v1/sandboxes/" + sleeper + "/wait?timeout=200").json();
        assertEquals("running", stillRunning.getString("state"));
        assertTrue(stillRunning.getLong("pid") > 0);
        assertTrue(ids(get("/v1/sandboxes")).contains(sleeper));
        assertError(delete("/v1/sandboxes/" + sleeper), 409, "conflict");
        assertError(get("/v1/sandboxes/" + sleeper + "/wait?timeout=soon"), 400, "bad_request");
        assertError(post("/v1/sandboxes/" + sleeper + "/kill", "{\"now\": true}"), 400, "bad_request");
        JsonObject killed = post("/v1/sandboxes/" + sleeper + "/kill", null).json();
        assertEquals("killed", killed.getString("state"));
        JsonObject afterKill = get("/v1/sandboxes/" + sleeper + "/wait?timeout=30000").json();
        assertEquals("killed", afterKill.getString("state"));
        assertEquals(9, afterKill.getJsonObject("exit").getInteger("signal"));
        assertEquals(137, afterKill.getJsonObject("exit").getInteger("status"));
        assertError(post("/v1/sandboxes/" + sleeper + "/kill", null), 409, "conflict");
        assertError(post("/v1/sandboxes/" + sleeper + "/signal", "{\"signal\": \"TERM\"}"), 409, "conflict");

        String signalled = create("{\"command\": [\"/bin/sleep\", \"30\"], \"stdio\": \"null\"}").getString("id");
        assertError(post("/v1/sandboxes/" + signalled + "/signal", "{\"signal\": \"NOPE\"}"), 400, "bad_request");
        assertEquals(200, post("/v1/sandboxes/" + signalled + "/signal", "{\"signal\": \"TERM\"}").status());
        JsonObject terminated = get("/v1/sandboxes/" + signalled + "/wait").json();
        assertEquals("exited", terminated.getString("state"), terminated::encode);
        assertEquals(15, terminated.getJsonObject("exit").getInteger("signal"));
        assertEquals(143, terminated.getJsonObject("exit").getInteger("status"));
    }

    @Test
    void aMissingProgramIsRefusedWithItsReason() throws Exception {
        Response missing = post("/v1/sandboxes", "{\"command\": [\"/no/such/program\"]}");
        assertError(missing, 422, "sandbox_failed");
        assertEquals("program_not_found", missing.json().getJsonObject("error").getString("reason"));
        Response badProfile = post("/v1/sandboxes", "{\"command\": [\"/bin/true\"], \"policies\": [{\"profile\": "
                + "\"nonesuch\"}]}");
        assertError(badProfile, 422, "policy_invalid");
    }

    @Test
    void theEventsStreamCarriesTheCallsThenTheEnd() throws Exception {
        String id = create("{\"command\": [\"/bin/cat\", \"/etc/hostname\"], \"policies\": [{\"profile\": \"trace\"}], "
                + "\"stdio\": \"null\", \"start\": false}").getString("id");
        List<JsonObject> frames = new ArrayList<>();
        CompletableFuture<JsonObject> end = new CompletableFuture<>();
        WebSocket socket = tcpWebSocket("/v1/sandboxes/" + id + "/events");
        socket.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            synchronized (frames) {
                frames.add(frame);
            }
            if (frame.getString("type").equals("end")) {
                end.complete(frame);
            }
        });
        socket.closeHandler(nothing -> end.completeExceptionally(new AssertionError("closed before the end frame: "
                + socket.closeStatusCode() + " " + socket.closeReason())));
        assertEquals(200, post("/v1/sandboxes/" + id + "/start", "{}").status());
        assertEquals(new JsonObject().put("type", "end").put("code", 0).put("signal", 0).put("status", 0),
                end.get(CALL_SECONDS, TimeUnit.SECONDS));
        synchronized (frames) {
            assertTrue(frames.size() > 2, () -> "calls before the end: " + frames);
            JsonObject open = frames.stream().filter(f -> "call".equals(f.getString("type"))
                    && f.getString("line").contains("/etc/hostname")).findFirst()
                    .orElseThrow(() -> new AssertionError("no call names /etc/hostname: " + frames));
            assertEquals("allow", open.getString("verdict"));
            assertNotNull(open.getString("rule"));
            assertTrue(open.getInteger("pid") > 0);
            long previous = -1;
            for (JsonObject frame : frames.subList(0, frames.size() - 1)) {
                assertTrue(frame.getLong("seq") > previous, "journal order");
                previous = frame.getLong("seq");
            }
        }
    }

    // ---- bundles

    @Test
    void bundlesAreListedDeployedAndRemoved() throws Exception {
        Response listed = get("/v1/bundles");
        assertEquals(200, listed.status(), listed.body()::toString);
        assertTrue(listed.json().getJsonArray("bundles").stream()
                .anyMatch(b -> "dev.meridian.control".equals(((JsonObject) b).getString("symbolicName"))));

        MultiMap jarType = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/java-archive");
        byte[] tiny = bundleJar("dev.meridian.it.tiny", "1.0.0");
        assertError(call(unixSocket, HttpMethod.PUT, "/v1/bundles/dev.meridian.it.other", jarType,
                Buffer.buffer(tiny)), 400, "bad_request");
        assertError(call(unixSocket, HttpMethod.PUT, "/v1/bundles/dev.meridian.it.tiny", jarType,
                Buffer.buffer("not a jar")), 422, "bundle_rejected");
        assertError(call(unixSocket, HttpMethod.PUT, "/v1/bundles/dev.meridian.it.tiny",
                MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json"), Buffer.buffer(tiny)),
                415, "unsupported_media_type");

        Response installed = call(unixSocket, HttpMethod.PUT, "/v1/bundles/dev.meridian.it.tiny", jarType,
                Buffer.buffer(tiny));
        assertEquals(200, installed.status(), () -> installed.body() + "\n" + log());
        assertEquals("installed", installed.json().getString("action"));
        assertEquals("dev.meridian.it.tiny", installed.json().getJsonObject("bundle").getString("symbolicName"));
        assertTrue(installed.json().getLong("swapMillis") >= 0);
        Response updated = call(unixSocket, HttpMethod.PUT, "/v1/bundles/dev.meridian.it.tiny", jarType,
                Buffer.buffer(bundleJar("dev.meridian.it.tiny", "1.0.1")));
        assertEquals(200, updated.status(), updated.body()::toString);
        assertEquals("updated", updated.json().getString("action"));
        assertEquals("1.0.1", updated.json().getJsonObject("bundle").getString("version"));

        assertEquals(204, delete("/v1/bundles/dev.meridian.it.tiny").status());
        assertError(delete("/v1/bundles/dev.meridian.it.tiny"), 404, "not_found");
    }

    private static byte[] bundleJar(String symbolicName, String version) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        manifest.getMainAttributes().putValue("Bundle-Version", version);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            jar.putNextEntry(new ZipEntry("README.txt"));
            jar.write(("a bundle with nothing in it, version " + version).getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    // ---- policies

    @Test
    void policiesAreCheckedStoredAndUsable() throws Exception {
        JsonObject policies = get("/v1/policies").json();
        assertTrue(policies.getJsonArray("profiles").contains("default"), policies::encode);
        MultiMap yaml = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/yaml");
        Response invalid = call(unixSocket, HttpMethod.PUT, "/v1/policies/broken", yaml,
                Buffer.buffer("meridian-policy: 1\nname: broken\nsyscals:\n  default: allow\n"));
        assertError(invalid, 422, "policy_invalid");
        assertTrue(invalid.errorMessage().contains("syscals"), invalid.errorMessage());
        assertError(get("/v1/policies/broken"), 404, "not_found");
        assertError(call(unixSocket, HttpMethod.PUT, "/v1/policies/a..b", yaml, Buffer.buffer("x: 1")), 400,
                "bad_request");

        String text = "meridian-policy: 1\nname: ci\nextends: [default]\n";
        Response stored = call(unixSocket, HttpMethod.PUT, "/v1/policies/ci", yaml, Buffer.buffer(text));
        assertEquals(201, stored.status(), stored.body()::toString);
        Response again = call(unixSocket, HttpMethod.PUT, "/v1/policies/ci", yaml, Buffer.buffer(text));
        assertEquals(200, again.status(), again.body()::toString);
        Response read = get("/v1/policies/ci");
        assertEquals(200, read.status());
        assertEquals(text, read.body().toString(StandardCharsets.UTF_8));
        assertTrue(get("/v1/policies").json().getJsonArray("stored").contains("ci"));

        String id = create("{\"command\": [\"/bin/true\"], \"policies\": [{\"stored\": \"ci\"}], \"stdio\": \"null\"}")
                .getString("id");
        JsonObject done = get("/v1/sandboxes/" + id + "/wait").json();
        assertEquals(0, done.getJsonObject("exit").getInteger("status"), done::encode);
        assertError(post("/v1/sandboxes", "{\"command\": [\"/bin/true\"], \"policies\": [{\"stored\": \"nope\"}]}"),
                422, "policy_invalid");
    }

    // ---- helpers

    private static List<String> ids(Response list) {
        assertEquals(200, list.status(), list.body()::toString);
        List<String> ids = new ArrayList<>();
        for (Object info : list.json().getJsonArray("sandboxes")) {
            ids.add(((JsonObject) info).getString("id"));
        }
        return ids;
    }

    /** An attached client over the Unix socket: what it received, and how it ended. */
    static final class Attached {
        UnixWebSocket socket;
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        final CompletableFuture<JsonObject> exit = new CompletableFuture<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    }

    private static Attached attach(String id) throws Exception {
        Attached attached = new Attached();
        String[] refused = new String[1];
        attached.socket = UnixWebSocket.connect(state.resolve("control.sock"), "/v1/sandboxes/" + id + "/attach",
                refused);
        assertNotNull(attached.socket, () -> "attach refused: " + refused[0]);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    UnixWebSocket.Frame frame = attached.socket.read();
                    if (frame.opcode() == UnixWebSocket.Frame.CLOSE) {
                        attached.closeCode.complete(frame.closeCode());
                        break;
                    }
                    if (frame.opcode() == UnixWebSocket.Frame.BINARY) {
                        ByteArrayOutputStream stream = frame.payload()[0] == 1 ? attached.stdout
                                : frame.payload()[0] == 2 ? attached.stderr : null;
                        if (stream == null) {
                            throw new IOException("a frame of stream " + frame.payload()[0]);
                        }
                        synchronized (stream) {
                            stream.write(frame.payload(), 1, frame.payload().length - 1);
                        }
                    } else if (new JsonObject(frame.text()).getString("type").equals("exit")) {
                        attached.exit.complete(new JsonObject(frame.text()));
                    }
                }
            } catch (IOException e) {
                attached.closeCode.completeExceptionally(e);
            } finally {
                attached.exit.completeExceptionally(new AssertionError("closed without an exit frame"));
            }
        });
        return attached;
    }

    /** A WebSocket over TCP, with the token; Vert.x's client. */
    private static WebSocket tcpWebSocket(String uri) throws Exception {
        return await(webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(tcpSocket.port()).setURI(uri).addHeader("Authorization", "Bearer " + token)));
    }
}
