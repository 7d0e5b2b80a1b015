package dev.meridian.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boots a real embedded Felix + SCR with generated bundles, as bin/meridian does. */
class LauncherTest {
    @TempDir
    Path temp;

    private Path home;
    private Path storage;
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

    @BeforeEach
    void createHome() throws IOException {
        home = TestBundles.homeWithDeclarativeServices(temp.resolve("home"));
        storage = temp.resolve("cache").resolve("felix-cache");
    }

    private int run(Duration cliTimeout, String... args) {
        // The log API must come from the system bundle, as in the distribution, for SCR to log through the launcher.
        List<Path> libraries = List.of(TestBundles.jarOf("org.osgi.service.log.LoggerFactory"));
        Console console = new Console(new PrintStream(errors, true, StandardCharsets.UTF_8), false);
        return new Launcher(new Launcher.Settings(home, libraries, storage, cliTimeout, console)).run(args);
    }

    private String errors() {
        return errors.toString(StandardCharsets.UTF_8);
    }

    @Test
    void returnsTheStatusOfTheCommandLineAndReusesTheBundleCache() throws IOException {
        TestBundles.writeCliBundle(home.resolve("bundles/cli.jar"), 7, false);

        assertEquals(9, run(Duration.ofSeconds(10), "a", "b"));
        Set<String> cachedBundles = cachedBundleDirectories();
        assertEquals(8, run(Duration.ofSeconds(10), "again"));
        assertEquals(cachedBundles, cachedBundleDirectories(), "the second run installed bundles again");
        assertEquals("", errors(), "a normal run prints nothing");
    }

    @Test
    void updatesAChangedJarAndUninstallsARemovedOne() throws IOException {
        Path cli = home.resolve("bundles/cli.jar");
        TestBundles.writeCliBundle(cli, 7, false);
        Path extra = home.resolve("bundles/extra.jar");
        TestBundles.writeBundle(extra, java.util.Map.of("Bundle-SymbolicName", "test.extra"), java.util.Map.of());
        assertEquals(7, run(Duration.ofSeconds(10)));

        TestBundles.writeCliBundle(cli, 40, false);
        // A rebuild within the same second must count as a change too.
        Files.setLastModifiedTime(cli, FileTime.fromMillis(Files.getLastModifiedTime(cli).toMillis() + 2000));
        Files.delete(extra);
        assertEquals(40, run(Duration.ofSeconds(10)));

        Properties installed = new Properties();
        try (Reader reader = Files.newBufferedReader(storage.resolve(BundleDirectory.STATE_FILE))) {
            installed.load(reader);
        }
        assertTrue(installed.containsKey(cli.toUri().toString()));
        assertFalse(installed.containsKey(extra.toUri().toString()), "the removed jar is still recorded");
        assertEquals("", errors());
    }

    @Test
    void aHomeMovedWithItsBundleCacheStillStarts() throws IOException {
        TestBundles.writeCliBundle(home.resolve("bundles/cli.jar"), 7, false);
        assertEquals(7, run(Duration.ofSeconds(10)));

        // The cache now records bundles at the old location, with the symbolic names and versions of the new ones.
        home = Files.move(home, temp.resolve("moved"));
        assertEquals(7, run(Duration.ofSeconds(10)));
        assertEquals("", errors());
    }

    @Test
    void namesTheBundleThatCannotResolveWhenNoCommandLineAppears() throws IOException {
        TestBundles.writeUnresolvableBundle(home.resolve("bundles/broken.jar"));

        assertEquals(Launcher.EXIT_LAUNCH_FAILED, run(Duration.ofMillis(300), "--help"));
        String errors = errors();
        assertTrue(errors.contains("meridian: bundle test.broken failed to start: "), errors);
        assertTrue(errors.contains("does.not.exist"), errors);
        assertTrue(errors.contains("no command line service"), errors);
        assertFalse(errors.contains("\tat "), "stack trace without MERIDIAN_DEBUG:\n" + errors);
    }

    @Test
    void reportsAFailedComponentActivationInOneLine() throws IOException {
        TestBundles.writeCliBundle(home.resolve("bundles/cli.jar"), 7, true);

        assertEquals(Launcher.EXIT_LAUNCH_FAILED, run(Duration.ofMillis(300)));
        String errors = errors();
        assertTrue(errors.contains("component test.cli (bundle test.cli) failed to activate: "
                + "java.lang.IllegalStateException: activation refused by the test"), errors);
        assertFalse(errors.contains("\tat "), "stack trace without MERIDIAN_DEBUG:\n" + errors);
    }

    @Test
    void namesTheMissingServiceOfAnUnsatisfiedComponent() throws IOException {
        TestBundles.writeCliBundleNeeding(home.resolve("bundles/cli.jar"), "java.lang.Runnable");

        assertEquals(Launcher.EXIT_LAUNCH_FAILED, run(Duration.ofMillis(300)));
        assertTrue(errors().contains("component test.cli (bundle test.cli) is missing reference 'needed' "
                + "(java.lang.Runnable)"), errors());
    }

    private Set<String> cachedBundleDirectories() throws IOException {
        try (Stream<Path> entries = Files.list(storage)) {
            return entries.map(path -> path.getFileName().toString()).filter(name -> name.startsWith("bundle"))
                    .collect(Collectors.toSet());
        }
    }
}
