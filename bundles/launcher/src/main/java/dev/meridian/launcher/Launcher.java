package dev.meridian.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.ToIntFunction;

import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.log.LoggerFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots the embedded framework with the bundles of a Meridian home, hands the command line to the CLI service and
 * stops the framework again.
 *
 * <p>The CLI is any service registered as {@code java.util.function.ToIntFunction} with the property
 * {@code meridian.cli=true}; it gets the arguments and returns the exit status. A java.* type, so the launcher on the
 * classpath and the CLI bundle share it without a common API.
 */
final class Launcher {
    /** Exit status when Meridian itself cannot run (as docker and podman use it), distinct from a guest's status. */
    static final int EXIT_LAUNCH_FAILED = 125;
    static final String CLI_FILTER =
            "(&(" + Constants.OBJECTCLASS + "=java.util.function.ToIntFunction)(meridian.cli=true))";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @param home        the Meridian home: bundles/ holds the bundles to run
     * @param libraries   the classpath jars whose packages the system bundle exports
     * @param storageBase the preferred bundle cache directory, see {@link FrameworkStorage}
     * @param cliTimeout  how long to wait for the CLI service once the bundles are started
     */
    record Settings(Path home, List<Path> libraries, Path storageBase, Duration cliTimeout, Console console) {
    }

    private final Settings settings;
    private final Console console;

    Launcher(Settings settings) {
        this.settings = settings;
        this.console = settings.console();
    }

    /** Runs one command; returns its exit status, or {@link #EXIT_LAUNCH_FAILED} with the reason on the console. */
    int run(String[] args) {
        try (FrameworkStorage storage = FrameworkStorage.acquire(settings.storageBase())) {
            Felix framework = new Felix(frameworkProperties(storage.directory(),
                    embeddedConfiguration(settings.home().resolve("etc"), console)));
            Thread stopOnSignal = new Thread(() -> stop(framework), "meridian-shutdown");
            Runtime.getRuntime().addShutdownHook(stopOnSignal);
            try {
                List<String> failed = new ArrayList<>();
                start(framework, storage.directory(), List.of(settings.home().resolve("bundles")), bundle -> 1, failed);
                ToIntFunction<String[]> cli = awaitCli(framework.getBundleContext(), failed);
                try {
                    return cli.applyAsInt(args);
                } catch (RuntimeException e) {
                    console.error("the command failed", e);
                    return EXIT_LAUNCH_FAILED;
                }
            } finally {
                long stopping = System.nanoTime();
                stop(framework);
                console.debug("framework stopped in " + millis(stopping, System.nanoTime()) + " ms");
                removeShutdownHook(stopOnSignal);
            }
        } catch (LaunchException e) {
            console.error(e.getMessage(), e.getCause());
        } catch (IOException | BundleException e) {
            console.error("cannot start the OSGi framework", e);
        }
        return EXIT_LAUNCH_FAILED;
    }

    /** The configuration files embedded runs honour, and the keys of each they read. */
    static final Map<String, String> EMBEDDED_KEYS = Map.of("dev.meridian.bus", "journal.");

    /**
     * What an embedded run (no Config Admin) takes from {@code etc/}: the keys of {@link #EMBEDDED_KEYS}, as
     * framework properties {@code PID.KEY} that the component reads where Config Admin sets nothing. A file that
     * cannot be read is reported and left out: the components' defaults apply.
     */
    static Map<String, String> embeddedConfiguration(Path etc, Console console) {
        Map<String, String> properties = new HashMap<>();
        EMBEDDED_KEYS.forEach((pid, prefix) -> {
            Path file = etc.resolve(pid + ".cfg");
            if (!Files.isRegularFile(file)) {
                return;
            }
            Properties configuration = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
                configuration.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                console.warn("cannot read " + file + "; its defaults apply", e);
                return;
            }
            configuration.stringPropertyNames().stream().filter(key -> key.startsWith(prefix))
                    .forEach(key -> properties.put(pid + "." + key, configuration.getProperty(key).strip()));
        });
        return properties;
    }

    /** @param extra further framework properties (the daemon's state, deploy and config directories) */
    Map<String, Object> frameworkProperties(Path storage, Map<String, String> extra) throws IOException {
        Map<String, Object> properties = new HashMap<>(extra);
        properties.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        properties.put(Constants.FRAMEWORK_BOOTDELEGATION, "sun.*,jdk.internal.*");
        properties.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SystemPackages.exports(settings.libraries(), storage));
        properties.put("meridian.home", settings.home().toString());
        properties.put("felix.log.logger", new FrameworkLog(console));
        properties.put("felix.log.level", FrameworkLog.levelFor(console));
        return properties;
    }

    /**
     * Initializes and starts the framework with the bundles of {@code bundleDirectories}, started in order of
     * {@code startLevel} (then jar order); on a framework stop they stop in the reverse order. Bundles that fail to
     * start are reported and named in {@code failed}.
     *
     * @return the bundles of the directories
     */
    List<Bundle> start(Felix framework, Path storage, List<Path> bundleDirectories, ToIntFunction<Bundle> startLevel,
            List<String> failed) throws BundleException, LaunchException {
        return start(framework, storage, bundleDirectories, startLevel, level -> { }, failed);
    }

    /** As above; {@code beforeLevel} is called before the first bundle of each start level above 1 is started. */
    List<Bundle> start(Felix framework, Path storage, List<Path> bundleDirectories, ToIntFunction<Bundle> startLevel,
            java.util.function.IntConsumer beforeLevel, List<String> failed) throws BundleException, LaunchException {
        long begin = System.nanoTime();
        framework.init();
        BundleContext system = framework.getBundleContext();
        // Before any bundle starts, so SCR reports through the console from its first message on.
        system.registerService(LoggerFactory.class, new ConsoleLoggerFactory(console), null);
        List<Bundle> bundles = BundleDirectory.synchronize(system, bundleDirectories, storage, console);
        long bundlesInstalled = System.nanoTime();
        framework.start();

        // Resolving all at once is faster than one by one as each starts.
        framework.adapt(FrameworkWiring.class).resolveBundles(bundles);
        List<Bundle> inOrder = new ArrayList<>(bundles);
        inOrder.sort(java.util.Comparator.comparingInt(startLevel));
        int previousLevel = 1;
        for (Bundle bundle : inOrder) {
            if ((bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0) {
                continue;
            }
            int level = startLevel.applyAsInt(bundle);
            if (level > previousLevel) {
                beforeLevel.accept(level);
                previousLevel = level;
            }
            BundleStartLevel bundleLevel = bundle.adapt(BundleStartLevel.class);
            if (bundleLevel.getStartLevel() != level) {
                bundleLevel.setStartLevel(level);
            }
            try {
                // Transient: the next run starts them itself, after it has brought the jars up to date.
                bundle.start(Bundle.START_TRANSIENT);
            } catch (BundleException e) {
                failed.add(bundle.getSymbolicName());
                console.error("bundle " + bundle.getSymbolicName() + " failed to start", e);
            }
        }
        console.debug("start-up: framework and bundle cache " + millis(begin, bundlesInstalled)
                + " ms, resolve and start " + millis(bundlesInstalled, System.nanoTime()) + " ms");
        return bundles;
    }

    static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }

    private ToIntFunction<String[]> awaitCli(BundleContext system, List<String> failedBundles) throws LaunchException {
        long begin = System.nanoTime();
        ServiceTracker<Object, Object> tracker;
        try {
            tracker = new ServiceTracker<>(system, system.createFilter(CLI_FILTER), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        // Left open while the command runs: closing it would release the service and deactivate the component.
        tracker.open(true);
        Object service;
        try {
            service = tracker.waitForService(settings.cliTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while waiting for the command line service");
        }
        if (service == null) {
            throw new LaunchException(whyNoCli(system, failedBundles));
        }
        @SuppressWarnings("unchecked") // the CLI contract: ToIntFunction<String[]>
        ToIntFunction<String[]> cli = (ToIntFunction<String[]>) service;
        console.debug("start-up: command line service " + millis(begin, System.nanoTime()) + " ms");
        return cli;
    }

    String whyNoCli(BundleContext system, List<String> failedBundles) {
        List<String> reasons = new ArrayList<>();
        if (!failedBundles.isEmpty()) {
            reasons.add("bundles that failed to start (reasons above): " + String.join(", ", failedBundles));
        }
        reasons.addAll(ComponentDiagnostics.problems(system));
        if (reasons.isEmpty()) {
            reasons.add("every bundle in " + settings.home().resolve("bundles")
                    + " started, and none registers the command line");
        }
        return "no command line service (" + CLI_FILTER + ") appeared within " + seconds(settings.cliTimeout())
                + ":\n  " + String.join("\n  ", reasons);
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** Stops the framework and waits a bounded time; also the shutdown hook, so bundles clean up on a signal. */
    private void stop(Felix framework) {
        stop(framework, STOP_TIMEOUT);
    }

    /** @return whether the framework stopped within {@code timeout} */
    boolean stop(Felix framework, Duration timeout) {
        try {
            if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                framework.stop();
            }
            if (framework.waitForStop(timeout.toMillis()).getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                console.error("the OSGi framework did not stop within " + timeout.toSeconds() + " s", null);
                return false;
            }
            return true;
        } catch (BundleException e) {
            console.error("cannot stop the OSGi framework", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run already.
        }
    }
}
