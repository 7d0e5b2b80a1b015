package dev.meridian.launcher;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * {@code meridian daemon}: the long-running host. Boots the framework with the installation's bundles and the
 * daemon-only ones of {@code bundles/daemon/} (Config Admin, FileInstall for {@code etc/*.cfg}, the control API), holds
 * {@code STATE/daemon.lock} for its whole life, and serves until SIGTERM or SIGINT, then stops the framework
 * gracefully (the control API first, the sandboxes as configured, the journal last) and exits 0.
 *
 * <p>Framework properties it sets for the bundles: {@value #STATE_PROPERTY}, {@value #CONFIG_PROPERTY},
 * {@value #DEPLOY_PROPERTY} (absolute paths).
 */
final class Daemon {
    static final String STATE_PROPERTY = "meridian.state";
    static final String CONFIG_PROPERTY = "meridian.config";
    static final String DEPLOY_PROPERTY = "meridian.deploy";
    static final String LOCK_FILE = "daemon.lock";

    /** Another daemon holds the state directory. */
    static final int EXIT_LOCKED = 1;
    static final int EXIT_USAGE = 2;

    /**
     * Start levels: bundles start level by level and stop in the reverse order, so what others need at their stop
     * is still there. 1: the framework's own services (SCR, Config Admin, FileInstall) and the API; 2: the
     * services sandboxes run on (bus, platform, shim, policy engine); 3: what runs sandboxes (the supervisor, whose
     * stop waits for them or kills them, and the CLI) and what counts them (observability: its tap, shims and sandbox
     * manager are there when it starts, and its subscription closes before the bus stops); 4: the control API,
     * stopped first so no request arrives while the rest shuts down.
     */
    private static final int FRAMEWORK_LEVEL = 1;
    private static final int SERVICES_LEVEL = 2;
    private static final int SUPERVISOR_LEVEL = 3;
    private static final int DAEMON_LEVEL = 4;
    private static final Set<String> FRAMEWORK_MERIDIAN_BUNDLES = Set.of("dev.meridian.api");
    private static final Set<String> SUPERVISOR_BUNDLES = Set.of("dev.meridian.supervisor", "dev.meridian.cli",
            "dev.meridian.observability");
    /** Config Admin and FileInstall start with the framework's services: every other bundle starts configured. */
    private static final Set<String> CONFIGURATION_BUNDLES =
            Set.of("org.apache.felix.configadmin", "org.apache.felix.fileinstall");
    private static final Duration CONFIGURATION_WAIT = Duration.ofSeconds(3);

    /** The supervisor's default (dev.meridian.supervisor shutdown.timeout.seconds) when etc/ does not set one. */
    static final long DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 10;
    /** What the framework stop may take beyond the sandboxes' shutdown: the journal and the bundles' own stops. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(20);

    static final String USAGE = """
            usage: meridian daemon [--state DIR] [--config DIR] [--deploy DIR]
              --state DIR   the daemon's state: daemon.lock, control.sock, token, metrics-token, journal/,
                            its bundle cache
                            (default: $MERIDIAN_STATE, else $XDG_RUNTIME_DIR/meridian, or /run/meridian for root)
              --config DIR  Config Admin files PID.cfg, read at start and watched (default: $MERIDIAN_HOME/etc)
              --deploy DIR  bundles dropped here are installed, updated, removed (default: $MERIDIAN_HOME/deploy)
            Runs in the foreground until SIGTERM or SIGINT; see docs/daemon.md.""";

    /** Where the daemon keeps and reads things; all absolute. */
    record Options(Path state, Path config, Path deploy) {
    }

    /** A command line the daemon cannot run with; the message says why. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private final Launcher launcher;
    private final Launcher.Settings settings;
    private final Console console;
    private final Options options;

    Daemon(Launcher.Settings settings, Options options) {
        this.settings = settings;
        this.console = settings.console();
        this.launcher = new Launcher(settings);
        this.options = options;
    }

    /**
     * Parses the arguments after {@code daemon}.
     *
     * @param environment supplies MERIDIAN_STATE and XDG_RUNTIME_DIR
     * @param root whether the daemon runs as root (its default state is then /run/meridian)
     */
    static Options parse(List<String> arguments, Path home, Map<String, String> environment, boolean root)
            throws UsageException {
        Map<String, Path> given = new HashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            String name = argument;
            String value = null;
            int equals = argument.indexOf('=');
            if (argument.startsWith("--") && equals > 0) {
                name = argument.substring(0, equals);
                value = argument.substring(equals + 1);
            }
            if (!List.of("--state", "--config", "--deploy").contains(name)) {
                throw new UsageException("unknown option \"" + argument + "\" of meridian daemon");
            }
            if (value == null) {
                if (i + 1 >= arguments.size()) {
                    throw new UsageException(name + " needs a directory");
                }
                value = arguments.get(++i);
            }
            if (value.isBlank()) {
                throw new UsageException(name + " needs a directory");
            }
            if (given.put(name, Path.of(value).toAbsolutePath().normalize()) != null) {
                throw new UsageException(name + " is given twice");
            }
        }
        Path state = given.get("--state");
        if (state == null) {
            state = defaultState(environment, root);
        }
        return new Options(state, given.getOrDefault("--config", home.resolve("etc")),
                given.getOrDefault("--deploy", home.resolve("deploy")));
    }

    /** {@code $MERIDIAN_STATE}, else {@code /run/meridian} for root, else {@code $XDG_RUNTIME_DIR/meridian}. */
    static Path defaultState(Map<String, String> environment, boolean root) throws UsageException {
        String configured = environment.get("MERIDIAN_STATE");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        if (root) {
            return Path.of("/run/meridian");
        }
        String runtime = environment.get("XDG_RUNTIME_DIR");
        if (runtime == null || runtime.isBlank() || !Path.of(runtime).isAbsolute()) {
            throw new UsageException("no state directory: XDG_RUNTIME_DIR is not set; give --state DIR");
        }
        return Path.of(runtime, "meridian");
    }

    static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS)) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Serves until a signal; returns the exit status. */
    int run() {
        long begin = System.nanoTime();
        Path state;
        try {
            state = stateDirectory(options.state());
            createDirectory(options.deploy(), "deploy");
            requireDirectory(options.config(), "config");
        } catch (LaunchException e) {
            console.error(e.getMessage(), e.getCause());
            return Launcher.EXIT_LAUNCH_FAILED;
        }
        try (DaemonLock lock = DaemonLock.acquire(state.resolve(LOCK_FILE))) {
            if (lock.holder() != null) {
                console.error("another daemon (pid " + lock.holder() + ") holds " + state.resolve(LOCK_FILE)
                        + "; stop it or give another --state", null);
                return EXIT_LOCKED;
            }
            return serve(state, begin);
        } catch (IOException e) {
            console.error("cannot lock " + state.resolve(LOCK_FILE), e);
            return Launcher.EXIT_LAUNCH_FAILED;
        }
    }

    private int serve(Path state, long begin) {
        Duration stopTimeout = stopTimeout(options.config(), console);
        // Its own bundle cache: deploys to the daemon must not leak into embedded runs, nor theirs into it.
        try (FrameworkStorage storage = FrameworkStorage.acquire(state.resolve("felix-cache"))) {
            Felix framework = new Felix(launcher.frameworkProperties(storage.directory(), properties(state)));
            AtomicBoolean stopping = new AtomicBoolean();
            Thread stopOnExit = new Thread(() -> {
                if (stopping.compareAndSet(false, true)) {
                    launcher.stop(framework, stopTimeout);
                }
            }, "meridian-shutdown");
            Runtime.getRuntime().addShutdownHook(stopOnExit);
            // SIGTERM and SIGINT stop the framework from here rather than through the shutdown hook, so the
            // daemon exits 0 (a JVM ended by a signal's default action reports 128 + signal).
            SignalStop.install(signal -> requestStop(framework, stopping, signal, stopTimeout));
            try {
                List<String> failed = new ArrayList<>();
                Path bundles = settings.home().resolve("bundles");
                List<Bundle> started = launcher.start(framework, storage.directory(),
                        List.of(bundles, bundles.resolve("daemon")), this::startLevel,
                        level -> awaitConfiguration(framework.getBundleContext(), level), failed);
                if (!failed.isEmpty()) {
                    console.error("not serving: bundles failed to start (reasons above): " + String.join(", ", failed),
                            null);
                    return Launcher.EXIT_LAUNCH_FAILED;
                }
                console.info("daemon started: pid " + ProcessHandle.current().pid() + ", state " + state + ", config "
                        + options.config() + ", deploy " + options.deploy() + ", " + started.size() + " bundles, "
                        + Launcher.millis(begin, System.nanoTime()) + " ms");
                while (framework.waitForStop(0).getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                    // waitForStop(0) waits for ever; a spurious return just waits again.
                }
                return stopping.get() ? 0 : Launcher.EXIT_LAUNCH_FAILED;
            } finally {
                if (stopping.compareAndSet(false, true)) {
                    launcher.stop(framework, stopTimeout);
                }
                Launcher.removeShutdownHook(stopOnExit);
                console.info("daemon stopped");
            }
        } catch (LaunchException e) {
            console.error(e.getMessage(), e.getCause());
        } catch (IOException | BundleException e) {
            console.error("cannot start the OSGi framework", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Launcher.EXIT_LAUNCH_FAILED;
    }

    /** Stops the framework on a signal; a watchdog ends the process if the stop takes longer than allowed. */
    private void requestStop(Felix framework, AtomicBoolean stopping, String signal, Duration stopTimeout) {
        if (!stopping.compareAndSet(false, true)) {
            console.info("SIG" + signal + ": already stopping");
            return;
        }
        console.info("SIG" + signal + ": stopping (the control API first, then the sandboxes, then the journal)");
        Thread.ofPlatform().name("meridian-stop").daemon().start(() -> {
            if (!launcher.stop(framework, stopTimeout)) {
                console.error("giving up: the framework did not stop within " + stopTimeout.toSeconds() + " s", null);
                Runtime.getRuntime().halt(Launcher.EXIT_LAUNCH_FAILED);
            }
        });
    }

    private Map<String, String> properties(Path state) {
        Map<String, String> properties = new HashMap<>();
        properties.put(STATE_PROPERTY, state.toString());
        properties.put(CONFIG_PROPERTY, options.config().toString());
        properties.put(DEPLOY_PROPERTY, options.deploy().toString());
        properties.put("org.osgi.framework.startlevel.beginning", Integer.toString(DAEMON_LEVEL));
        // FileInstall reads etc/*.cfg into Config Admin and watches them; it installs no bundles (the deploy
        // directory is the BundleManager's) and never writes the files back (etc/ may be read-only).
        properties.put("felix.fileinstall.dir", options.config().toString());
        properties.put("felix.fileinstall.filter", ".*\\.cfg");
        properties.put("felix.fileinstall.poll", "1000");
        properties.put("felix.fileinstall.noInitialDelay", "true");
        properties.put("felix.fileinstall.enableConfigSave", "false");
        properties.put("felix.fileinstall.log.level", "1");
        return properties;
    }

    private int startLevel(Bundle bundle) {
        String name = bundle.getSymbolicName() == null ? "" : bundle.getSymbolicName();
        Path daemonBundles = settings.home().resolve("bundles").resolve("daemon");
        if (bundle.getLocation().startsWith(daemonBundles.toUri().toString())) {
            return CONFIGURATION_BUNDLES.contains(name) ? FRAMEWORK_LEVEL : DAEMON_LEVEL;
        }
        if (!name.startsWith("dev.meridian.") || FRAMEWORK_MERIDIAN_BUNDLES.contains(name)) {
            return FRAMEWORK_LEVEL;
        }
        return SUPERVISOR_BUNDLES.contains(name) ? SUPERVISOR_LEVEL : SERVICES_LEVEL;
    }

    /**
     * Before the core bundles start, waits (bounded) until FileInstall has put every {@code etc/*.cfg} into Config
     * Admin, so components activate with their configuration rather than being reconfigured a moment later.
     */
    private void awaitConfiguration(BundleContext system, int level) {
        if (level != SERVICES_LEVEL) {
            return;
        }
        int files = configurationFiles(options.config());
        long deadline = System.nanoTime() + CONFIGURATION_WAIT.toNanos();
        int loaded = 0;
        while (System.nanoTime() - deadline < 0) {
            loaded = loadedConfigurations(system);
            if (loaded >= files) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        console.warn("only " + Math.max(loaded, 0) + " of the " + files + " configuration files in "
                + options.config() + " were loaded within " + CONFIGURATION_WAIT.toSeconds()
                + " s; the rest apply when FileInstall reads them", null);
    }

    private static int configurationFiles(Path config) {
        int count = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config, "*.cfg")) {
            for (Path ignored : files) {
                count++;
            }
        } catch (IOException e) {
            return 0;
        }
        return count;
    }

    /** How many configurations FileInstall made, read reflectively: the cm API is no launcher class. */
    private static int loadedConfigurations(BundleContext system) {
        String api = "org.osgi.service.cm.ConfigurationAdmin";
        ServiceReference<?>[] references;
        try {
            references = system.getAllServiceReferences(api, null);
        } catch (InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
        if (references == null) {
            return -1;
        }
        Object admin = system.getService(references[0]);
        try {
            for (Class<?> type = admin.getClass(); type != null; type = type.getSuperclass()) {
                for (Class<?> candidate : type.getInterfaces()) {
                    if (candidate.getName().equals(api)) {
                        Method list = candidate.getMethod("listConfigurations", String.class);
                        Object[] found = (Object[]) list.invoke(admin, "(felix.fileinstall.filename=*)");
                        return found == null ? 0 : found.length;
                    }
                }
            }
            return -1;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        } finally {
            system.ungetService(references[0]);
        }
    }

    /**
     * How long the framework stop may take: the supervisor's configured shutdown timeout (sandboxes finishing or
     * being killed) plus a margin. Read from etc/ here, because the launcher must know it before Config Admin runs.
     */
    static Duration stopTimeout(Path config, Console console) {
        long seconds = DEFAULT_SHUTDOWN_TIMEOUT_SECONDS;
        Path file = config.resolve("dev.meridian.supervisor.cfg");
        if (Files.isRegularFile(file)) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
                properties.load(reader);
                String value = properties.getProperty("shutdown.timeout.seconds");
                if (value != null) {
                    seconds = Long.parseLong(value.strip());
                }
            } catch (IOException | NumberFormatException e) {
                console.warn("cannot read shutdown.timeout.seconds from " + file + "; allowing "
                        + DEFAULT_SHUTDOWN_TIMEOUT_SECONDS + " s", e);
            }
        }
        return Duration.ofSeconds(Math.max(0, seconds)).plus(STOP_MARGIN);
    }

    /** Creates the state directory 0700, or tightens an existing one to 0700: it will hold the API's token. */
    static Path stateDirectory(Path state) throws LaunchException {
        Set<PosixFilePermission> ownerOnly = EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
        try {
            if (!Files.isDirectory(state)) {
                Files.createDirectories(state, PosixFilePermissions.asFileAttribute(ownerOnly));
            }
            if (!Files.getPosixFilePermissions(state).equals(ownerOnly)) {
                Files.setPosixFilePermissions(state, ownerOnly);
            }
            return state.toRealPath();
        } catch (IOException e) {
            throw new LaunchException("cannot create the state directory " + state + " (mode 0700)", e);
        }
    }

    private static void createDirectory(Path directory, String what) throws LaunchException {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new LaunchException("cannot create the " + what + " directory " + directory, e);
        }
    }

    private static void requireDirectory(Path directory, String what) throws LaunchException {
        if (!Files.isDirectory(directory)) {
            throw new LaunchException("the " + what + " directory " + directory + " does not exist");
        }
    }
}
