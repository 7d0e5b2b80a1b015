package dev.meridian.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A client process whose stdout and stderr are collected as they come. */
final class RunningClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    final Process process;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final CompletableFuture<Void> drained;

    RunningClient(Process process) {
        this.process = process;
        // Threads of their own: the common pool has one worker on two cores, which Commands needs meanwhile.
        drained = CompletableFuture.allOf(drainer(process.getInputStream(), stdout),
                drainer(process.getErrorStream(), stderr));
    }

    private static CompletableFuture<Void> drainer(InputStream in, ByteArrayOutputStream into) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                drain(in, into);
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, "drain");
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    private static void drain(InputStream in, ByteArrayOutputStream into) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (into) {
                    into.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String out() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    String err() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    void awaitOutput(String expected) throws InterruptedException {
        await(this::out, expected, "stdout");
    }

    void awaitError(String expected) throws InterruptedException {
        await(this::err, expected, "stderr");
    }

    private void await(Supplier<String> text, String expected, String stream) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!text.get().contains(expected)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no '" + expected.strip() + "' on " + stream + ": " + describe());
            }
            Thread.sleep(20);
        }
    }

    void closeStdin() throws IOException {
        OutputStream stdin = process.getOutputStream();
        stdin.close();
    }

    int waitFor() throws InterruptedException {
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + describe());
        }
        drained.join();
        return process.exitValue();
    }

    String describe() {
        return "exit " + (process.isAlive() ? "(running)" : process.exitValue()) + "\n  stdout: " + out()
                + "\n  stderr: " + err();
    }
}
