package dev.meridian.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code STATE/daemon.lock}: one daemon per state directory. The lock ({@code fcntl}, released by the kernel when the
 * process dies however it dies) is held for the daemon's whole life; the file holds the holder's pid, so a second
 * daemon can name it.
 */
final class DaemonLock implements AutoCloseable {
    private final FileChannel channel;
    private final String holder;

    private DaemonLock(FileChannel channel, String holder) {
        this.channel = channel;
        this.holder = holder;
    }

    /**
     * Takes the lock, or reports who has it.
     *
     * @return a lock whose {@link #holder()} is null when this process now holds it, else the other daemon's pid
     *     (or "unknown" when it has not written it yet)
     */
    static DaemonLock acquire(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldInThisJvm) {
                lock = null;
            }
            if (lock == null) {
                String pid = readPid(channel);
                channel.close();
                return new DaemonLock(null, pid.isEmpty() ? "unknown" : pid);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
            channel.force(false);
            return new DaemonLock(channel, null);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static String readPid(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
    }

    /** The pid of the daemon that holds the lock, or null if this process holds it. */
    String holder() {
        return holder;
    }

    /** Releases the lock; the file stays (removing it would race with a daemon starting). */
    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
