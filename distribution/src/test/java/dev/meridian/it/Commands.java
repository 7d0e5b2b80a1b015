package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands natively and under {@code bin/meridian}, with a timeout, capturing stdout,
 * stderr and the exit status. Native and sandboxed runs get the same environment (inherited,
 * plus a fixed locale and time zone) so their outputs are comparable byte for byte.
 */
final class Commands {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);

    /** Same for both halves of a comparison: output must not depend on the tester's locale. */
    private static final Map<String, String> FIXED_ENVIRONMENT = Map.of("LC_ALL", "C", "TZ", "UTC");

    private Commands() {
    }

    /** What one command did. The exit status is the shell's: 128 + n for death by signal n. */
    record Outcome(List<String> command, int exitCode, byte[] stdout, byte[] stderr, Duration elapsed) {

        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String err() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        /** Everything a failure message needs to be investigated without rerunning. */
        String describe() {
            return "command " + command + "\n  exit " + exitCode + " after " + elapsed.toMillis() + " ms"
                    + "\n  stdout (" + stdout.length + " bytes): " + excerpt(out())
                    + "\n  stderr (" + stderr.length + " bytes): " + excerpt(err());
        }
    }

    /** A run under meridian and the journal directory it wrote. */
    record Sandboxed(Outcome outcome, Path journal) {
    }

    static Outcome runNative(List<String> command) {
        return run(null, command, new byte[0], DEFAULT_TIMEOUT);
    }

    static Outcome runNative(List<String> command, byte[] stdin, Duration timeout) {
        return run(null, command, stdin, timeout);
    }

    /** Runs COMMAND (native, or a meridian command line built by the caller) in WORKING_DIRECTORY. */
    static Outcome runIn(Path workingDirectory, List<String> command, Duration timeout) {
        return run(workingDirectory, command, new byte[0], timeout);
    }

    /** Runs {@code bin/meridian ARGS} as given (for the CLI's own behaviour: help, errors, journal). */
    static Outcome meridian(List<String> arguments) {
        return meridian(arguments, new byte[0], DEFAULT_TIMEOUT);
    }

    static Outcome meridian(List<String> arguments, byte[] stdin, Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add(MeridianHome.launcher().toString());
        command.addAll(arguments);
        return run(null, command, stdin, timeout);
    }

    /** {@code meridian run --journal FRESH_DIR --profile trace -- PROGRAM...}. */
    static Sandboxed sandboxed(List<String> program) {
        return sandboxed(List.of(), program, new byte[0], DEFAULT_TIMEOUT);
    }

    /**
     * {@code meridian run --journal FRESH_DIR OPTIONS -- PROGRAM...} with the given stdin, under
     * {@code --profile trace} unless OPTIONS name a profile or policy.
     */
    static Sandboxed sandboxed(List<String> runOptions, List<String> program, byte[] stdin, Duration timeout) {
        return sandboxedInto(MeridianHome.freshJournal(), runOptions, program, stdin, timeout);
    }

    /** As {@link #sandboxed(List, List, byte[], Duration)}, into a journal directory the caller chose. */
    static Sandboxed sandboxedInto(Path journal, List<String> runOptions, List<String> program, byte[] stdin,
            Duration timeout) {
        List<String> arguments = new ArrayList<>(List.of("run", "--journal", journal.toString()));
        if (!runOptions.contains("--profile") && !runOptions.contains("--policy")) {
            // These tests read what the journal saw of every call: that is the trace profile.
            arguments.addAll(List.of("--profile", "trace"));
        }
        arguments.addAll(runOptions);
        arguments.add("--");
        arguments.addAll(program);
        return new Sandboxed(meridian(arguments, stdin, timeout), journal);
    }

    /**
     * Runs PROGRAM natively, then under meridian with the same stdin, and asserts both gave the same
     * exit status and byte-identical stdout and stderr (without --trace meridian adds nothing to the
     * guest's streams). Returns the native outcome for further checks.
     */
    static Outcome assertSameAsNative(List<String> program, byte[] stdin, Duration timeout) {
        return assertSameAsNative(List.of(), program, stdin, timeout);
    }

    /** As {@link #assertSameAsNative(List, byte[], Duration)}, under the given run options (e.g. a profile). */
    static Outcome assertSameAsNative(List<String> runOptions, List<String> program, byte[] stdin, Duration timeout) {
        Outcome natively = runNative(program, stdin, timeout);
        Outcome sandboxed = sandboxed(runOptions, program, stdin, timeout).outcome();
        String both = "\nnative: " + natively.describe() + "\nunder meridian: " + sandboxed.describe();
        assertEquals(natively.exitCode(), sandboxed.exitCode(), () -> "exit status differs" + both);
        assertArrayEquals(natively.stdout(), sandboxed.stdout(), () -> "stdout differs" + both);
        assertArrayEquals(natively.stderr(), sandboxed.stderr(), () -> "stderr differs" + both);
        return natively;
    }

    static Outcome assertSameAsNative(List<String> program) {
        return assertSameAsNative(program, new byte[0], DEFAULT_TIMEOUT);
    }

    /** A null working directory is the test JVM's. */
    private static Outcome run(Path workingDirectory, List<String> command, byte[] stdin, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        builder.environment().putAll(FIXED_ENVIRONMENT);
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> feed(process.getOutputStream(), stdin));
        CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + command
                        + "\n  stdout so far: " + excerpt(partial(stdout)) + "\n  stderr so far: "
                        + excerpt(partial(stderr)));
            }
            feeding.get(10, TimeUnit.SECONDS);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            return new Outcome(List.copyOf(command), process.exitValue(), stdout.get(10, TimeUnit.SECONDS),
                    stderr.get(10, TimeUnit.SECONDS), elapsed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("interrupted while running " + command, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("cannot collect the output of " + command
                    + " (a descendant may still hold its stdout/stderr open)", e);
        }
    }

    /** The program may exit without reading all its input; a broken pipe then is not an error. */
    private static void feed(OutputStream stdin, byte[] bytes) {
        try (stdin) {
            stdin.write(bytes);
        } catch (IOException brokenPipe) {
            // The reader went away early; what it read is what the test compares.
        }
    }

    private static byte[] drain(InputStream stream) {
        try (stream) {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String partial(CompletableFuture<byte[]> output) {
        byte[] bytes = output.getNow(null);
        return bytes == null ? "(still open)" : new String(bytes, StandardCharsets.UTF_8);
    }

    static String excerpt(String text) {
        String shown = text.length() <= 4000 ? text : text.substring(0, 2000) + "\n…[" + (text.length() - 4000)
                + " chars left out]…\n" + text.substring(text.length() - 2000);
        return shown.isEmpty() ? "(empty)" : "\n" + shown.indent(4);
    }

    /** The lines of a text; its final newline ends the last line rather than starting an empty one. */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }

    static Path writeFile(Path path, String content) {
        try {
            Files.createDirectories(path.getParent());
            return Files.writeString(path, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
