package dev.meridian.supervisor.internal.deploy;

import dev.meridian.api.BundleRejectedException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.osgi.service.log.Logger;

/**
 * Polls the deploy directory: a new or changed {@code *.jar} is deployed once its size and modification time have
 * stood still for the settle time (so a jar still being copied is not installed half), a deleted one removed. Names
 * starting with a dot are ignored (that is how the API writes a jar into the directory without it being seen half
 * written). A jar whose content the manager already runs, e.g. one the API deployed and wrote here, is skipped.
 * Polling rather than inotify: it also sees directories on network file systems, and costs nothing noticeable at
 * four looks a second.
 */
final class DeployWatcher {

    /** What was last seen of one file. */
    private record Stamp(long size, long modified) {
    }

    private final DeployingBundleManager manager;
    private final Path directory;
    private final Logger log;
    private volatile long pollMillis;
    private volatile long settleNanos;
    private volatile boolean stopped;
    private Thread thread;

    /** The stamp of each jar when first seen in its current state, and when that was. */
    private final Map<String, Stamp> seen = new HashMap<>();
    private final Map<String, Long> seenSince = new HashMap<>();
    /** The stamp each jar had when it was last deployed (or rejected): not tried again until it changes. */
    private final Map<String, Stamp> handled = new HashMap<>();

    DeployWatcher(DeployingBundleManager manager, Path directory, long pollMillis, long settleMillis, Logger log) {
        this.manager = manager;
        this.directory = directory;
        this.log = log;
        timing(pollMillis, settleMillis);
    }

    void timing(long pollMillis, long settleMillis) {
        if (pollMillis <= 0 || settleMillis < 0) {
            throw new IllegalArgumentException("poll.millis must be positive and settle.millis not negative: "
                    + pollMillis + ", " + settleMillis);
        }
        this.pollMillis = pollMillis;
        this.settleNanos = settleMillis * 1_000_000;
    }

    void start() {
        thread = Thread.ofPlatform().name("meridian-deploy").daemon().start(this::loop);
    }

    void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void loop() {
        while (!stopped) {
            try {
                scan();
            } catch (IOException e) {
                log.error("cannot read the deploy directory {}: {}", directory, e.toString());
            } catch (RuntimeException e) {
                log.error("the deploy directory {} could not be processed", directory, e);
            }
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void scan() throws IOException {
        Set<String> present = new HashSet<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path jar : jars) {
                String name = jar.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(jar)) {
                    continue;
                }
                present.add(name);
                Stamp stamp;
                try {
                    BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
                    stamp = new Stamp(attributes.size(), attributes.lastModifiedTime().toMillis());
                } catch (NoSuchFileException gone) {
                    continue;
                }
                long now = System.nanoTime();
                if (!stamp.equals(seen.get(name))) {
                    seen.put(name, stamp);
                    seenSince.put(name, now);
                    continue;
                }
                if (now - seenSince.get(name) >= settleNanos && !stamp.equals(handled.get(name))) {
                    handled.put(name, stamp);
                    deploy(jar, name);
                }
            }
        }
        seen.keySet().retainAll(present);
        seenSince.keySet().retainAll(present);
        handled.keySet().retainAll(present);
        for (String name : manager.deployedFiles()) {
            if (!present.contains(name) && !Files.exists(directory.resolve(name)) && !stopped) {
                manager.fileRemoved(name);
            }
        }
    }

    private void deploy(Path jar, String name) {
        if (stopped) {
            return;
        }
        try {
            String sha256;
            try (InputStream in = Files.newInputStream(jar)) {
                sha256 = DeployingBundleManager.sha256(in);
            }
            if (manager.isDeployed(name, sha256)) {
                return;
            }
            manager.deploy(jar, name);
        } catch (BundleRejectedException e) {
            // Logged by the manager with its cause; the previous version, if any, still serves.
        } catch (NoSuchFileException gone) {
            // Deleted since the scan; the next scan sees it gone.
        } catch (IOException e) {
            log.error("cannot read {}: {}", jar, e.toString());
        }
    }
}
