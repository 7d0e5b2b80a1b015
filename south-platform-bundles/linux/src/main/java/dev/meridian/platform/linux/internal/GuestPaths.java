package dev.meridian.platform.linux.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Resolves a path argument as the guest's calling thread would, race-free: the supervisor opens
 * the object itself with openat2(2), relative to the guest's root ({@code /proc/<tid>/root}, with
 * {@code RESOLVE_IN_ROOT}) for absolute paths, or to the guest's cwd or dirfd
 * ({@code /proc/<tid>/cwd}, {@code /proc/<tid>/fd/<n>}) for relative ones, never following magic
 * links. What it then decides on is the canonical path of the object it holds open, not the
 * string the guest passed: a symlink, {@code ..}, a dirfd or a rewritten buffer all end up at
 * the object that would be opened. Preallocated per supervisor thread; nothing allocates.
 *
 * <p>Use: {@link #prepare} once per call, then {@link #lookup} (and {@link #canonical}) as often
 * as needed, then {@link #release}. Every returned fd is O_PATH and the caller's to close.
 *
 * <p>Two things are the guest's own view and need care:
 * <ul>
 *   <li>{@code /proc/self} read by the supervisor is the supervisor: a leading
 *       {@code /proc/self}, {@code /proc/thread-self}, {@code /proc/net} or {@code /proc/mounts}
 *       is rewritten to the calling task's {@code /proc/<tgid>}; any other way to
 *       reach a process's /proc directory is checked after resolution, and a process outside the
 *       guest's pid namespace is refused (EACCES).</li>
 *   <li>Relative paths are resolved below the cwd or dirfd without {@code RESOLVE_IN_ROOT}, so
 *       {@code ..} and absolute symlinks in them follow the supervisor's root. Exact while the
 *       guest shares the host's root; with another root, an object outside the guest's root is
 *       refused (EACCES) rather than misjudged.</li>
 * </ul>
 */
final class GuestPaths {

    static final int PATH_MAX = 4096;

    private static final byte[] PROC = "/proc/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROC_DIRECTORY = "/proc".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ROOT = "/root".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CWD = "/cwd".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FD = "/fd/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TASK = "/task/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXE = "/exe".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NS_PID = "/ns/pid".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SELF_FD = "/proc/self/fd/".getBytes(StandardCharsets.US_ASCII);
    static final byte[] DOT = {'.'};
    private static final byte[] DELETED = " (deleted)".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROC_SELF = "/proc/self".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NS_TGID_FIELD = "\nNStgid:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NS_PID_FIELD = "\nNSpid:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROC_THREAD_SELF = "/proc/thread-self".getBytes(StandardCharsets.US_ASCII);
    /** Links in /proc to {@code self/...}: rewritten with the rest of the path kept. */
    private static final byte[][] PROC_SELF_LINKS = {
        "/proc/net".getBytes(StandardCharsets.US_ASCII),
        "/proc/mounts".getBytes(StandardCharsets.US_ASCII),
    };

    private final MemorySegment callState;
    private final ProcessMemory memory;
    private final NativeString procPath;
    private final NativeString path;
    private final MemorySegment how;
    private final MemorySegment link;
    private final MemorySegment root;
    private final MemorySegment guestNamespace;
    private final MemorySegment otherNamespace;
    private final MemorySegment statfs;
    private final ProcStatus status;
    private int tid;
    private int tgid;
    /** The caller's ids in its own pid namespace: what {@code /proc/self} means inside the guest's procfs. */
    private int namespaceTid;
    private int namespaceTgid;
    private int baseFd = -1;
    private boolean inRoot;
    private long rootLength;

    GuestPaths(Arena arena, MemorySegment callState, ProcessMemory memory) {
        this.callState = callState;
        this.memory = memory;
        this.procPath = new NativeString(arena, PATH_MAX + 64);
        this.path = new NativeString(arena, PATH_MAX + 64);
        this.how = arena.allocate(LinuxSyscalls.OPEN_HOW);
        this.link = arena.allocate(PATH_MAX + 1);
        this.root = arena.allocate(PATH_MAX + 1);
        this.guestNamespace = arena.allocate(64);
        this.otherNamespace = arena.allocate(64);
        this.statfs = arena.allocate(LinuxSyscalls.STATFS_SIZE);
        this.status = new ProcStatus(arena, callState, 4096);
    }

    /**
     * Opens the directory a path of the call made by thread {@code tid} starts from, and checks the
     * call is still pending afterwards (so {@code tid} was not a reused id).
     *
     * @param dirfd the call's directory fd, or AT_FDCWD
     * @param fromRoot whether the path is absolute and starts at the guest's root; false: at dirfd
     * @return 0, or -errno: EBADF for a dirfd the guest does not have, ESRCH if the call is gone
     */
    int prepare(int tid, int tgid, int dirfd, boolean fromRoot) {
        release();
        this.tid = tid;
        this.tgid = tgid;
        this.inRoot = fromRoot;
        this.namespaceTgid = 0;
        procTask(tid);
        if (fromRoot) {
            procPath.append(ROOT);
        } else if (dirfd == LinuxSyscalls.AT_FDCWD) {
            procPath.append(CWD);
        } else if (dirfd < 0) {
            return -LinuxSyscalls.EBADF;
        } else {
            procPath.append(FD).append(dirfd);
        }
        baseFd = LinuxSyscalls.open(callState, procPath.segment(), LinuxSyscalls.O_PATH | LinuxSyscalls.O_CLOEXEC);
        if (baseFd < 0) {
            int errno = LinuxSyscalls.errno(callState);
            return memory.stillPending() ? -(fromRoot || dirfd == LinuxSyscalls.AT_FDCWD ? errno : LinuxSyscalls.EBADF)
                    : -LinuxSyscalls.ESRCH;
        }
        procTask(tid).append(ROOT);
        rootLength = LinuxSyscalls.readlink(callState, procPath.segment(), root, root.byteSize());
        if (rootLength <= 0 || rootLength >= root.byteSize() || !memory.stillPending()) {
            return -LinuxSyscalls.ESRCH;
        }
        return 0;
    }

    /**
     * Opens (O_PATH) the object that {@code length} bytes of {@code data} at {@code offset} name,
     * from where {@link #prepare} started.
     *
     * @param openFlags added to O_PATH: O_NOFOLLOW and O_DIRECTORY are meaningful
     * @param guestResolve the guest's own openat2 RESOLVE_ flags
     * @return the fd, or -errno as the guest's call would have failed
     */
    int lookup(byte[] data, int offset, int length, int openFlags, long guestResolve) {
        path.clear();
        if (length > PATH_MAX) {
            return -LinuxSyscalls.ENAMETOOLONG;
        }
        if (inRoot) {
            appendRewritingProcSelf(data, offset, length);
        } else {
            path.append(data, offset, length);
        }
        return openPath(baseFd, openFlags, guestResolve | (inRoot ? LinuxSyscalls.RESOLVE_IN_ROOT : 0));
    }

    /**
     * Opens (O_PATH|O_DIRECTORY) the directory that holds the last component of a path: the
     * path's bytes {@code data[offset, nameStart)}, where {@code nameStart} is from {@link #nameStart}.
     *
     * @return the fd, or -errno as the guest's call would have failed
     */
    int lookupParent(byte[] data, int offset, int nameStart, long guestResolve) {
        if (nameStart == offset) {
            return lookup(DOT, 0, 1, LinuxSyscalls.O_DIRECTORY, guestResolve);
        }
        int upToSlash = nameStart - 1 - offset;
        return lookup(data, offset, upToSlash == 0 ? 1 : upToSlash, LinuxSyscalls.O_DIRECTORY, guestResolve);
    }

    /**
     * Opens (O_PATH) the entry {@code name} ({@code length} bytes of {@code data} at {@code offset},
     * one component without a slash) of {@code directory}, an fd from {@link #lookupParent}.
     *
     * @param openFlags added to O_PATH: O_NOFOLLOW is meaningful
     * @return the fd, or -errno
     */
    int lookupIn(int directory, byte[] data, int offset, int length, int openFlags) {
        path.clear().append(data, offset, length);
        return openPath(directory, openFlags, 0);
    }

    private int openPath(int from, int openFlags, long resolve) {
        how.set(JAVA_LONG, LinuxSyscalls.HOW_FLAGS,
                Integer.toUnsignedLong(openFlags | LinuxSyscalls.O_PATH | LinuxSyscalls.O_CLOEXEC));
        how.set(JAVA_LONG, LinuxSyscalls.HOW_MODE, 0L);
        how.set(JAVA_LONG, LinuxSyscalls.HOW_RESOLVE, resolve | LinuxSyscalls.RESOLVE_NO_MAGICLINKS);
        int fd = LinuxSyscalls.openat2(callState, from, path.segment(), how);
        return fd >= 0 ? fd : -LinuxSyscalls.errno(callState);
    }

    /**
     * Where the last component of the path {@code data[offset, end)} starts: after its last slash,
     * or at {@code offset}.
     */
    static int nameStart(byte[] data, int offset, int end) {
        int start = end;
        while (start > offset && data[start - 1] != '/') {
            start--;
        }
        return start;
    }

    /**
     * Writes the canonical path in the guest's view of entry {@code name} ({@code length} bytes of
     * {@code data} at {@code offset}) of {@code directory} into {@code out}: the directory's
     * canonical path, a slash, the name. The entry itself need not exist.
     *
     * @return its length, or -errno as {@link #canonical}, or ENAMETOOLONG
     */
    int canonicalEntry(int directory, byte[] data, int offset, int length, byte[] out) {
        int parentLength = canonical(directory, out);
        if (parentLength < 0) {
            return parentLength;
        }
        int separator = parentLength == 1 ? 0 : 1;
        if (parentLength + separator + length > PATH_MAX) {
            return -LinuxSyscalls.ENAMETOOLONG;
        }
        if (separator == 1) {
            out[parentLength] = '/';
        }
        System.arraycopy(data, offset, out, parentLength + separator, length);
        return parentLength + separator + length;
    }

    /**
     * Opens (O_PATH) the program the task {@link #prepare}d for runs ({@code /proc/<tid>/exe}).
     *
     * @return the fd, or -errno
     */
    int executable() {
        procTask(tid).append(EXE);
        int fd = LinuxSyscalls.open(callState, procPath.segment(), LinuxSyscalls.O_PATH | LinuxSyscalls.O_CLOEXEC);
        if (fd < 0) {
            return -LinuxSyscalls.errno(callState);
        }
        if (!memory.stillPending()) {
            LinuxSyscalls.close(fd); // tid may name another task by now
            return -LinuxSyscalls.ESRCH;
        }
        return fd;
    }

    /**
     * The directory or file {@link #prepare} opened (O_PATH), or -1: for a dirfd, what the guest's
     * fd refers to ({@code execveat(fd, "", AT_EMPTY_PATH)} runs that).
     */
    int base() {
        return baseFd;
    }

    /**
     * Writes the canonical path in the guest's view of the object {@code fd} refers to into
     * {@code out} (from 0).
     *
     * @return its length, or -errno: ENOENT for an object unlinked meanwhile, EACCES for one
     *     outside the guest's root or in the /proc directory of a process outside its pid namespace
     */
    int canonical(int fd, byte[] out) {
        procPath.clear().append(SELF_FD).append(fd);
        long length = LinuxSyscalls.readlink(callState, procPath.segment(), link, link.byteSize());
        if (length < 0) {
            return -LinuxSyscalls.errno(callState);
        }
        if (length >= link.byteSize()) {
            return -LinuxSyscalls.ENAMETOOLONG;
        }
        if (length == 0 || link.get(JAVA_BYTE, 0) != '/') {
            return -LinuxSyscalls.EACCES;
        }
        if (endsWith(link, length, DELETED)) {
            // Unlinked after we reached it (or named like that): the open comes after the unlink.
            return -LinuxSyscalls.ENOENT;
        }
        long start = 0;
        if (rootLength > 1) {
            if (length < rootLength || MemorySegment.mismatch(link, 0, rootLength, root, 0, rootLength) != -1
                    || (length > rootLength && link.get(JAVA_BYTE, rootLength) != '/')) {
                return -LinuxSyscalls.EACCES;
            }
            start = rootLength;
        }
        if (LinuxSyscalls.fstatfs(callState, fd, statfs) < 0) {
            return -LinuxSyscalls.errno(callState);
        }
        if (statfs.get(JAVA_LONG, LinuxSyscalls.STATFS_TYPE) == LinuxSyscalls.PROC_SUPER_MAGIC
                && !inGuestPidNamespace(start, length)) {
            return -LinuxSyscalls.EACCES;
        }
        if (length == start) {
            out[0] = '/';
            return 1;
        }
        int size = (int) (length - start);
        MemorySegment.copy(link, JAVA_BYTE, start, out, 0, size);
        return size;
    }

    /**
     * Hands the caller the fd {@link #base} returns, which {@link #release} then leaves open: the
     * caller closes it.
     */
    int takeBase() {
        int fd = baseFd;
        baseFd = -1;
        return fd;
    }

    /** Closes what {@link #prepare} opened. */
    void release() {
        if (baseFd >= 0) {
            LinuxSyscalls.close(baseFd);
            baseFd = -1;
        }
    }

    /**
     * For an object on procfs at {@code link[start, length)}: true unless it lies in the directory
     * of a process (or thread) whose pid namespace is not the calling task's.
     */
    private boolean inGuestPidNamespace(long start, long length) {
        long digits = start + PROC.length;
        if (length - start == PROC.length - 1 && matches(link, start, PROC, PROC.length - 1)) {
            return true; // /proc itself
        }
        if (length < digits || !matches(link, start, PROC, PROC.length)) {
            return false; // procfs mounted somewhere odd: refuse rather than guess
        }
        long end = digits;
        while (end < length && link.get(JAVA_BYTE, end) >= '0' && link.get(JAVA_BYTE, end) <= '9') {
            end++;
        }
        if (end == digits || (end < length && link.get(JAVA_BYTE, end) != '/')) {
            return true; // not a process directory: /proc/cpuinfo, /proc/sys/...
        }
        // Through the guest's root: the process directory as the guest's own procfs shows it.
        procTask(tid).append(ROOT).append(link, start, end - start).append(NS_PID);
        long other = LinuxSyscalls.readlink(callState, procPath.segment(), otherNamespace, otherNamespace.byteSize());
        procTask(tid).append(NS_PID);
        long own = LinuxSyscalls.readlink(callState, procPath.segment(), guestNamespace, guestNamespace.byteSize());
        return other > 0 && other == own && MemorySegment.mismatch(otherNamespace, 0, other, guestNamespace, 0, own) == -1;
    }

    private NativeString procTask(int task) {
        return procPath.clear().append(PROC).append(task);
    }

    /**
     * Learns the caller's ids in its own pid namespace, once per call and only for paths that
     * need them (reading /proc costs system calls).
     */
    private void learnNamespaceIds() {
        if (namespaceTgid != 0) {
            return;
        }
        boolean read = status.read(tid);
        int innerTgid = read ? status.lastNumber(NS_TGID_FIELD) : -1;
        int innerTid = read ? status.lastNumber(NS_PID_FIELD) : -1;
        namespaceTgid = innerTgid > 0 ? innerTgid : tgid;
        namespaceTid = innerTid > 0 ? innerTid : tid;
    }

    private void appendRewritingProcSelf(byte[] data, int offset, int length) {
        if (startsWithComponent(data, offset, length, PROC_DIRECTORY)) {
            learnNamespaceIds();
        }
        if (startsWithComponent(data, offset, length, PROC_THREAD_SELF)) {
            path.append(PROC, 0, PROC.length).append(namespaceTgid).append(TASK).append(namespaceTid);
            path.append(data, offset + PROC_THREAD_SELF.length, length - PROC_THREAD_SELF.length);
        } else if (startsWithComponent(data, offset, length, PROC_SELF)) {
            path.append(PROC, 0, PROC.length).append(namespaceTgid);
            path.append(data, offset + PROC_SELF.length, length - PROC_SELF.length);
        } else {
            for (byte[] selfLink : PROC_SELF_LINKS) {
                if (startsWithComponent(data, offset, length, selfLink)) {
                    path.append(PROC, 0, PROC.length).append(namespaceTgid);
                    path.append(data, offset + PROC.length - 1, length - PROC.length + 1);
                    return;
                }
            }
            path.append(data, offset, length);
        }
    }

    /** Whether the path starts with {@code prefix} followed by a slash or its end. */
    private static boolean startsWithComponent(byte[] data, int offset, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[offset + i] != prefix[i]) {
                return false;
            }
        }
        return length == prefix.length || data[offset + prefix.length] == '/';
    }

    private static boolean endsWith(MemorySegment text, long length, byte[] suffix) {
        return length >= suffix.length && matches(text, length - suffix.length, suffix, suffix.length);
    }

    /** Whether {@code text} holds the first {@code count} bytes of {@code bytes} at {@code at}. */
    private static boolean matches(MemorySegment text, long at, byte[] bytes, int count) {
        for (int i = 0; i < count; i++) {
            if (text.get(JAVA_BYTE, at + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }
}
