package dev.meridian.control.internal;

import dev.meridian.api.BundleManager;
import dev.meridian.api.MetricsExporter;
import dev.meridian.api.NorthShim;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.SandboxManager;
import dev.meridian.api.SouthPlatform;
import dev.meridian.api.SyscallBus;
import dev.meridian.api.TrafficCounters;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The daemon's control API server (docs/control-api.md): HTTP and WebSocket on the Unix socket {@code STATE/control.sock}
 * (mode 0600) and, when configured, on 127.0.0.1 with a bearer token. Every service it serves from is optional and
 * dynamic, so replacing the policy engine, the bus or the supervisor bundle never takes the API down: requests that
 * need a missing service get a 503 naming it.
 */
@Component(service = {}, configurationPid = ControlServer.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
public final class ControlServer implements Services {

    static final String PID = "dev.meridian.control";
    /** The framework property the launcher sets in daemon mode: the daemon's state directory. */
    static final String STATE_PROPERTY = "meridian.state";

    /** Configuration {@code dev.meridian.control}. */
    public @interface Config {
        /** The Unix socket; empty for STATE/control.sock; relative to STATE. */
        String socket() default "";

        /** TCP port on 127.0.0.1; 0 for none. */
        int tcp_port() default 0;

        /** The bearer token file; empty for STATE/token; relative to STATE. Created (mode 0600) when absent. */
        String token_file() default "";

        /**
         * The metrics token file, a bearer token that reads {@code GET /metrics} and nothing else (for
         * Prometheus); empty for STATE/metrics-token; relative to STATE. Created (mode 0600) when absent.
         */
        String metrics_token_file() default "";

        long max_body_bytes() default 1L << 20;

        long max_bundle_bytes() default 64L << 20;

        /** How many live trace streams ({@code GET /v1/trace}) may be open at once; 0 turns the live trace off. */
        int trace_max_subscribers() default 16;
    }

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    /** sun_path holds 108 bytes with the terminating NUL. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;
    private static final long START_TIMEOUT_SECONDS = 30;
    /** Each trace subscriber has a thread and a journal follower per journal: a bound against a typo. */
    private static final int MAX_TRACE_SUBSCRIBERS = 1024;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SandboxManager sandboxes;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SyscallBus bus;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PolicyEngine policies;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BundleManager bundles;

    /** Bound from the start, so the (delayed) metrics and counters count from the daemon's start on. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MetricsExporter metrics;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TrafficCounters traffic;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private final List<SouthPlatform> platforms = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private final List<NorthShim> shims = new CopyOnWriteArrayList<>();

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL)
    private Logger logger;

    private Vertx vertx;
    private ControlApi api;
    private final List<HttpServer> servers = new ArrayList<>();
    private Path socket;
    private Object socketKey;

    @Activate
    void activate(BundleContext context, Config config) throws Exception {
        String stateProperty = context.getProperty(STATE_PROPERTY);
        if (stateProperty == null || stateProperty.isBlank()) {
            throw failure("the control API needs the daemon's state directory (framework property " + STATE_PROPERTY
                    + "); it runs under 'meridian daemon' only", null);
        }
        Path state = Path.of(stateProperty).toAbsolutePath();
        // Relative paths are the state directory's.
        socket = state.resolve(config.socket().isBlank() ? "control.sock" : config.socket()).normalize();
        Path tokenFile = state.resolve(config.token_file().isBlank() ? "token" : config.token_file()).normalize();
        Path metricsTokenFile = state.resolve(config.metrics_token_file().isBlank() ? "metrics-token"
                : config.metrics_token_file()).normalize();
        if (config.tcp_port() < 0 || config.tcp_port() > 65535) {
            throw failure(PID + ": tcp.port takes 0 (off) to 65535, not " + config.tcp_port(), null);
        }
        if (config.max_body_bytes() < 1 || config.max_bundle_bytes() < 1
                || config.max_body_bytes() > Integer.MAX_VALUE || config.max_bundle_bytes() > Integer.MAX_VALUE) {
            throw failure(PID + ": max.body.bytes and max.bundle.bytes take 1 to " + Integer.MAX_VALUE, null);
        }
        if (config.trace_max_subscribers() < 0 || config.trace_max_subscribers() > MAX_TRACE_SUBSCRIBERS) {
            throw failure(PID + ": trace.max.subscribers takes 0 (off) to " + MAX_TRACE_SUBSCRIBERS + ", not "
                    + config.trace_max_subscribers(), null);
        }
        String token;
        try {
            token = token(tokenFile);
        } catch (IOException e) {
            throw failure("cannot set up the bearer token " + tokenFile + ": " + Errors.describe(e), e);
        }
        String metricsToken;
        try {
            metricsToken = token(metricsTokenFile);
        } catch (IOException e) {
            throw failure("cannot set up the metrics token " + metricsTokenFile + ": " + Errors.describe(e), e);
        }
        if (metricsToken.equals(token)) {
            throw failure(PID + ": the metrics token (" + metricsTokenFile + ") is the API's bearer token ("
                    + tokenFile + "); it must be a token of its own, or it would control the whole daemon", null);
        }
        ControlApi.Settings settings = new ControlApi.Settings(state.resolve("journal"),
                new PolicyStore(state.resolve("policies")), state.resolve("uploads"), token, metricsToken,
                config.max_body_bytes(), config.max_bundle_bytes(), config.trace_max_subscribers());

        // Vert.x finds its own SPI implementations through the context class loader: this bundle's.
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(ControlServer.class.getClassLoader());
        try {
            vertx = Vertx.vertx(new VertxOptions()
                    .setEventLoopPoolSize(2)
                    .setPreferNativeTransport(false)
                    .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)
                            .setClassPathResolvingEnabled(false)));
            api = new ControlApi(vertx, this, settings, this::fault);
            listenOnSocket();
            if (config.tcp_port() != 0) {
                HttpServer tcp = server(true);
                await(tcp.listen(config.tcp_port(), "127.0.0.1"), "listen on 127.0.0.1:" + config.tcp_port());
                servers.add(tcp);
            }
        } catch (Exception e) {
            deactivate();
            throw e instanceof IllegalStateException ? e : failure("the control API did not start: "
                    + Errors.describe(e), e);
        } finally {
            current.setContextClassLoader(previous);
        }
        info("control API on " + socket + (config.tcp_port() != 0 ? " and 127.0.0.1:" + config.tcp_port() : ""));
    }

    @Deactivate
    void deactivate() {
        if (api != null) {
            api.close();
        }
        for (HttpServer server : servers) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Closing anyway with Vert.x below.
            }
        }
        servers.clear();
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                fault("Vert.x did not close cleanly", e);
            }
            vertx = null;
        }
        removeOwnSocket();
    }

    private HttpServer server(boolean tcp) {
        // HTTP/1.1 only: the API's replies (Connection: close, WebSocket upgrades) are HTTP/1.1 semantics, and a
        // client that upgraded to h2c got a GOAWAY instead of its answer.
        HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                .setHttp2ClearTextEnabled(false)
                .setCompressionSupported(false)
                .setMaxWebSocketMessageSize(1 << 20));
        server.requestHandler(request -> api.handle(request, tcp));
        server.invalidRequestHandler(api::invalid);
        return server;
    }

    /**
     * Binds the Unix socket: a stale socket file (nothing answers) is removed, a live one is left alone and refused;
     * the socket is bound in a fresh owner-only directory, made 0600 and only then moved into place, so no one can
     * connect in between.
     */
    private void listenOnSocket() throws Exception {
        Path directory = socket.getParent();
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes attributes = Files.readAttributes(socket, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isOther()) {
                throw failure(socket + " exists and is no socket; remove it or configure another "
                        + PID + " socket", null);
            }
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                throw failure("another server answers on " + socket + "; is a daemon running on this state directory?",
                        null);
            } catch (ConnectException stale) {
                Files.deleteIfExists(socket);
            }
        }
        String staging = ".control-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt());
        Path stagingDirectory = directory.resolve(staging);
        Path staged = stagingDirectory.resolve("s");
        HttpServer server = server(false);
        if (staged.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH_BYTES) {
            Files.createDirectory(stagingDirectory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            try {
                await(server.listen(SocketAddress.domainSocketAddress(staged.toString())), "listen on " + socket);
                Files.setPosixFilePermissions(staged, OWNER_ONLY_FILE);
                Files.move(staged, socket, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(staged);
                Files.deleteIfExists(stagingDirectory);
            }
        } else {
            // The staging path would not fit sun_path: bind in place; the state directory (0700) keeps others out.
            if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
                throw failure("the socket path " + socket + " is longer than the " + MAX_SOCKET_PATH_BYTES
                        + " bytes a Unix socket address holds", null);
            }
            await(server.listen(SocketAddress.domainSocketAddress(socket.toString())), "listen on " + socket);
            Files.setPosixFilePermissions(socket, OWNER_ONLY_FILE);
        }
        servers.add(server);
        socketKey = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    private void removeOwnSocket() {
        if (socket == null || socketKey == null) {
            return;
        }
        try {
            if (socketKey.equals(Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey())) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            // Gone already.
        }
        socketKey = null;
    }

    /** The token in {@code file}, generated (32 random bytes, hex, mode 0600) when the file is absent. */
    static String token(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(file.getParent());
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
                Files.writeString(file, HexFormat.of().formatHex(random) + "\n", StandardCharsets.US_ASCII,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } catch (FileAlreadyExistsException raced) {
                // Someone else made it just now: use theirs.
            }
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        for (PosixFilePermission permission : mode) {
            if (permission.name().startsWith("GROUP") || permission.name().startsWith("OTHERS")) {
                throw new IOException("its mode is " + PosixFilePermissions.toString(mode)
                        + ": others could read it and drive the daemon; chmod 600 it");
            }
        }
        String token = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (token.length() < 16 || !token.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IOException("it must hold one token of at least 16 printable characters");
        }
        return token;
    }

    private static void await(io.vertx.core.Future<?> future, String what) throws Exception {
        try {
            future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("cannot " + what + ": " + Errors.describe(e.getCause()), e.getCause());
        }
    }

    private IllegalStateException failure(String message, Throwable cause) {
        if (logger != null) {
            logger.error(message);
        }
        return new IllegalStateException(message, cause);
    }

    private void info(String message) {
        if (logger != null) {
            logger.info(message);
        }
    }

    private void fault(String message, Throwable failure) {
        if (logger != null) {
            logger.error(message, failure);
        } else {
            System.err.println("meridian control: " + message + ": " + failure);
        }
    }

    @Override
    public SandboxManager sandboxes() {
        return sandboxes;
    }

    @Override
    public SyscallBus bus() {
        return bus;
    }

    @Override
    public PolicyEngine policies() {
        return policies;
    }

    @Override
    public BundleManager bundles() {
        return bundles;
    }

    @Override
    public List<SouthPlatform> platforms() {
        return List.copyOf(platforms);
    }

    @Override
    public List<NorthShim> shims() {
        return List.copyOf(shims);
    }

    @Override
    public MetricsExporter metrics() {
        return metrics;
    }

    @Override
    public TrafficCounters traffic() {
        return traffic;
    }

}
