package dev.meridian.platform.linux.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.meridian.api.FileAccess;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Performs an open-family call (open, openat, openat2, creat) that the policy gave
 * {@link VerdictAction#EMULATE}: resolves what it would open from the path the shim captured
 * (never reading guest memory again, so a guest rewriting its buffer changes nothing), asks the
 * policy about the canonical path and the access the flags need, and if allowed opens the object
 * itself and injects the fd into the guest with {@code SECCOMP_IOCTL_NOTIF_ADDFD} +
 * {@code SECCOMP_ADDFD_FLAG_SEND}, which is also the answer. A call that would fail natively gets
 * the same errno. Nothing is ever answered with CONTINUE.
 *
 * <p>The object decided on is the object opened: an existing one is reached once (O_PATH) and
 * then reopened through {@code /proc/self/fd/N}; a new one is created with
 * {@code openat(parent, name, O_NOFOLLOW)} in the parent directory that was decided on.
 *
 * <p>Known differences from the native call, all failing closed: O_CREAT through a dangling
 * symlink gives ELOOP (natively it creates the target); opening a magic link
 * ({@code /proc/<pid>/fd/N}, {@code /proc/self/exe}) gives ELOOP; O_PATH is served as O_RDONLY
 * (ADDFD cannot pass O_PATH files), so it needs read permission and O_PATH|O_NOFOLLOW of a
 * symlink gives ELOOP; an openat2 {@code open_how}
 * larger than the 24 bytes of version 0 gives E2BIG; FIFOs are opened non-blocking (then
 * switched back), so an O_WRONLY open of a FIFO without a reader gives ENXIO instead of waiting,
 * which would stall the whole sandbox's supervisor.
 */
final class OpenEmulator {

    private static final int READ = FileAccess.READ.bit();
    private static final int WRITE = FileAccess.WRITE.bit();
    private static final int CREATE = FileAccess.CREATE.bit();
    private static final int O_TMPFILE = LinuxSyscalls.O_TMPFILE_BIT | LinuxSyscalls.O_DIRECTORY;
    private static final int OPEN_HOW_SIZE = (int) LinuxSyscalls.OPEN_HOW.byteSize();
    private static final long KNOWN_RESOLVE_FLAGS = LinuxSyscalls.RESOLVE_NO_XDEV
            | LinuxSyscalls.RESOLVE_NO_MAGICLINKS | LinuxSyscalls.RESOLVE_NO_SYMLINKS | LinuxSyscalls.RESOLVE_BENEATH
            | LinuxSyscalls.RESOLVE_IN_ROOT | LinuxSyscalls.RESOLVE_CACHED;

    private final int listenerFd;
    private final MemorySegment callState;
    private final GuestPaths paths;
    private final GuestCredentials credentials;
    private final MemorySegment addfd;
    private final NativeString name;
    private final MemorySegment linkProbe;
    private final byte[] canonical = new byte[GuestPaths.PATH_MAX + 1];
    /** Whether this thread's umask is 0, so the guest's umask alone shapes a created file's mode. */
    private final boolean ownUmask;

    // The call being served, decoded.
    private int dirfd;
    private int pathArg;
    private int flags;
    private int mode;
    private long resolve;

    /** Must be made on the supervisor thread: it gives that thread its own umask (of 0). */
    OpenEmulator(Arena arena, MemorySegment callState, int listenerFd, GuestPaths paths, GuestCredentials credentials) {
        this.listenerFd = listenerFd;
        this.callState = callState;
        this.paths = paths;
        this.credentials = credentials;
        this.addfd = arena.allocate(LinuxSyscalls.SECCOMP_NOTIF_ADDFD);
        this.name = new NativeString(arena, GuestPaths.PATH_MAX + 64);
        this.linkProbe = arena.allocate(8);
        // CLONE_FS unshared, umask is this thread's alone; otherwise the JVM's umask also applies.
        this.ownUmask = LinuxSyscalls.unshare(callState, LinuxSyscalls.CLONE_FS) == 0;
        if (ownUmask) {
            LinuxSyscalls.umask(0);
        }
    }

    static boolean handles(int number) {
        return number == LinuxSyscalls.SYS_OPEN || number == LinuxSyscalls.SYS_OPENAT
                || number == LinuxSyscalls.SYS_OPENAT2 || number == LinuxSyscalls.SYS_CREAT;
    }

    /**
     * Serves {@code call} (an EMULATE verdict on a call {@link #handles} names) of thread
     * {@code tid}. Leaves the final verdict on the call: EMULATE with the result, or the policy's
     * denial.
     *
     * @return true when the guest was answered here (the fd was injected) or is gone; false when
     *     the caller must still answer the verdict
     */
    boolean emulate(SyscallEvent call, SyscallGateway gateway, int tid, int tgid) {
        int problem = decode(call);
        if (problem != 0) {
            return EmulatedCalls.result(call, -problem);
        }
        if (!credentials.sameAsSupervisor(tid)) {
            call.verdict(VerdictAction.DENY, LinuxSyscalls.EPERM, call.ruleId(), true);
            return false;
        }
        int offset = call.captureOffset(pathArg);
        int length = call.captureLength(pathArg);
        byte[] data = call.captureData();
        boolean guestRooted = (resolve & (LinuxSyscalls.RESOLVE_BENEATH | LinuxSyscalls.RESOLVE_IN_ROOT)) != 0;
        int prepared = paths.prepare(tid, tgid, dirfd, length > 0 && data[offset] == '/' && !guestRooted);
        try {
            return prepared < 0 ? EmulatedCalls.result(call, prepared) : open(call, gateway, data, offset, length);
        } finally {
            paths.release();
        }
    }

    /** Decodes the call into the fields; 0, or the errno the kernel would give for bad arguments. */
    private int decode(SyscallEvent call) {
        resolve = 0;
        switch (call.number()) {
            case LinuxSyscalls.SYS_OPEN -> set(LinuxSyscalls.AT_FDCWD, 0, (int) call.arg(1), (int) call.arg(2));
            case LinuxSyscalls.SYS_CREAT -> set(LinuxSyscalls.AT_FDCWD, 0,
                    LinuxSyscalls.O_CREAT | LinuxSyscalls.O_WRONLY | LinuxSyscalls.O_TRUNC, (int) call.arg(1));
            case LinuxSyscalls.SYS_OPENAT -> set((int) call.arg(0), 1, (int) call.arg(2), (int) call.arg(3));
            default -> {
                int problem = decodeOpenHow(call);
                if (problem != 0) {
                    return problem;
                }
            }
        }
        if (!call.hasCapture(pathArg)) {
            return LinuxSyscalls.EFAULT;
        }
        if (call.captureTruncated(pathArg)) {
            return LinuxSyscalls.ENAMETOOLONG;
        }
        return call.captureLength(pathArg) == 0 ? LinuxSyscalls.ENOENT : 0;
    }

    private void set(int dirfd, int pathArg, int flags, int mode) {
        this.dirfd = dirfd;
        this.pathArg = pathArg;
        // ADDFD refuses O_PATH files (the kernel's fget skips them): serve O_PATH as a read-only
        // open of the same object, decided as READ. The kernel ignores every other flag with O_PATH.
        this.flags = (flags & LinuxSyscalls.O_PATH) == 0 ? flags
                : LinuxSyscalls.O_RDONLY
                        | flags & (LinuxSyscalls.O_DIRECTORY | LinuxSyscalls.O_NOFOLLOW | LinuxSyscalls.O_CLOEXEC);
        // open(2): the mode is only used with O_CREAT or O_TMPFILE, and only its low 12 bits.
        this.mode = mode & 07777;
    }

    /** openat2: struct open_how is strict, checked as the kernel does (before any lookup). */
    private int decodeOpenHow(SyscallEvent call) {
        long size = call.arg(3);
        if (Long.compareUnsigned(size, OPEN_HOW_SIZE) < 0) {
            return LinuxSyscalls.EINVAL;
        }
        if (size != OPEN_HOW_SIZE) {
            return LinuxSyscalls.E2BIG; // extensions must be zero; we captured only version 0
        }
        if (!call.hasCapture(2) || call.captureLength(2) < OPEN_HOW_SIZE) {
            return LinuxSyscalls.EFAULT;
        }
        byte[] data = call.captureData();
        int at = call.captureOffset(2);
        long howFlags = littleEndianLong(data, at);
        long howMode = littleEndianLong(data, at + 8);
        long howResolve = littleEndianLong(data, at + 16);
        boolean creates = (howFlags & (LinuxSyscalls.O_CREAT | LinuxSyscalls.O_TMPFILE_BIT)) != 0;
        if ((howFlags >>> 32) != 0 || (howMode & ~07777L) != 0 || (!creates && howMode != 0)
                || (howResolve & ~KNOWN_RESOLVE_FLAGS) != 0
                || (howResolve & LinuxSyscalls.RESOLVE_BENEATH) != 0 && (howResolve & LinuxSyscalls.RESOLVE_IN_ROOT) != 0) {
            return LinuxSyscalls.EINVAL;
        }
        set((int) call.arg(0), 1, (int) howFlags, (int) howMode);
        resolve = howResolve;
        return 0;
    }

    private boolean open(SyscallEvent call, SyscallGateway gateway, byte[] data, int offset, int length) {
        boolean exclusive = (flags & (LinuxSyscalls.O_CREAT | LinuxSyscalls.O_EXCL))
                == (LinuxSyscalls.O_CREAT | LinuxSyscalls.O_EXCL);
        int probeFlags = flags & LinuxSyscalls.O_DIRECTORY;
        if (exclusive || (flags & LinuxSyscalls.O_NOFOLLOW) != 0) {
            probeFlags |= LinuxSyscalls.O_NOFOLLOW;
        }
        int target = paths.lookup(data, offset, length, probeFlags, resolve);
        if (target >= 0) {
            try {
                return openExisting(call, gateway, target, exclusive);
            } finally {
                LinuxSyscalls.close(target);
            }
        }
        if (target != -LinuxSyscalls.ENOENT || (flags & LinuxSyscalls.O_CREAT) == 0
                || (flags & O_TMPFILE) == O_TMPFILE) {
            return EmulatedCalls.result(call, target);
        }
        return create(call, gateway, data, offset, length);
    }

    private boolean openExisting(SyscallEvent call, SyscallGateway gateway, int target, boolean exclusive) {
        if (exclusive) {
            return EmulatedCalls.result(call, -LinuxSyscalls.EEXIST);
        }
        if ((flags & LinuxSyscalls.O_NOFOLLOW) != 0 && isSymlink(target)) {
            return EmulatedCalls.result(call, -LinuxSyscalls.ELOOP);
        }
        int length = paths.canonical(target, canonical);
        if (length < 0) {
            return EmulatedCalls.result(call, length);
        }
        int access = accessOf(flags);
        if ((flags & O_TMPFILE) == O_TMPFILE) {
            access |= CREATE;
        }
        if (!EmulatedCalls.allowed(call, gateway, canonical, length, access)) {
            return false;
        }
        int fd;
        int openFlags = withoutCreation(flags) | LinuxSyscalls.O_NOCTTY | LinuxSyscalls.O_CLOEXEC
                | LinuxSyscalls.O_NONBLOCK;
        if ((flags & O_TMPFILE) == O_TMPFILE) {
            name.clear().append(GuestPaths.DOT);
            fd = LinuxSyscalls.openat(callState, target, name.segment(), openFlags, guestMode());
        } else {
            name.clear().append(GuestPaths.SELF_FD).append(target);
            fd = LinuxSyscalls.openat(callState, LinuxSyscalls.AT_FDCWD, name.segment(),
                    openFlags & ~LinuxSyscalls.O_NOFOLLOW, 0);
        }
        return openedOrFailed(call, fd);
    }

    private boolean create(SyscallEvent call, SyscallGateway gateway, byte[] data, int offset, int length) {
        if (data[offset + length - 1] == '/') {
            return EmulatedCalls.result(call, -LinuxSyscalls.EISDIR);
        }
        int nameStart = GuestPaths.nameStart(data, offset, offset + length);
        int parent = paths.lookupParent(data, offset, nameStart, resolve);
        if (parent < 0) {
            return EmulatedCalls.result(call, parent);
        }
        try {
            int nameLength = offset + length - nameStart;
            int canonicalLength = paths.canonicalEntry(parent, data, nameStart, nameLength, canonical);
            if (canonicalLength < 0) {
                return EmulatedCalls.result(call, canonicalLength);
            }
            if (!EmulatedCalls.allowed(call, gateway, canonical, canonicalLength, accessOf(flags) | CREATE)) {
                return false;
            }
            name.clear().append(data, nameStart, nameLength);
            int fd = LinuxSyscalls.openat(callState, parent, name.segment(),
                    flags | LinuxSyscalls.O_NOFOLLOW | LinuxSyscalls.O_NOCTTY | LinuxSyscalls.O_CLOEXEC
                            | LinuxSyscalls.O_NONBLOCK, guestMode());
            return openedOrFailed(call, fd);
        } finally {
            LinuxSyscalls.close(parent);
        }
    }

    /** The fd the supervisor opened for the guest: restore its blocking mode, then inject it. */
    private boolean openedOrFailed(SyscallEvent call, int fd) {
        if (fd < 0) {
            return EmulatedCalls.result(call, -LinuxSyscalls.errno(callState));
        }
        try {
            if ((flags & LinuxSyscalls.O_NONBLOCK) == 0
                    && LinuxSyscalls.fcntl(callState, fd, LinuxSyscalls.F_SETFL, flags) < 0) {
                return EmulatedCalls.result(call, -LinuxSyscalls.errno(callState));
            }
            return inject(call, fd);
        } finally {
            LinuxSyscalls.close(fd);
        }
    }

    /** Installs {@code fd} in the guest as the call's answer. */
    private boolean inject(SyscallEvent call, int fd) {
        addfd.set(JAVA_LONG, LinuxSyscalls.ADDFD_ID, call.notificationId());
        addfd.set(JAVA_INT, LinuxSyscalls.ADDFD_FLAGS, LinuxSyscalls.SECCOMP_ADDFD_FLAG_SEND);
        addfd.set(JAVA_INT, LinuxSyscalls.ADDFD_SRCFD, fd);
        addfd.set(JAVA_INT, LinuxSyscalls.ADDFD_NEWFD, 0);
        addfd.set(JAVA_INT, LinuxSyscalls.ADDFD_NEWFD_FLAGS, flags & LinuxSyscalls.O_CLOEXEC);
        int guestFd = LinuxSyscalls.ioctl(callState, listenerFd, LinuxSyscalls.SECCOMP_IOCTL_NOTIF_ADDFD, addfd);
        call.verdict(VerdictAction.EMULATE, 0, call.ruleId(), true);
        if (guestFd >= 0) {
            call.result(guestFd);
            return true;
        }
        int errno = LinuxSyscalls.errno(callState);
        if (errno == LinuxSyscalls.ENOENT) {
            call.interrupted(true); // the guest gave up the call: nothing to answer
            return true;
        }
        // e.g. EMFILE: the notification is still pending; the caller answers the error.
        call.result(-errno);
        return false;
    }

    private boolean isSymlink(int fd) {
        // With an empty path, readlinkat reads the link fd itself refers to: only symlinks have one.
        name.clear();
        return LinuxSyscalls.readlinkat(callState, fd, name.segment(), linkProbe, linkProbe.byteSize()) >= 0;
    }

    private int guestMode() {
        return ownUmask ? mode & ~credentials.umask() : mode;
    }

    /** FileAccess bits an open with {@code flags} needs of an existing object. */
    static int accessOf(int flags) {
        int access = switch (flags & LinuxSyscalls.O_ACCMODE) {
            case LinuxSyscalls.O_RDONLY -> READ;
            case LinuxSyscalls.O_WRONLY -> WRITE;
            default -> READ | WRITE;
        };
        if ((flags & (LinuxSyscalls.O_TRUNC | LinuxSyscalls.O_APPEND)) != 0) {
            access |= WRITE;
        }
        return access;
    }

    private static int withoutCreation(int flags) {
        return (flags & O_TMPFILE) == O_TMPFILE ? flags : flags & ~(LinuxSyscalls.O_CREAT | LinuxSyscalls.O_EXCL);
    }

    private static long littleEndianLong(byte[] data, int offset) {
        long value = 0;
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            value = value << 8 | (data[offset + i] & 0xff);
        }
        return value;
    }
}
