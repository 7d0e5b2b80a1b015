package dev.meridian.platform.linux.internal;

import dev.meridian.api.GuestStdio;
import dev.meridian.api.SandboxException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The pseudo-terminal of a {@link dev.meridian.api.Stdio#TTY} guest. The supervisor holds the
 * master (close-on-exec, non-blocking); it never opens the slave itself, because a JVM that
 * leads a session without a terminal (a daemon under systemd) would take it as its own
 * controlling terminal: the exec helper opens the slave by path with O_NOCTTY and the guest makes
 * it its controlling terminal.
 *
 * <p>Reads and writes poll in short slices, each under the read side of a lock, so
 * {@link #release} (the write side) can close the master once the guest is gone without a read
 * running on a descriptor number the kernel may already have given to someone else. What the
 * guest wrote that nobody read yet is kept and served before end of file.
 */
final class GuestTerminal implements GuestStdio {

    /** The window size until someone sets one: what terminals default to, better than 0x0. */
    static final int DEFAULT_ROWS = 24;
    static final int DEFAULT_COLUMNS = 80;

    private static final int POLL_SLICE_MILLIS = 100;
    private static final int BUFFER_BYTES = 16 * 1024;
    /** More than a pty buffers (the kernel caps it at 64 KiB plus the line discipline's 4 KiB). */
    private static final int DRAIN_LIMIT_BYTES = 1 << 20;
    /** ^D: closing the input of a terminal is the end-of-file character, as when typed. */
    private static final byte END_OF_FILE = 4;

    private final int master;
    private final Path slave;
    private final Arena arena = Arena.ofShared();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final MasterInput output = new MasterInput();
    private final MasterOutput input = new MasterOutput();
    /** Set under the write lock by {@link #release}; read under the read lock. */
    private boolean closed;
    /** What the guest wrote and nobody read before the master was closed; set before {@link #closed}. */
    private volatile byte[] unread = new byte[0];

    private GuestTerminal(int master, Path slave) {
        this.master = master;
        this.slave = slave;
    }

    /**
     * Allocates a pseudo-terminal (posix_openpt, grantpt, unlockpt, ptsname_r) with the
     * default window size.
     *
     * @throws SandboxException naming the step the C library refused
     */
    static GuestTerminal open() throws SandboxException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = scratch.allocate(LinuxSyscalls.CALL_STATE);
            int master = LinuxSyscalls.posixOpenpt(state,
                    LinuxSyscalls.O_RDWR | LinuxSyscalls.O_NOCTTY | LinuxSyscalls.O_CLOEXEC);
            if (master < 0) {
                throw new SandboxException(LinuxSyscalls.describe("cannot allocate a pseudo-terminal (posix_openpt)",
                        LinuxSyscalls.errno(state)));
            }
            try {
                if (LinuxSyscalls.grantpt(state, master) != 0) {
                    throw new SandboxException(LinuxSyscalls.describe("cannot grant the pseudo-terminal (grantpt)",
                            LinuxSyscalls.errno(state)));
                }
                if (LinuxSyscalls.unlockpt(state, master) != 0) {
                    throw new SandboxException(LinuxSyscalls.describe("cannot unlock the pseudo-terminal (unlockpt)",
                            LinuxSyscalls.errno(state)));
                }
                MemorySegment name = scratch.allocate(256);
                int error = LinuxSyscalls.ptsnameR(state, master, name);
                if (error != 0) {
                    throw new SandboxException(LinuxSyscalls.describe("cannot name the pseudo-terminal (ptsname_r)",
                            error));
                }
                if (LinuxSyscalls.fcntl(state, master, LinuxSyscalls.F_SETFL, LinuxSyscalls.O_NONBLOCK) != 0) {
                    throw new SandboxException(LinuxSyscalls.describe("cannot make the pseudo-terminal non-blocking",
                            LinuxSyscalls.errno(state)));
                }
                GuestTerminal terminal = new GuestTerminal(master, Path.of(name.getString(0)));
                terminal.resize(DEFAULT_ROWS, DEFAULT_COLUMNS);
                return terminal;
            } catch (SandboxException | RuntimeException e) {
                LinuxSyscalls.close(master);
                throw e;
            }
        }
    }

    /** The slave side, e.g. {@code /dev/pts/4}: what the helper opens as the guest's 0, 1 and 2. */
    Path slave() {
        return slave;
    }

    @Override
    public OutputStream input() {
        return input;
    }

    @Override
    public InputStream output() {
        return output;
    }

    @Override
    public InputStream errors() {
        return null;
    }

    /**
     * Sets the window size; the kernel sends SIGWINCH to the terminal's foreground process
     * group. Ignored once the guest is gone.
     *
     * @throws IllegalArgumentException outside 1..65535
     */
    @Override
    public void resize(int rows, int columns) {
        if (rows < 1 || rows > 0xffff || columns < 1 || columns > 0xffff) {
            throw new IllegalArgumentException("a terminal has 1 to 65535 rows and columns, not " + rows + "x"
                    + columns);
        }
        lock.readLock().lock();
        try (Arena scratch = Arena.ofConfined()) {
            if (closed) {
                return;
            }
            MemorySegment size = scratch.allocate(LinuxSyscalls.WINSIZE);
            size.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
            size.set(ValueLayout.JAVA_SHORT, 2, (short) columns);
            MemorySegment state = scratch.allocate(LinuxSyscalls.CALL_STATE);
            if (LinuxSyscalls.ioctl(state, master, LinuxSyscalls.TIOCSWINSZ, size) != 0) {
                throw new IllegalStateException(LinuxSyscalls.describe("cannot set the terminal's window size",
                        LinuxSyscalls.errno(state)));
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Once every process holding the slave is gone: keeps what is still unread and closes the
     * master. Idempotent.
     */
    void release() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            unread = drain();
            closed = true;
            LinuxSyscalls.close(master);
            arena.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Reads until the kernel says the slave is closed (EIO), all buffered data having come first. */
    private byte[] drain() {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        MemorySegment state = arena.allocate(LinuxSyscalls.CALL_STATE);
        MemorySegment buffer = arena.allocate(BUFFER_BYTES);
        while (rest.size() < DRAIN_LIMIT_BYTES) {
            long count = LinuxSyscalls.read(state, master, buffer, BUFFER_BYTES);
            if (count > 0) {
                rest.write(buffer.asSlice(0, count).toArray(ValueLayout.JAVA_BYTE), 0, (int) count);
            } else if (count < 0 && LinuxSyscalls.errno(state) == LinuxSyscalls.EINTR) {
                continue;
            } else {
                break; // EIO once the slave is closed; EAGAIN if something still holds it
            }
        }
        return rest.toByteArray();
    }

    /** Polls the master for {@code events} for one slice: true when ready (or in error, which the next call reports). */
    private boolean await(MemorySegment pollFd, MemorySegment state, short events) {
        pollFd.set(ValueLayout.JAVA_INT, LinuxSyscalls.POLLFD_FD, master);
        pollFd.set(ValueLayout.JAVA_SHORT, LinuxSyscalls.POLLFD_EVENTS, events);
        pollFd.set(ValueLayout.JAVA_SHORT, LinuxSyscalls.POLLFD_REVENTS, (short) 0);
        return LinuxSyscalls.poll(state, pollFd, 1, POLL_SLICE_MILLIS) > 0;
    }

    /** The guest's output, as the terminal shows it. */
    private final class MasterInput extends InputStream {
        private final MemorySegment state = arena.allocate(LinuxSyscalls.CALL_STATE);
        private final MemorySegment pollFd = arena.allocate(LinuxSyscalls.POLLFD);
        private final MemorySegment buffer = arena.allocate(BUFFER_BYTES);
        private boolean endOfFile;
        private int unreadAt;

        @Override
        public synchronized int read() throws IOException {
            byte[] one = new byte[1];
            int count = read(one, 0, 1);
            return count < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (length == 0) {
                return 0;
            }
            for (;;) {
                lock.readLock().lock();
                try {
                    if (closed) {
                        break;
                    }
                    if (endOfFile) {
                        return -1;
                    }
                    if (!await(pollFd, state, LinuxSyscalls.POLLIN)) {
                        continue;
                    }
                    long count = LinuxSyscalls.read(state, master, buffer, Math.min(length, BUFFER_BYTES));
                    if (count > 0) {
                        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, offset, (int) count);
                        return (int) count;
                    }
                    int errno = count == 0 ? 0 : LinuxSyscalls.errno(state);
                    if (count == 0 || errno == LinuxSyscalls.EIO) {
                        endOfFile = true; // every process holding the slave closed it
                        return -1;
                    }
                    if (errno != LinuxSyscalls.EAGAIN && errno != LinuxSyscalls.EINTR) {
                        throw new IOException(LinuxSyscalls.describe("cannot read the guest's terminal", errno));
                    }
                } finally {
                    lock.readLock().unlock();
                }
            }
            byte[] rest = unread;
            if (endOfFile || unreadAt >= rest.length) {
                return -1;
            }
            int count = Math.min(length, rest.length - unreadAt);
            System.arraycopy(rest, unreadAt, bytes, offset, count);
            unreadAt += count;
            return count;
        }
    }

    /** The guest's input, as if typed. */
    private final class MasterOutput extends OutputStream {
        private final MemorySegment state = arena.allocate(LinuxSyscalls.CALL_STATE);
        private final MemorySegment pollFd = arena.allocate(LinuxSyscalls.POLLFD);
        private final MemorySegment buffer = arena.allocate(BUFFER_BYTES);
        private boolean inputClosed;

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (inputClosed) {
                throw new IOException("the guest's terminal input is closed");
            }
            writeAll(bytes, offset, length);
        }

        /** Sends the end-of-file character (^D), which ends input of a program reading lines. */
        @Override
        public synchronized void close() throws IOException {
            if (inputClosed) {
                return;
            }
            inputClosed = true;
            lock.readLock().lock();
            try {
                if (closed) {
                    return;
                }
            } finally {
                lock.readLock().unlock();
            }
            writeAll(new byte[] {END_OF_FILE}, 0, 1);
        }

        private void writeAll(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                lock.readLock().lock();
                try {
                    if (closed) {
                        throw new IOException("the guest has ended: its terminal is closed");
                    }
                    if (!await(pollFd, state, LinuxSyscalls.POLLOUT)) {
                        continue;
                    }
                    int chunk = Math.min(length, BUFFER_BYTES);
                    MemorySegment.copy(bytes, offset, buffer, ValueLayout.JAVA_BYTE, 0, chunk);
                    long written = LinuxSyscalls.write(state, master, buffer, chunk);
                    if (written > 0) {
                        offset += (int) written;
                        length -= (int) written;
                        continue;
                    }
                    int errno = LinuxSyscalls.errno(state);
                    if (errno == LinuxSyscalls.EIO) {
                        throw new IOException("the guest has ended: its terminal is closed");
                    }
                    if (errno != LinuxSyscalls.EAGAIN && errno != LinuxSyscalls.EINTR) {
                        throw new IOException(LinuxSyscalls.describe("cannot write to the guest's terminal", errno));
                    }
                } finally {
                    lock.readLock().unlock();
                }
            }
        }
    }
}
