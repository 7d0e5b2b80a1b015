package dev.meridian.launcher;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.meridian.launcher.client.DaemonClient;
import org.apache.felix.framework.Felix;

/**
 * The entry point of bin/meridian: boots an embedded Apache Felix with Declarative Services and the bundles of
 * {@code $MERIDIAN_HOME/bundles}, runs the command line through the CLI bundle and exits with its status
 * (125 when Meridian itself cannot start).
 *
 * <p>System property {@code meridian.home}: the installation (set by bin/meridian). Environment:
 * {@code MERIDIAN_DEBUG=1} for stack traces, warnings and start-up timings; {@code XDG_CACHE_HOME} for the bundle
 * cache when the home is read-only.
 */
public final class Main {
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(10);

    private Main() {
    }

    public static void main(String[] args) {
        Map<String, String> environment = System.getenv();
        // Commands a running daemon serves go to it without booting the framework here.
        DaemonClient.Route route = DaemonClient.route(args, environment);
        if (!route.isEmbedded()) {
            System.exit(route.status());
        }
        args = route.embeddedArgs();
        String debug = environment.getOrDefault("MERIDIAN_DEBUG", "");
        Console console = new Console(System.err, !debug.isEmpty() && !debug.equals("0"));
        int status;
        try {
            Launcher.Settings settings = settings(System.getProperty("meridian.home"), environment, console);
            status = args.length > 0 && args[0].equals("daemon")
                    ? daemon(settings, List.of(args).subList(1, args.length), environment)
                    : new Launcher(settings).run(args);
        } catch (LaunchException e) {
            console.error(e.getMessage(), e.getCause());
            status = Launcher.EXIT_LAUNCH_FAILED;
        } catch (RuntimeException | Error e) {
            // Exit regardless: a bundle's non-daemon thread must not keep a failed run alive.
            console.error("internal error", e);
            status = Launcher.EXIT_LAUNCH_FAILED;
        }
        System.out.flush();
        System.exit(status);
    }

    /** {@code meridian daemon [OPTIONS]}: served by the launcher itself, it is no command of the CLI bundle. */
    private static int daemon(Launcher.Settings settings, List<String> arguments, Map<String, String> environment) {
        Console log = settings.console().asLog();
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.println(Daemon.USAGE);
            return 0;
        }
        Daemon.Options options;
        try {
            options = Daemon.parse(arguments, settings.home(), environment, Daemon.runningAsRoot());
        } catch (Daemon.UsageException e) {
            log.error(e.getMessage() + "\n" + Daemon.USAGE, null);
            return Daemon.EXIT_USAGE;
        }
        return new Daemon(new Launcher.Settings(settings.home(), settings.libraries(), settings.storageBase(),
                settings.cliTimeout(), log), options).run();
    }

    /**
     * @param homeProperty the system property meridian.home, which bin/meridian sets (not an environment variable:
     *                     that would reach every sandboxed program)
     */
    static Launcher.Settings settings(String homeProperty, Map<String, String> environment, Console console)
            throws LaunchException {
        if (homeProperty == null || homeProperty.isBlank()) {
            throw new LaunchException("the system property meridian.home is not set; start Meridian with bin/meridian");
        }
        Path home = Path.of(homeProperty).toAbsolutePath().normalize();
        if (!Files.isDirectory(home.resolve("bundles"))) {
            throw new LaunchException("the Meridian home " + home + " has no bundles directory");
        }
        return new Launcher.Settings(home, classpathLibraries(), FrameworkStorage.base(home, environment),
                CLI_TIMEOUT, console);
    }

    /** The jars on the classpath except the launcher's and the framework's own, whose packages are not for bundles. */
    private static List<Path> classpathLibraries() throws LaunchException {
        List<Path> own = List.of(jarOf(Main.class), jarOf(Felix.class));
        List<Path> libraries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath().normalize();
            if (entry.endsWith(".jar") && !own.contains(path)) {
                libraries.add(path);
            }
        }
        return libraries;
    }

    private static Path jarOf(Class<?> type) throws LaunchException {
        try {
            Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.toAbsolutePath().normalize();
        } catch (URISyntaxException | RuntimeException e) {
            throw new LaunchException("cannot locate the jar of " + type.getName(), e);
        }
    }
}
