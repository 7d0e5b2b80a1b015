package dev.meridian.platform.linux.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the host's process tree from /proc. */
final class ProcessTree {

    private ProcessTree() {
    }

    static long parentOf(long pid) throws IOException {
        return Long.parseLong(field(pid, "PPid:"));
    }

    /** Whether {@code pid} exists and is not a zombie (a dead task its parent has not reaped). */
    static boolean alive(long pid) throws IOException {
        try {
            return !field(pid, "State:").startsWith("Z");
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            // A task that dies while its status is read fails the read with ESRCH.
            if (Files.exists(Path.of("/proc/" + pid))) {
                throw e;
            }
            return false;
        }
    }

    /** Waits up to {@code seconds} for {@code pid} to die; whether it did. */
    static boolean awaitDeath(long pid, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (alive(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private static String field(long pid, String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.ISO_8859_1)) {
            if (line.startsWith(name)) {
                return line.substring(name.length()).strip();
            }
        }
        throw new IOException("no " + name + " in /proc/" + pid + "/status");
    }
}
