package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the assembled distribution, the C test sources and the journals of the tests live.
 *
 * <p>{@code meridian.home} (set by failsafe) names the assembled tree; without it the tree is looked
 * for at {@code target/meridian} under the module directory. Journals go to
 * {@code target/it-journals/journal-*}, one fresh directory per sandboxed run, and are kept there for
 * post-mortems of failed runs ({@code mvn clean} removes them).
 */
final class MeridianHome {

    private MeridianHome() {
    }

    /** The distribution module's directory ({@code basedir} under Maven, else the working directory). */
    static Path moduleDirectory() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    static Path home() {
        String configured = System.getProperty("meridian.home");
        return configured != null ? Path.of(configured).toAbsolutePath()
                : moduleDirectory().resolve("target/meridian");
    }

    /** {@code bin/meridian}, or a failure saying the distribution is not assembled (never a skip). */
    static Path launcher() {
        Path launcher = home().resolve("bin/meridian");
        if (!Files.isExecutable(launcher)) {
            throw new AssertionError("no executable " + launcher + ": assemble the distribution first"
                    + " (or set -Dmeridian.home to an assembled tree)");
        }
        return launcher;
    }

    static Path freshJournal() {
        try {
            Path root = Files.createDirectories(moduleDirectory().resolve("target/it-journals"));
            return Files.createTempDirectory(root, "journal-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a journal directory", e);
        }
    }

    /**
     * Compiles {@code src/test/c/NAME.c} natively with gcc into {@code outputDirectory/NAME}.
     * The binary serves both the native and the sandboxed half of a comparison.
     */
    static Path compileTestProgram(String name, Path outputDirectory) {
        Path source = testSource(name);
        Path binary = outputDirectory.resolve(name);
        Commands.Outcome compiled = Commands.runNative(
                List.of("gcc", "-O2", "-pthread", "-Wall", "-o", binary.toString(), source.toString()));
        assertEquals(0, compiled.exitCode(), () -> "native gcc failed for " + source + "\n" + compiled.describe());
        return binary;
    }

    static Path testSource(String name) {
        Path source = moduleDirectory().resolve("src/test/c").resolve(name + ".c");
        if (!Files.isRegularFile(source)) {
            throw new AssertionError("missing test source " + source);
        }
        return source;
    }
}
