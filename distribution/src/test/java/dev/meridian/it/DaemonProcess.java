package dev.meridian.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code bin/meridian daemon} of a test: its own state, config and deploy directories under a
 * temporary root, its stderr log and stdout (where guests started with inherited stdio write)
 * collected line by line.
 */
final class DaemonProcess implements AutoCloseable {

    final Path state;
    final Path config;
    final Path deploy;
    private final Process process;
    private final List<String> log = new ArrayList<>();
    private final List<String> output = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();

    private DaemonProcess(Path state, Path config, Path deploy, Process process) {
        this.state = state;
        this.config = config;
        this.deploy = deploy;
        this.process = process;
        readers.add(collect(process.getErrorStream(), log));
        readers.add(collect(process.getInputStream(), output));
    }

    /**
     * Starts a daemon on {@code root}/state with the distribution's etc/ files, each followed by
     * the lines {@code settings} gives for its PID (later keys win in a properties file).
     */
    static DaemonProcess start(Path root, Map<String, String> settings) {
        try {
            Path config = Files.createDirectories(root.resolve("etc"));
            try (DirectoryStream<Path> files = Files.newDirectoryStream(MeridianHome.home().resolve("etc"), "*.cfg")) {
                for (Path file : files) {
                    Files.copy(file, config.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            for (Map.Entry<String, String> setting : settings.entrySet()) {
                Path file = config.resolve(setting.getKey() + ".cfg");
                String existing = Files.exists(file) ? Files.readString(file) : "";
                Files.writeString(file, existing + "\n" + setting.getValue() + "\n");
            }
            Path deploy = Files.createDirectories(root.resolve("deploy"));
            Path state = root.resolve("state");
            return new DaemonProcess(state, config, deploy, launch(state, config, deploy));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Process launch(Path state, Path config, Path deploy) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(MeridianHome.launcher().toString(), "daemon", "--state",
                state.toString(), "--config", config.toString(), "--deploy", deploy.toString());
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        return builder.start();
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** Waits until the daemon logs that it serves. */
    DaemonProcess awaitStarted() {
        awaitLog(line -> line.contains("meridian: daemon started"), Duration.ofSeconds(60));
        return this;
    }

    /** The first log line {@code matching}, waiting up to {@code timeout}. */
    String awaitLog(Predicate<String> matching, Duration timeout) {
        return awaitLine(log, matching, timeout, "log");
    }

    String awaitOutput(Predicate<String> matching, Duration timeout) {
        return awaitLine(output, matching, timeout, "stdout");
    }

    /** Waits until {@code count} log lines match; returns them. */
    List<String> awaitLogLines(Predicate<String> matching, int count, Duration timeout) {
        awaitLine(log, line -> logLines(matching).size() >= count, timeout, "log (" + count + " matching lines)");
        return logLines(matching);
    }

    /** Log lines matching, so far. */
    List<String> logLines(Predicate<String> matching) {
        synchronized (log) {
            return log.stream().filter(matching).toList();
        }
    }

    String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    private String awaitLine(List<String> lines, Predicate<String> matching, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    if (matching.test(line)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && lines != output)) {
                    throw new AssertionError("the daemon's " + what + " has no such line after "
                            + timeout.toSeconds() + " s (daemon " + (process.isAlive() ? "running" : "exited "
                            + process.exitValue()) + "); log:\n" + log() + "\nstdout:\n" + String.join("\n", output));
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** SIGTERM, then the exit status (within {@code timeout}, else the daemon is killed and the test fails). */
    int terminate(Duration timeout) {
        // SIGTERM through the handle: Process.destroy() would also close our ends of its stdout and stderr.
        process.toHandle().destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the daemon did not stop within " + timeout.toSeconds()
                        + " s of SIGTERM; log:\n" + log());
            }
            for (Thread reader : readers) {
                reader.join(10_000); // the last lines of its log
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return process.exitValue();
    }

    /** Moves {@code jar} into the deploy directory as {@code name} in one step (no half-written jar). */
    void drop(byte[] jar, String name) {
        try {
            Path partial = deploy.resolve("." + name + ".partial");
            Files.write(partial, jar);
            Files.move(partial, deploy.resolve(name), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static Thread collect(InputStream stream, List<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // The daemon is gone.
            }
        }, "daemon-output");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }
}
