package dev.meridian.control.internal;

import dev.meridian.api.BundleInfo;
import dev.meridian.api.BundleManager;
import dev.meridian.api.MetricsExporter;
import dev.meridian.api.NorthShim;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.PolicySource;
import dev.meridian.api.Sandbox;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxInfo;
import dev.meridian.api.SandboxManager;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SandboxState;
import dev.meridian.api.SouthPlatform;
import dev.meridian.api.Stdio;
import dev.meridian.api.SyscallBus;
import dev.meridian.api.TrafficCounters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * The control API of docs/control-api.md over one or more HTTP servers: routing, authentication, body limits,
 * strict decoding, the handlers, and the mapping of every failure to an error JSON. Handlers that may block (creating
 * and starting sandboxes, loading policies, deploying bundles) run on Vert.x worker threads, never on the event loop.
 */
final class ControlApi {

    /** Faults (what the API did not expect) go to the daemon's log with their stack trace, never to the client. */
    interface FaultLog {
        void fault(String message, Throwable failure);
    }

    /**
     * Where and how the API serves.
     *
     * @param journal the journal of sandboxes whose request names none
     * @param policyStore the stored policies
     * @param uploads where bundle jars sent through the API are kept
     * @param token the bearer token TCP requests must carry
     * @param metricsToken a bearer token that reads {@code GET /metrics} only (Prometheus's)
     * @param maxBodyBytes the largest JSON or policy body
     * @param maxBundleBytes the largest bundle jar
     * @param maxTraceSubscribers how many {@code /v1/trace} streams may be open at once
     */
    record Settings(Path journal, PolicyStore policyStore, Path uploads, String token, String metricsToken,
            long maxBodyBytes,
            long maxBundleBytes, int maxTraceSubscribers) {
    }

    /** A response: status, content type and body (null for none). */
    record Reply(int status, String contentType, Buffer body) {
        static Reply json(int status, JsonObject json) {
            return new Reply(status, "application/json", json.toBuffer());
        }

        static Reply noContent() {
            return new Reply(204, null, null);
        }
    }

    private static final Pattern SANDBOX_ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}");
    private static final long STATE_POLL_MILLIS = 50;
    private static final long KILL_WAIT_SECONDS = 10;
    /** How long a connection whose request was refused before its body was read may go on sending it. */
    private static final long REFUSED_BODY_DRAIN_MILLIS = 2_000;

    private final Vertx vertx;
    private final Services services;
    private final Settings settings;
    private final FaultLog faults;
    private final Buffer openApi;
    private final byte[] token;
    private final byte[] metricsToken;
    /** Create options the API applies at the start, for sandboxes created but not started yet. */
    private final Map<Long, SandboxRequest> pendingStarts = new ConcurrentHashMap<>();
    private final Map<Long, StdioRelay> relays = new ConcurrentHashMap<>();
    /** Open {@code /v1/trace} streams, bounded by {@link Settings#maxTraceSubscribers}. */
    private final AtomicInteger traceSubscribers = new AtomicInteger();

    ControlApi(Vertx vertx, Services services, Settings settings, FaultLog faults) throws IOException {
        this.vertx = vertx;
        this.services = services;
        this.settings = settings;
        this.faults = faults;
        this.token = settings.token().getBytes(StandardCharsets.US_ASCII);
        this.metricsToken = settings.metricsToken().getBytes(StandardCharsets.US_ASCII);
        try (InputStream in = ControlApi.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IOException("openapi.json is missing from the control bundle");
            }
            this.openApi = Buffer.buffer(in.readAllBytes());
        }
    }

    /** Stops relaying stdio (the daemon stops); sandboxes themselves are the supervisor's to end. */
    void close() {
        for (StdioRelay relay : List.copyOf(relays.values())) {
            relay.close();
        }
    }

    /** Serves one request; {@code tcp} requests need the bearer token (all but the health check). */
    void handle(HttpServerRequest request, boolean tcp) {
        try {
            route(request, tcp);
        } catch (Throwable failure) {
            fail(request, failure);
        }
    }

    /** A request Vert.x could not parse (line or headers too long, bad syntax): still an error JSON. */
    void invalid(HttpServerRequest request) {
        int status = request.decoderResult().cause() instanceof io.netty.handler.codec.TooLongFrameException
                ? (request.uri() == null || request.uri().length() > 4096 ? 414 : 431) : 400;
        String code = status == 400 ? "bad_request" : status == 414 ? "uri_too_long" : "headers_too_large";
        fail(request, new ApiException(status, code, "the request could not be parsed: "
                + Errors.describe(request.decoderResult().cause())));
    }

    private void route(HttpServerRequest request, boolean tcp) {
        String path = request.path();
        String method = request.method().name();
        if (path == null) {
            throw ApiException.badRequest("the request has no path");
        }
        if (tcp && !(method.equals("GET") && path.equals(Endpoint.HEALTH.template))) {
            authorize(request, method.equals("GET") && path.equals(Endpoint.METRICS.template));
        }
        Endpoint.Match match = Endpoint.find(method, path);
        if (match == null) {
            throw ApiException.notFound("no such path: " + path + " (GET /v1/openapi.json lists them)");
        }
        if (match.endpoint() == null) {
            request.response().putHeader("Allow", String.join(", ", match.allowedMethods()));
            throw ApiException.methodNotAllowed(method + " is not allowed on " + path + " (allowed: "
                    + String.join(", ", match.allowedMethods()) + ")");
        }
        Endpoint endpoint = match.endpoint();
        Map<String, String> query = query(request, endpoint);
        Map<String, String> parameters = match.parameters();
        if (endpoint.body == Endpoint.Body.WEBSOCKET) {
            webSocket(request, endpoint, parameters, query);
            return;
        }
        checkContentType(request, endpoint);
        long limit = endpoint.body == Endpoint.Body.JAR ? settings.maxBundleBytes() : settings.maxBodyBytes();
        String length = request.getHeader("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Content-Length is not a number: " + length);
            }
            if (declared > limit) {
                throw ApiException.payloadTooLarge("the body is " + declared + " bytes; the limit is " + limit);
            }
        }
        Context context = vertx.getOrCreateContext();
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if ((long) body.length() + chunk.length() > limit) {
                refused[0] = true;
                fail(request, ApiException.payloadTooLarge("the body is over the limit of " + limit + " bytes"));
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(failure -> refused[0] = true);
        request.endHandler(nothing -> {
            if (refused[0]) {
                return;
            }
            try {
                dispatch(endpoint, parameters, query, body, request.getHeader("Accept"), context)
                        .onComplete(result -> {
                            if (result.succeeded()) {
                                send(request, result.result());
                            } else {
                                fail(request, result.cause());
                            }
                        });
            } catch (Throwable failure) {
                fail(request, failure);
            }
        });
    }

    /** @param metrics the request is {@code GET /metrics}, which the metrics token may make too */
    private void authorize(HttpServerRequest request, boolean metrics) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            request.response().putHeader("WWW-Authenticate", "Bearer");
            throw ApiException.unauthorized("TCP requests need Authorization: Bearer TOKEN (the token is the daemon's "
                    + "state file 'token')");
        }
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.US_ASCII);
        if (MessageDigest.isEqual(presented, token)) {
            return;
        }
        if (MessageDigest.isEqual(presented, metricsToken)) {
            if (metrics) {
                return;
            }
            throw ApiException.forbidden("this is the metrics token (the daemon's state file 'metrics-token'): it "
                    + "reads GET /metrics and nothing else; the API needs the token in the state file 'token'");
        }
        request.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        throw ApiException.unauthorized("the bearer token is wrong");
    }

    private static Map<String, String> query(HttpServerRequest request, Endpoint endpoint) {
        Map<String, String> query = new java.util.HashMap<>();
        for (Map.Entry<String, String> parameter : request.params()) {
            if (!endpoint.queryParameters.contains(parameter.getKey())) {
                throw ApiException.badRequest("unknown query parameter \"" + parameter.getKey() + "\""
                        + (endpoint.queryParameters.isEmpty() ? " (" + endpoint.method + " " + endpoint.template
                                + " takes none)" : " (known: " + String.join(", ", endpoint.queryParameters) + ")"));
            }
            String previous = query.put(parameter.getKey(), parameter.getValue());
            if (previous != null) {
                if (!endpoint.listParameters.contains(parameter.getKey())) {
                    throw ApiException.badRequest("query parameter \"" + parameter.getKey() + "\" given twice");
                }
                // A repeated list parameter is one comma list.
                query.put(parameter.getKey(), previous + "," + parameter.getValue());
            }
        }
        return query;
    }

    private static void checkContentType(HttpServerRequest request, Endpoint endpoint) {
        boolean hasBody = request.getHeader("Transfer-Encoding") != null
                || (request.getHeader("Content-Length") != null && !request.getHeader("Content-Length").trim().equals("0"));
        String header = request.getHeader("Content-Type");
        String type = header == null ? null : header.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        List<String> accepted = switch (endpoint.body) {
            case JSON -> List.of("application/json");
            case EMPTY_JSON -> hasBody ? List.of("application/json") : null;
            case YAML -> List.of("application/yaml", "application/x-yaml", "text/yaml");
            case JAR -> List.of("application/java-archive", "application/octet-stream");
            case NONE, WEBSOCKET -> null;
        };
        if (accepted != null && (type == null || !accepted.contains(type))) {
            throw ApiException.unsupportedMediaType(endpoint.method + " " + endpoint.template + " takes "
                    + String.join(" or ", accepted) + ", not " + (type == null ? "a body without Content-Type" : type));
        }
    }

    private Future<Reply> dispatch(Endpoint endpoint, Map<String, String> parameters, Map<String, String> query,
            Buffer body, String accept, Context context) {
        JsonObject json = switch (endpoint.body) {
            case JSON -> {
                if (body.length() == 0) {
                    throw ApiException.badRequest(endpoint.method + " " + endpoint.template + " needs a JSON object");
                }
                yield StrictJson.object(body);
            }
            case EMPTY_JSON -> {
                if (body.length() > 0) {
                    StrictJson.onlyKnown(StrictJson.object(body), "", List.of());
                }
                yield null;
            }
            case NONE -> {
                if (body.length() > 0) {
                    throw ApiException.badRequest(endpoint.method + " " + endpoint.template + " takes no body");
                }
                yield null;
            }
            default -> null;
        };
        return switch (endpoint) {
            case HEALTH -> Future.succeededFuture(Reply.json(200, new JsonObject().put("status", "up")));
            case READY -> Future.succeededFuture(ready());
            case OPENAPI -> Future.succeededFuture(new Reply(200, "application/json", openApi));
            case METRICS -> metrics(accept);
            case TRAFFIC -> traffic();
            case CREATE_SANDBOX -> create(json);
            case LIST_SANDBOXES -> list(query.get("all"));
            case SANDBOX_INFO -> Future.succeededFuture(Reply.json(200, info(sandbox(parameters.get("id")))));
            case START_SANDBOX -> start(sandbox(parameters.get("id")));
            case SIGNAL_SANDBOX -> signal(sandbox(parameters.get("id")), json);
            case KILL_SANDBOX -> kill(sandbox(parameters.get("id")));
            case WAIT_SANDBOX -> waitFor(sandbox(parameters.get("id")), query.get("timeout"), context);
            case REMOVE_SANDBOX -> remove(parameters.get("id"));
            case LIST_BUNDLES -> listBundles();
            case DEPLOY_BUNDLE -> deploy(parameters.get("symbolicName"), body);
            case REMOVE_BUNDLE -> undeploy(parameters.get("symbolicName"));
            case LIST_POLICIES -> listPolicies();
            case GET_POLICY -> getPolicy(parameters.get("name"));
            case STORE_POLICY -> storePolicy(parameters.get("name"), body);
            case ATTACH, EVENTS, TRACE -> throw new IllegalStateException(endpoint + " is a WebSocket");
        };
    }

    // ---- readiness

    private Reply ready() {
        List<String> missing = new ArrayList<>();
        JsonArray platforms = new JsonArray();
        boolean platformAvailable = false;
        for (SouthPlatform platform : services.platforms()) {
            String reason = platform.unavailableReason();
            platformAvailable |= reason == null;
            platforms.add(new JsonObject().put("name", platform.name()).put("available", reason == null)
                    .put("reason", reason));
        }
        if (!platformAvailable) {
            missing.add(platforms.isEmpty() ? "a South platform (none is installed)"
                    : "a South platform that can run guests here (" + platforms.stream()
                            .map(p -> ((JsonObject) p).getString("name") + ": " + ((JsonObject) p).getString("reason"))
                            .reduce((a, b) -> a + "; " + b).orElse("") + ")");
        }
        JsonArray shims = new JsonArray();
        for (NorthShim shim : services.shims()) {
            shims.add(shim.personality());
        }
        if (shims.isEmpty()) {
            missing.add("a North shim");
        }
        if (services.bus() == null) {
            missing.add("the syscall bus");
        }
        if (services.policies() == null) {
            missing.add("the policy engine");
        }
        if (services.sandboxes() == null) {
            missing.add("the sandbox manager (supervisor)");
        }
        JsonObject body = new JsonObject()
                .put("ready", missing.isEmpty())
                .put("platforms", platforms)
                .put("shims", shims)
                .put("bus", services.bus() != null)
                .put("policyEngine", services.policies() != null)
                .put("sandboxManager", services.sandboxes() != null)
                .put("bundleManager", services.bundles() != null)
                .put("missing", new JsonArray(missing));
        if (!missing.isEmpty()) {
            body.put("error", new JsonObject().put("code", "unavailable")
                    .put("message", "not ready: missing " + String.join(", ", missing)));
        }
        return Reply.json(missing.isEmpty() ? 200 : 503, body);
    }

    // ---- metrics

    /** The scrape runs on a worker thread: it reads the sandbox manager and the bus's status. */
    private Future<Reply> metrics(String accept) {
        MetricsExporter exporter = services.metrics();
        if (exporter == null) {
            throw ApiException.unavailable("the metrics exporter (observability bundle) is not running; the daemon's "
                    + "log says why");
        }
        return blocking(() -> {
            ByteArrayOutputStream exposition = new ByteArrayOutputStream(64 * 1024);
            exporter.write(accept, exposition);
            return new Reply(200, exporter.contentType(accept), Buffer.buffer(exposition.toByteArray()));
        });
    }

    private Future<Reply> traffic() {
        TrafficCounters counters = services.traffic();
        if (counters == null) {
            throw ApiException.unavailable("the traffic counters (observability bundle) are not running");
        }
        SandboxManager manager = services.sandboxes();
        return blocking(() -> {
            TrafficCounters.Snapshot snapshot = counters.snapshot();
            JsonArray sandboxes = new JsonArray();
            for (TrafficCounters.SandboxTraffic traffic : snapshot.sandboxes()) {
                JsonObject sandbox = new JsonObject()
                        .put("id", display(traffic.sandboxId()))
                        .put("running", traffic.running());
                Optional<Sandbox> known = manager == null ? Optional.empty() : manager.find(traffic.sandboxId());
                known.ifPresent(found -> sandbox.put("command", new JsonArray(found.info().command())));
                sandbox.put("calls", traffic.calls())
                        .put("denials", traffic.denials())
                        .put("syscalls", new JsonObject(new java.util.TreeMap<>(traffic.callsBySyscall())));
                sandboxes.add(sandbox);
            }
            return Reply.json(200, new JsonObject().put("takenNanos", snapshot.takenNanos())
                    .put("sandboxes", sandboxes));
        });
    }

    // ---- sandboxes

    private SandboxManager manager() {
        SandboxManager manager = services.sandboxes();
        if (manager == null) {
            throw ApiException.unavailable("the sandbox manager (supervisor bundle) is not running");
        }
        return manager;
    }

    private Sandbox sandbox(String id) {
        if (!SANDBOX_ID.matcher(id).matches()) {
            throw ApiException.notFound("no sandbox '" + id + "' (an id is 16 lower-case hex digits)");
        }
        Optional<Sandbox> sandbox = manager().find(Long.parseUnsignedLong(id, 16));
        return sandbox.orElseThrow(() -> ApiException.notFound("no sandbox " + id));
    }

    private static JsonObject info(Sandbox sandbox) {
        return SandboxJson.info(sandbox.info(), System.currentTimeMillis());
    }

    private Future<Reply> create(JsonObject json) {
        SandboxManager manager = manager();
        SandboxRequest request = SandboxRequest.decode(json, settings.policyStore(), settings.journal());
        return blocking(() -> {
            Sandbox sandbox = manager.create(request.spec());
            pendingStarts.put(sandbox.id(), request);
            if (request.start()) {
                startNow(sandbox);
            }
            return Reply.json(201, info(sandbox));
        });
    }

    private Future<Reply> start(Sandbox sandbox) {
        if (sandbox.state() != SandboxState.CREATED) {
            throw ApiException.conflict("sandbox " + sandbox.displayId() + " was started before (it is "
                    + state(sandbox) + ")");
        }
        return blocking(() -> {
            startNow(sandbox);
            return Reply.json(200, info(sandbox));
        });
    }

    /** Starts on a worker thread, then applies the create options that need a running guest. */
    private void startNow(Sandbox sandbox) throws SandboxException {
        SandboxRequest request = pendingStarts.remove(sandbox.id());
        try {
            sandbox.start();
        } catch (IllegalStateException e) {
            throw ApiException.conflict("sandbox " + sandbox.displayId() + " was started before");
        } catch (SandboxException e) {
            throw (ApiException) Errors.map(e).with("sandbox", sandbox.displayId());
        } finally {
            StdioRelay relay = relays.get(sandbox.id());
            if (relay != null) {
                relay.started();
            }
        }
        if (request != null && request.terminalSize() != null && sandbox.process().stdio() != null) {
            sandbox.process().stdio().resize(request.terminalSize().rows(), request.terminalSize().columns());
        }
        if (request != null && request.discardOutput()) {
            StdioRelay discard = new StdioRelay(sandbox, true, relay -> relays.remove(sandbox.id(), relay));
            relays.put(sandbox.id(), discard);
            discard.started();
        }
    }

    private Future<Reply> list(String all) {
        boolean includeFinished;
        if (all == null || all.equals("false")) {
            includeFinished = false;
        } else if (all.equals("true")) {
            includeFinished = true;
        } else {
            throw ApiException.badRequest("query parameter \"all\" takes true or false, not '" + all + "'");
        }
        long now = System.currentTimeMillis();
        JsonArray sandboxes = new JsonArray();
        for (SandboxInfo info : manager().list(includeFinished)) {
            sandboxes.add(SandboxJson.info(info, now));
        }
        return Future.succeededFuture(Reply.json(200, new JsonObject().put("sandboxes", sandboxes)));
    }

    private Future<Reply> signal(Sandbox sandbox, JsonObject json) {
        StrictJson.onlyKnown(json, "", List.of("signal"));
        int signal = Signals.number("signal", StrictJson.required(json, "", "signal"));
        if (sandbox.state() != SandboxState.RUNNING) {
            throw ApiException.conflict("sandbox " + sandbox.displayId() + " is " + state(sandbox) + ", not running");
        }
        sandbox.process().signal(signal);
        return Future.succeededFuture(Reply.json(200, info(sandbox)));
    }

    private Future<Reply> kill(Sandbox sandbox) {
        if (sandbox.state().finished()) {
            throw ApiException.conflict("sandbox " + sandbox.displayId() + " has " + state(sandbox) + " already");
        }
        return blocking(() -> {
            sandbox.kill();
            // The answer shows the sandbox killed: its end is what the kill is for (bounded: a tree being torn down).
            try {
                sandbox.exit().get(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // The info below says how far it got.
            }
            return Reply.json(200, info(sandbox));
        });
    }

    private Future<Reply> waitFor(Sandbox sandbox, String timeoutText, Context context) {
        long timeout = -1;
        if (timeoutText != null) {
            try {
                timeout = Long.parseLong(timeoutText);
            } catch (NumberFormatException e) {
                timeout = -1;
            }
            if (timeout < 0) {
                throw ApiException.badRequest("query parameter \"timeout\" takes milliseconds (0 or more), not '"
                        + timeoutText + "'");
            }
        }
        Promise<Reply> reply = Promise.promise();
        long timer = timeout < 0 ? -1
                : vertx.setTimer(Math.max(1, timeout), id -> reply.tryComplete(Reply.json(200, info(sandbox))));
        sandbox.exit().whenComplete((status, failure) -> context.runOnContext(nothing -> {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            reply.tryComplete(Reply.json(200, info(sandbox)));
        }));
        return reply.future();
    }

    private Future<Reply> remove(String id) {
        Sandbox sandbox = sandbox(id);
        boolean removed;
        try {
            removed = manager().remove(sandbox.id());
        } catch (IllegalStateException e) {
            throw ApiException.conflict("sandbox " + id + " is " + state(sandbox) + ": kill it or wait for it first");
        }
        if (!removed) {
            throw ApiException.notFound("no sandbox " + id);
        }
        pendingStarts.remove(sandbox.id());
        StdioRelay relay = relays.remove(sandbox.id());
        if (relay != null) {
            relay.close();
        }
        return Future.succeededFuture(Reply.noContent());
    }

    private static String state(Sandbox sandbox) {
        return sandbox.state().name().toLowerCase(Locale.ROOT);
    }

    // ---- WebSockets

    private void webSocket(HttpServerRequest request, Endpoint endpoint, Map<String, String> parameters,
            Map<String, String> query) {
        if (!request.canUpgradeToWebSocket()) {
            throw ApiException.badRequest(endpoint.template + " is a WebSocket: send an upgrade request");
        }
        if (endpoint == Endpoint.TRACE) {
            trace(request, query);
            return;
        }
        Sandbox sandbox = sandbox(parameters.get("id"));
        CallFilter filter = endpoint == Endpoint.EVENTS
                ? CallFilter.parse(Set.of(), query.get("syscall"), query.get("verdict"), services.shims()) : null;
        if (endpoint == Endpoint.ATTACH) {
            if (sandbox.spec().stdio() == Stdio.INHERIT) {
                throw ApiException.conflict("sandbox " + sandbox.displayId() + " shares the daemon's stdio: there is "
                        + "nothing to attach to");
            }
            StdioRelay existing = relays.get(sandbox.id());
            SandboxRequest pending = pendingStarts.get(sandbox.id());
            if ((existing != null && existing.discardsOutput()) || (pending != null && pending.discardOutput())) {
                throw ApiException.conflict("sandbox " + sandbox.displayId() + " has stdio null: there is nothing to "
                        + "attach to");
            }
        }
        Context context = vertx.getOrCreateContext();
        request.toWebSocket().onComplete(upgraded -> {
            if (upgraded.failed()) {
                // The handshake failed; Vert.x has answered the client.
                return;
            }
            ServerWebSocket socket = upgraded.result();
            try {
                if (endpoint == Endpoint.ATTACH) {
                    attach(sandbox, socket, context);
                } else {
                    new EventStream(sandbox, services::bus, socket, filter).start();
                }
            } catch (RuntimeException e) {
                faults.fault("WebSocket " + endpoint.template + " of sandbox " + sandbox.displayId() + " failed", e);
                socket.close((short) 1011, CallFrames.reason("internal error: " + Errors.describe(e)));
            }
        });
    }

    /** {@code /v1/trace}: the filters are checked and a subscriber's slot is taken before the upgrade. */
    private void trace(HttpServerRequest request, Map<String, String> query) {
        Map<Long, Path> sandboxes = traced(query.get("sandbox"));
        CallFilter filter = CallFilter.parse(sandboxes.keySet(), query.get("syscall"), query.get("verdict"),
                services.shims());
        if (services.bus() == null) {
            throw ApiException.unavailable("the syscall bus is not running");
        }
        int max = settings.maxTraceSubscribers();
        if (traceSubscribers.incrementAndGet() > max) {
            traceSubscribers.decrementAndGet();
            throw ApiException.unavailable(max == 0
                    ? "the live trace is off (" + ControlServer.PID + ": trace.max.subscribers = 0)"
                    : "the live trace has its " + max + " subscribers already, the most " + ControlServer.PID
                            + " trace.max.subscribers allows; close one or raise it");
        }
        Runnable release = traceSubscribers::decrementAndGet;
        request.toWebSocket().onComplete(upgraded -> {
            if (upgraded.failed()) {
                release.run(); // The handshake failed; Vert.x has answered the client.
                return;
            }
            ServerWebSocket socket = upgraded.result();
            try {
                CallFrames frames = new CallFrames(socket, services::bus, filter);
                boolean everySandbox = sandboxes.isEmpty();
                new TraceStream(services, frames, everySandbox ? List.of(settings.journal()) : sandboxes.values(),
                        everySandbox, sandboxes.size() == 1 ? sandboxes.keySet().iterator().next() : null, release)
                        .start();
            } catch (RuntimeException e) {
                release.run();
                faults.fault("WebSocket " + Endpoint.TRACE.template + " failed", e);
                socket.close((short) 1011, CallFrames.reason("internal error: " + Errors.describe(e)));
            }
        });
    }

    /**
     * The sandboxes of query parameter {@code sandbox} (ids or unique prefixes, a comma list; null for every sandbox)
     * with the journal each writes.
     */
    private Map<Long, Path> traced(String list) {
        Map<Long, Path> sandboxes = new java.util.LinkedHashMap<>();
        if (list == null) {
            return sandboxes;
        }
        SandboxManager manager = manager();
        List<SandboxInfo> known = manager.list(true);
        for (String given : CallFilter.items("sandbox", list)) {
            String prefix = given.toLowerCase(Locale.ROOT);
            if (prefix.length() > 16 || !prefix.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw ApiException.badRequest("sandbox takes sandbox ids (16 hex digits) or unique prefixes, not '"
                        + given + "'").with("field", "sandbox");
            }
            List<SandboxInfo> matches = known.stream().filter(info -> info.displayId().startsWith(prefix)).toList();
            if (matches.isEmpty()) {
                throw ApiException.notFound("no sandbox " + given);
            }
            if (matches.size() > 1) {
                throw ApiException.badRequest("the sandbox prefix " + given + " is ambiguous: " + String.join(", ",
                        matches.stream().map(SandboxInfo::displayId).toList())).with("field", "sandbox");
            }
            long id = matches.getFirst().id();
            Sandbox sandbox = manager.find(id).orElseThrow(() -> ApiException.notFound("no sandbox " + given));
            if (sandbox.state().finished()) {
                throw ApiException.conflict("sandbox " + sandbox.displayId() + " has " + state(sandbox)
                        + ": its calls are in the journal (meridian journal --sandbox " + sandbox.displayId() + ")");
            }
            sandboxes.put(id, sandbox.spec().journalDirectory());
        }
        return sandboxes;
    }

    private void attach(Sandbox sandbox, ServerWebSocket socket, Context context) {
        StdioRelay relay = relays.computeIfAbsent(sandbox.id(),
                id -> new StdioRelay(sandbox, false, finished -> relays.remove(id, finished)));
        if (!relay.attach(socket, context)) {
            socket.close((short) 1008, "sandbox " + sandbox.displayId() + " already has a client attached");
            return;
        }
        if (sandbox.state() != SandboxState.CREATED) {
            relay.started();
            return;
        }
        // Started through this API, the start hands the streams over at once; this covers any other start.
        vertx.setPeriodic(STATE_POLL_MILLIS, timer -> {
            if (relay.isStarted() || socket.isClosed()) {
                vertx.cancelTimer(timer);
            } else if (sandbox.state() != SandboxState.CREATED) {
                vertx.cancelTimer(timer);
                relay.started();
            }
        });
    }

    // ---- bundles

    private BundleManager bundleManager() {
        BundleManager manager = services.bundles();
        if (manager == null) {
            throw ApiException.unavailable("bundle management needs the daemon's bundle manager, which is not running");
        }
        return manager;
    }

    private Future<Reply> listBundles() {
        BundleManager manager = bundleManager();
        return blocking(() -> {
            JsonArray bundles = new JsonArray();
            for (BundleInfo bundle : manager.list()) {
                bundles.add(SandboxJson.bundle(bundle));
            }
            return Reply.json(200, new JsonObject().put("bundles", bundles));
        });
    }

    private Future<Reply> deploy(String symbolicName, Buffer jar) {
        checkSymbolicName(symbolicName);
        BundleManager manager = bundleManager();
        if (jar.length() == 0) {
            throw ApiException.badRequest("PUT /v1/bundles/" + symbolicName + " needs the bundle jar as its body");
        }
        return blocking(() -> {
            String declared = symbolicNameOf(jar.getBytes());
            if (!declared.equals(symbolicName)) {
                throw ApiException.badRequest("the jar's Bundle-SymbolicName is '" + declared + "', not '"
                        + symbolicName + "' as the path says");
            }
            // Kept at a stable place per name: the bundle manager may install from the file it is given.
            Files.createDirectories(settings.uploads());
            Path incoming = Files.createTempFile(settings.uploads(), "." + symbolicName + "-", ".jar.incoming");
            Path file = settings.uploads().resolve(symbolicName + ".jar");
            try {
                Files.write(incoming, jar.getBytes());
                Files.move(incoming, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(incoming);
            }
            BundleManager.Deployed deployed = manager.deploy(file);
            return Reply.json(200, new JsonObject()
                    .put("bundle", SandboxJson.bundle(deployed.bundle()))
                    .put("action", deployed.action().name().toLowerCase(Locale.ROOT))
                    .put("swapMillis", deployed.swapNanos() / 1_000_000));
        });
    }

    private Future<Reply> undeploy(String symbolicName) {
        checkSymbolicName(symbolicName);
        BundleManager manager = bundleManager();
        return blocking(() -> {
            if (!manager.remove(symbolicName)) {
                throw ApiException.notFound("no deployed bundle " + symbolicName);
            }
            Files.deleteIfExists(settings.uploads().resolve(symbolicName + ".jar"));
            return Reply.noContent();
        });
    }

    private static void checkSymbolicName(String symbolicName) {
        if (!SYMBOLIC_NAME.matcher(symbolicName).matches()) {
            throw ApiException.badRequest("'" + symbolicName + "' is not a bundle symbolic name");
        }
    }

    /** The Bundle-SymbolicName the jar declares; 422 when it is no bundle. */
    static String symbolicNameOf(byte[] jar) {
        Manifest manifest;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            manifest = in.getManifest();
        } catch (IOException e) {
            throw ApiException.bundleRejected("the body is not a jar: " + Errors.describe(e));
        }
        String name = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        if (name == null || name.isBlank()) {
            throw ApiException.bundleRejected("the jar is no OSGi bundle: its manifest has no Bundle-SymbolicName");
        }
        return name.split(";", 2)[0].trim();
    }

    // ---- policies

    private PolicyEngine engine() {
        PolicyEngine engine = services.policies();
        if (engine == null) {
            throw ApiException.unavailable("the policy engine is not running");
        }
        return engine;
    }

    private Future<Reply> listPolicies() {
        PolicyEngine engine = engine();
        return blocking(() -> Reply.json(200, new JsonObject()
                .put("profiles", new JsonArray(engine.profiles()))
                .put("stored", new JsonArray(settings.policyStore().names()))));
    }

    private Future<Reply> getPolicy(String name) {
        PolicyStore.checkName(name);
        return blocking(() -> new Reply(200, "application/yaml",
                Buffer.buffer(settings.policyStore().read(name), "UTF-8")));
    }

    private Future<Reply> storePolicy(String name, Buffer body) {
        PolicyStore.checkName(name);
        PolicyEngine engine = engine();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body.getBytes())).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("the policy is not UTF-8 text");
        }
        if (text.isBlank()) {
            throw ApiException.badRequest("PUT /v1/policies/" + name + " needs the policy text as its body");
        }
        Map<String, String> variables = SandboxSpec.policyVariables(Path.of("/"), Map.of());
        return blocking(() -> {
            boolean replaced = settings.policyStore().store(name, text,
                    file -> engine.load(List.of(PolicySource.file(file)), variables));
            return Reply.json(replaced ? 200 : 201, new JsonObject().put("name", name)
                    .put("action", replaced ? "replaced" : "created"));
        });
    }

    // ---- plumbing

    private <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    private static void send(HttpServerRequest request, Reply reply) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(reply.status());
        if (reply.body() == null) {
            response.end();
        } else {
            response.putHeader("Content-Type", reply.contentType()).end(reply.body());
        }
    }

    private void fail(HttpServerRequest request, Throwable failure) {
        ApiException error = Errors.map(failure);
        if (error == null) {
            faults.fault(request.method() + " " + request.path() + " failed", failure);
            error = new ApiException(500, "internal_error", "internal error: " + Errors.describe(failure)
                    + " (the daemon's log has the details)");
        }
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        JsonObject body = new JsonObject().put("code", error.code()).put("message", error.getMessage());
        error.details().forEach(body::put);
        if (!request.isEnded()) {
            // The rest of the body is not read: the connection cannot carry another request.
            response.putHeader("Connection", "close");
            request.handler(ignored -> { });
            request.endHandler(nothing -> request.connection().close());
            vertx.setTimer(REFUSED_BODY_DRAIN_MILLIS, timer -> request.connection().close());
        }
        send(request, Reply.json(error.status(), new JsonObject().put("error", body)));
    }

    /** For the log: a sandbox id as users see it. */
    static String display(long id) {
        return SandboxIds.format(id);
    }
}
