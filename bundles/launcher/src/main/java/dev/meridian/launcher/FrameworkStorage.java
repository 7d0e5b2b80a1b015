package dev.meridian.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The directory of the Felix bundle cache ({@code org.osgi.framework.storage}). It is kept between runs, because
 * installing the bundles again costs more than the rest of start-up: in {@code $MERIDIAN_HOME/var/felix-cache} when
 * the home is writable, else in {@code ${XDG_CACHE_HOME:-~/.cache}/meridian/felix-<hash of the home>}.
 *
 * <p>Only one framework may use a cache at a time, so concurrent runs take numbered siblings ({@code felix-cache.1},
 * {@code .2}, ...), each guarded by a lock file beside it that is held until this storage is closed. Every sibling
 * stays warm for later runs.
 */
final class FrameworkStorage implements AutoCloseable {
    /** More concurrent runs than this on one home means something is wrong, not that another cache is needed. */
    private static final int MAX_CONCURRENT_RUNS = 64;

    private final Path directory;
    private final FileChannel lock;

    private FrameworkStorage(Path directory, FileChannel lock) {
        this.directory = directory;
        this.lock = lock;
    }

    Path directory() {
        return directory;
    }

    /** The preferred cache directory for {@code home}; {@code environment} supplies XDG_CACHE_HOME and HOME. */
    static Path base(Path home, Map<String, String> environment) {
        Path inHome = home.resolve("var").resolve("felix-cache");
        try {
            Files.createDirectories(inHome);
            if (Files.isWritable(inHome) && Files.isWritable(inHome.getParent())) {
                return inHome;
            }
        } catch (IOException notWritable) {
            // Read-only installation: fall through to the user's cache directory.
        }
        return userCache(environment).resolve("meridian").resolve("felix-" + hash(home));
    }

    private static Path userCache(Map<String, String> environment) {
        String xdg = environment.get("XDG_CACHE_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) { // the XDG spec says to ignore relative paths
            return Path.of(xdg);
        }
        String userHome = environment.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(userHome, ".cache");
    }

    private static String hash(Path home) {
        CRC32C crc = new CRC32C();
        crc.update(home.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }

    /** Locks the first free cache directory of {@code base} and its numbered siblings. */
    static FrameworkStorage acquire(Path base) throws IOException, LaunchException {
        try {
            Files.createDirectories(base.getParent());
        } catch (IOException e) {
            throw new LaunchException("no writable directory for the bundle cache at " + base.getParent()
                    + " (set XDG_CACHE_HOME to one)", e);
        }
        for (int index = 0; index < MAX_CONCURRENT_RUNS; index++) {
            Path directory = index == 0 ? base : base.resolveSibling(base.getFileName() + "." + index);
            FileChannel channel = FileChannel.open(directory.resolveSibling(directory.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                if (channel.tryLock() != null) {
                    return new FrameworkStorage(directory, channel);
                }
            } catch (OverlappingFileLockException heldByThisProcess) {
                // Another framework in this JVM uses it: try the next one.
            }
            channel.close();
        }
        throw new LaunchException(MAX_CONCURRENT_RUNS + " Meridian runs already hold the bundle caches in "
                + base.getParent());
    }

    /** Releases the lock; the cache itself stays for the next run. */
    @Override
    public void close() throws IOException {
        lock.close();
    }
}
