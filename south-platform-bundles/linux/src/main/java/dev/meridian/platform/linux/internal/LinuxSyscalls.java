package dev.meridian.platform.linux.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * Every native call of the Linux platform, with the kernel constants and struct layouts they use
 * (x86-64). Calls that can fail take a {@code callState} segment (allocated with
 * {@link #CALL_STATE}) into which the C library's {@code errno} is captured; read it with
 * {@link #errno}. The handles are static finals invoked exactly, so calls on the guest path do
 * not allocate. NativeHeadersTest checks every constant here against the kernel headers.
 */
final class LinuxSyscalls {

    private LinuxSyscalls() {
    }

    // errno values (asm-generic/errno-base.h, errno.h)
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EINVAL = 22;
    static final int E2BIG = 7;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int ENAMETOOLONG = 36;
    static final int ELOOP = 40;
    /** The largest errno the kernel returns; -4095..-1 are errors in a syscall's return value. */
    static final int MAX_ERRNO = 4095;

    // system call numbers (asm/unistd_64.h)
    static final int SYS_OPEN = 2;
    static final int SYS_RENAME = 82;
    static final int SYS_LINK = 86;
    static final int SYS_RENAMEAT = 264;
    static final int SYS_LINKAT = 265;
    static final int SYS_RENAMEAT2 = 316;
    static final int SYS_EXECVE = 59;
    static final int SYS_EXIT = 60;
    static final int SYS_CREAT = 85;
    static final int SYS_OPENAT = 257;
    static final int SYS_EXECVEAT = 322;
    static final int SYS_OPENAT2 = 437;
    static final int SYS_EXIT_GROUP = 231;
    static final int SYS_SECCOMP = 317;
    static final long SYS_PIDFD_SEND_SIGNAL = 424;
    static final long SYS_LANDLOCK_CREATE_RULESET = 444;
    static final long SYS_PIDFD_OPEN = 434;
    static final long SYS_PIDFD_GETFD = 438;

    static final int SIGKILL = 9;

    // open(2) flags (asm-generic/fcntl.h), *at(2) flags, openat2(2) resolve flags (linux/openat2.h)
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_ACCMODE = 3;
    static final int O_CREAT = 0x40;
    static final int O_EXCL = 0x80;
    static final int O_NOCTTY = 0x100;
    static final int O_TRUNC = 0x200;
    static final int O_APPEND = 0x400;
    static final int O_NONBLOCK = 0x800;
    static final int O_DIRECTORY = 0x10000;
    static final int O_NOFOLLOW = 0x20000;
    static final int O_CLOEXEC = 0x80000;
    static final int O_PATH = 0x200000;
    /** O_TMPFILE without O_DIRECTORY (which O_TMPFILE includes). */
    static final int O_TMPFILE_BIT = 0x400000;
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_SYMLINK_FOLLOW = 0x400;
    static final int RENAME_NOREPLACE = 1;
    static final int RENAME_EXCHANGE = 2;
    static final int RENAME_WHITEOUT = 4;
    static final long RESOLVE_NO_XDEV = 0x01;
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_NO_SYMLINKS = 0x04;
    static final long RESOLVE_BENEATH = 0x08;
    static final long RESOLVE_IN_ROOT = 0x10;
    static final long RESOLVE_CACHED = 0x20;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int CLONE_FS = 0x200;
    /** statfs f_type of procfs (linux/magic.h). */
    static final long PROC_SUPER_MAGIC = 0x9fa0;

    // poll(2) events
    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final short POLLHUP = 0x10;

    // seccomp (linux/seccomp.h, linux/audit.h)
    static final int SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;
    static final int SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 1 << 5;
    static final int SECCOMP_RET_KILL_PROCESS = 0x80000000;
    static final int SECCOMP_RET_ERRNO = 0x00050000;
    static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    static final int SECCOMP_RET_USER_NOTIF = 0x7fc00000;
    static final int SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
    /** For {@link #SECCOMP_IOCTL_NOTIF_SET_FLAGS}: wake the supervisor on the guest's CPU. */
    static final long SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP = 1;
    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    /** Set in the syscall number of x32 calls, which the filter refuses. */
    static final int X32_SYSCALL_BIT = 0x40000000;

    // Landlock (linux/landlock.h; Debian 12's 6.1 headers stop at ABI 2, the test program
    // defines the later ones as the kernel does)
    static final int LANDLOCK_CREATE_RULESET_VERSION = 1;
    static final long LANDLOCK_ACCESS_FS_EXECUTE = 1L << 0;
    static final long LANDLOCK_ACCESS_FS_WRITE_FILE = 1L << 1;
    static final long LANDLOCK_ACCESS_FS_READ_FILE = 1L << 2;
    static final long LANDLOCK_ACCESS_FS_READ_DIR = 1L << 3;
    static final long LANDLOCK_ACCESS_FS_REMOVE_DIR = 1L << 4;
    static final long LANDLOCK_ACCESS_FS_REMOVE_FILE = 1L << 5;
    static final long LANDLOCK_ACCESS_FS_MAKE_CHAR = 1L << 6;
    static final long LANDLOCK_ACCESS_FS_MAKE_DIR = 1L << 7;
    static final long LANDLOCK_ACCESS_FS_MAKE_REG = 1L << 8;
    static final long LANDLOCK_ACCESS_FS_MAKE_SOCK = 1L << 9;
    static final long LANDLOCK_ACCESS_FS_MAKE_FIFO = 1L << 10;
    static final long LANDLOCK_ACCESS_FS_MAKE_BLOCK = 1L << 11;
    static final long LANDLOCK_ACCESS_FS_MAKE_SYM = 1L << 12;
    /** ABI 2. */
    static final long LANDLOCK_ACCESS_FS_REFER = 1L << 13;
    /** ABI 3. */
    static final long LANDLOCK_ACCESS_FS_TRUNCATE = 1L << 14;
    /** ABI 5. */
    static final long LANDLOCK_ACCESS_FS_IOCTL_DEV = 1L << 15;
    /** ABI 4. */
    static final long LANDLOCK_ACCESS_NET_BIND_TCP = 1L << 0;
    static final long LANDLOCK_ACCESS_NET_CONNECT_TCP = 1L << 1;
    /** ABI 6. */
    static final long LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET = 1L << 0;
    static final long LANDLOCK_SCOPE_SIGNAL = 1L << 1;

    static final long SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100L;
    static final long SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101L;
    static final long SECCOMP_IOCTL_NOTIF_ID_VALID = 0x40082102L;
    static final long SECCOMP_IOCTL_NOTIF_ADDFD = 0x40182103L;
    static final int SECCOMP_ADDFD_FLAG_SETFD = 1;
    static final int SECCOMP_ADDFD_FLAG_SEND = 2;
    /** Linux 6.6+; the argument is passed by value. */
    static final long SECCOMP_IOCTL_NOTIF_SET_FLAGS = 0x40082104L;

    static final StructLayout SECCOMP_DATA = MemoryLayout.structLayout(
            JAVA_INT.withName("nr"),
            JAVA_INT.withName("arch"),
            JAVA_LONG.withName("instruction_pointer"),
            MemoryLayout.sequenceLayout(6, JAVA_LONG).withName("args"));
    static final StructLayout SECCOMP_NOTIF = MemoryLayout.structLayout(
            JAVA_LONG.withName("id"),
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("flags"),
            SECCOMP_DATA.withName("data"));
    static final StructLayout SECCOMP_NOTIF_RESP = MemoryLayout.structLayout(
            JAVA_LONG.withName("id"),
            JAVA_LONG.withName("val"),
            JAVA_INT.withName("error"),
            JAVA_INT.withName("flags"));
    static final StructLayout SECCOMP_NOTIF_ADDFD = MemoryLayout.structLayout(
            JAVA_LONG.withName("id"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("srcfd"),
            JAVA_INT.withName("newfd"),
            JAVA_INT.withName("newfd_flags"));
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents"));
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));
    static final StructLayout OPEN_HOW = MemoryLayout.structLayout(
            JAVA_LONG.withName("flags"),
            JAVA_LONG.withName("mode"),
            JAVA_LONG.withName("resolve"));
    // terminals (asm-generic/ioctls.h, asm-generic/termbits.h)
    static final long TIOCSWINSZ = 0x5414;
    static final long TIOCGWINSZ = 0x5413;
    /** struct winsize: rows, columns, then two unused pixel sizes, all unsigned short. */
    static final StructLayout WINSIZE = MemoryLayout.structLayout(
            JAVA_SHORT.withName("ws_row"),
            JAVA_SHORT.withName("ws_col"),
            JAVA_SHORT.withName("ws_xpixel"),
            JAVA_SHORT.withName("ws_ypixel"));
    /** Clock ticks per second of /proc/<pid>/stat times: USER_HZ, part of the x86-64 ABI. */
    static final long CLOCK_TICKS_PER_SECOND = 100;

    /** Of struct statfs only f_type is read; the size is the kernel's (x86-64). */
    static final long STATFS_SIZE = 120;
    static final long STATFS_TYPE = 0;

    static final long DATA_NR = SECCOMP_DATA.byteOffset(groupElement("nr"));
    static final long DATA_ARCH = SECCOMP_DATA.byteOffset(groupElement("arch"));
    static final long DATA_ARGS = SECCOMP_DATA.byteOffset(groupElement("args"));
    static final long NOTIF_ID = SECCOMP_NOTIF.byteOffset(groupElement("id"));
    static final long NOTIF_PID = SECCOMP_NOTIF.byteOffset(groupElement("pid"));
    static final long NOTIF_NR = SECCOMP_NOTIF.byteOffset(groupElement("data"), groupElement("nr"));
    static final long NOTIF_ARCH = SECCOMP_NOTIF.byteOffset(groupElement("data"), groupElement("arch"));
    static final long NOTIF_IP =
            SECCOMP_NOTIF.byteOffset(groupElement("data"), groupElement("instruction_pointer"));
    static final long NOTIF_ARGS = SECCOMP_NOTIF.byteOffset(groupElement("data"), groupElement("args"));
    static final long RESP_ID = SECCOMP_NOTIF_RESP.byteOffset(groupElement("id"));
    static final long RESP_VAL = SECCOMP_NOTIF_RESP.byteOffset(groupElement("val"));
    static final long RESP_ERROR = SECCOMP_NOTIF_RESP.byteOffset(groupElement("error"));
    static final long RESP_FLAGS = SECCOMP_NOTIF_RESP.byteOffset(groupElement("flags"));
    static final long POLLFD_FD = POLLFD.byteOffset(groupElement("fd"));
    static final long POLLFD_EVENTS = POLLFD.byteOffset(groupElement("events"));
    static final long POLLFD_REVENTS = POLLFD.byteOffset(groupElement("revents"));
    static final long IOVEC_BASE = IOVEC.byteOffset(groupElement("iov_base"));
    static final long IOVEC_LEN = IOVEC.byteOffset(groupElement("iov_len"));
    static final long HOW_FLAGS = OPEN_HOW.byteOffset(groupElement("flags"));
    static final long HOW_MODE = OPEN_HOW.byteOffset(groupElement("mode"));
    static final long HOW_RESOLVE = OPEN_HOW.byteOffset(groupElement("resolve"));
    static final long ADDFD_ID = SECCOMP_NOTIF_ADDFD.byteOffset(groupElement("id"));
    static final long ADDFD_FLAGS = SECCOMP_NOTIF_ADDFD.byteOffset(groupElement("flags"));
    static final long ADDFD_SRCFD = SECCOMP_NOTIF_ADDFD.byteOffset(groupElement("srcfd"));
    static final long ADDFD_NEWFD = SECCOMP_NOTIF_ADDFD.byteOffset(groupElement("newfd"));
    static final long ADDFD_NEWFD_FLAGS = SECCOMP_NOTIF_ADDFD.byteOffset(groupElement("newfd_flags"));

    /** Layout of the segment that receives errno; allocate one per thread that calls in. */
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO = CALL_STATE.byteOffset(groupElement("errno"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle IOCTL_POINTER = link("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    private static final MethodHandle IOCTL_VALUE = link("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);
    private static final MethodHandle POLL = link("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), -1);
    private static final MethodHandle PROCESS_VM_READV = link("process_vm_readv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG), -1);
    // syscall(2) passes every argument in a full register, so they are all longs here.
    private static final MethodHandle SYSCALL2 = link("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    private static final MethodHandle SYSCALL3 = link("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    private static final MethodHandle SYSCALL4 = link("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    private static final MethodHandle OPEN = link("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), 2);
    private static final MethodHandle OPENAT = link("openat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 3);
    private static final MethodHandle LINKAT = link("linkat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle RENAMEAT2 = link("renameat2",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle FCNTL = link("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle FSTATFS = link("fstatfs",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), -1);
    private static final MethodHandle UNSHARE = link("unshare",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle UMASK = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("umask"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = link("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle WRITE = link("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle POSIX_OPENPT = link("posix_openpt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle GRANTPT = link("grantpt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle UNLOCKPT = link("unlockpt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle PTSNAME_R = link("ptsname_r",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle READLINK = link("readlink",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle READLINKAT = link("readlinkat",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle MKFIFO = link("mkfifo",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private static MethodHandle link(String function, FunctionDescriptor descriptor, int firstVariadicArg) {
        MemorySegment address = LINKER.defaultLookup().findOrThrow(function);
        return firstVariadicArg < 0
                ? LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO)
                : LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO,
                        Linker.Option.firstVariadicArg(firstVariadicArg));
    }

    /** The errno of the last failed call made with {@code callState}. */
    static int errno(MemorySegment callState) {
        return callState.get(JAVA_INT, ERRNO);
    }

    static int ioctl(MemorySegment callState, int fd, long request, MemorySegment argument) {
        try {
            return (int) IOCTL_POINTER.invokeExact(callState, fd, request, argument);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static int ioctl(MemorySegment callState, int fd, long request, long argument) {
        try {
            return (int) IOCTL_VALUE.invokeExact(callState, fd, request, argument);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static int poll(MemorySegment callState, MemorySegment pollFds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(callState, pollFds, count, timeoutMillis);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** Reads the {@code remoteCount} iovecs at {@code remoteIov} of {@code pid} into the one at {@code localIov}. */
    static long processVmReadv(MemorySegment callState, int pid, MemorySegment localIov,
            MemorySegment remoteIov, int remoteCount) {
        try {
            return (long) PROCESS_VM_READV.invokeExact(callState, pid, localIov, 1L, remoteIov, (long) remoteCount, 0L);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static int pidfdOpen(MemorySegment callState, int pid) {
        try {
            return (int) (long) SYSCALL2.invokeExact(callState, SYS_PIDFD_OPEN, (long) pid, 0L);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static int pidfdGetfd(MemorySegment callState, int pidfd, int targetFd) {
        try {
            return (int) (long) SYSCALL3.invokeExact(callState, SYS_PIDFD_GETFD, (long) pidfd,
                    (long) targetFd, 0L);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static int pidfdSendSignal(MemorySegment callState, int pidfd, int signal) {
        try {
            return (int) (long) SYSCALL4.invokeExact(callState, SYS_PIDFD_SEND_SIGNAL, (long) pidfd,
                    (long) signal, 0L, 0L);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /**
     * The Landlock ABI version of the running kernel, or 0 when it has no Landlock (ENOSYS) or
     * it is disabled (EOPNOTSUPP).
     */
    static int landlockAbi() {
        try (Arena arena = Arena.ofConfined()) {
            long abi = (long) SYSCALL3.invokeExact(arena.allocate(CALL_STATE), SYS_LANDLOCK_CREATE_RULESET, 0L, 0L,
                    (long) LANDLOCK_CREATE_RULESET_VERSION);
            return (int) Math.max(abi, 0);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static int open(MemorySegment callState, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(callState, path, flags);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** openat2(2), which glibc 2.36 does not wrap: the fd, or -1 with errno in {@code callState}. */
    static int openat2(MemorySegment callState, int dirfd, MemorySegment path, MemorySegment how) {
        try {
            return (int) (long) SYSCALL4.invokeExact(callState, (long) SYS_OPENAT2, (long) dirfd, path.address(),
                    how.address(), how.byteSize());
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static int openat(MemorySegment callState, int dirfd, MemorySegment path, int flags, int mode) {
        try {
            return (int) OPENAT.invokeExact(callState, dirfd, path, flags, mode);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** linkat(2): 0, or -1 with errno in {@code callState}. */
    static int linkat(MemorySegment callState, int oldDirfd, MemorySegment oldPath, int newDirfd, MemorySegment newPath,
            int flags) {
        try {
            return (int) LINKAT.invokeExact(callState, oldDirfd, oldPath, newDirfd, newPath, flags);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** renameat2(2): 0, or -1 with errno in {@code callState}. */
    static int renameat2(MemorySegment callState, int oldDirfd, MemorySegment oldPath, int newDirfd,
            MemorySegment newPath, int flags) {
        try {
            return (int) RENAMEAT2.invokeExact(callState, oldDirfd, oldPath, newDirfd, newPath, flags);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** fcntl(2) with an int argument, e.g. F_SETFL. */
    static int fcntl(MemorySegment callState, int fd, int command, int argument) {
        try {
            return (int) FCNTL.invokeExact(callState, fd, command, argument);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** fstatfs(2) into {@code buffer} of {@link #STATFS_SIZE} bytes. */
    static int fstatfs(MemorySegment callState, int fd, MemorySegment buffer) {
        try {
            return (int) FSTATFS.invokeExact(callState, fd, buffer);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** unshare(2): with {@link #CLONE_FS}, affects the calling thread only. */
    static int unshare(MemorySegment callState, int flags) {
        try {
            return (int) UNSHARE.invokeExact(callState, flags);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** umask(2): the previous mask; cannot fail. */
    static int umask(int mask) {
        try {
            return (int) UMASK.invokeExact(mask);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static long read(MemorySegment callState, int fd, MemorySegment buffer, long count) {
        try {
            return (long) READ.invokeExact(callState, fd, buffer, count);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static long write(MemorySegment callState, int fd, MemorySegment buffer, long count) {
        try {
            return (long) WRITE.invokeExact(callState, fd, buffer, count);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** posix_openpt(3): a new pseudo-terminal master, or -1. */
    static int posixOpenpt(MemorySegment callState, int flags) {
        try {
            return (int) POSIX_OPENPT.invokeExact(callState, flags);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static int grantpt(MemorySegment callState, int masterFd) {
        try {
            return (int) GRANTPT.invokeExact(callState, masterFd);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static int unlockpt(MemorySegment callState, int masterFd) {
        try {
            return (int) UNLOCKPT.invokeExact(callState, masterFd);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** ptsname_r(3): 0 with the slave's path in {@code buffer}, or an error number (not -1). */
    static int ptsnameR(MemorySegment callState, int masterFd, MemorySegment buffer) {
        try {
            return (int) PTSNAME_R.invokeExact(callState, masterFd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static long readlink(MemorySegment callState, MemorySegment path, MemorySegment buffer, long size) {
        try {
            return (long) READLINK.invokeExact(callState, path, buffer, size);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** readlinkat(2); with an empty path, reads the symbolic link {@code dirfd} itself refers to. */
    static long readlinkat(MemorySegment callState, int dirfd, MemorySegment path, MemorySegment buffer, long size) {
        try {
            return (long) READLINKAT.invokeExact(callState, dirfd, path, buffer, size);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    static int mkfifo(MemorySegment callState, MemorySegment path, int mode) {
        try {
            return (int) MKFIFO.invokeExact(callState, path, mode);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** Closes {@code fd}; the result is ignored because Linux frees the descriptor either way. */
    static void close(int fd) {
        try {
            int unused = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** The C library's message for {@code errno}, e.g. "No such process". */
    static String strerror(int errno) {
        try {
            MemorySegment message = (MemorySegment) STRERROR.invokeExact(errno);
            return message.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw unreachable(t);
        }
    }

    /** "what: message" for exception messages. */
    static String describe(String what, int errno) {
        return what + ": " + strerror(errno);
    }

    /** The target of a symbolic link such as {@code /proc/self/fd/3}, or null if unreadable. */
    static String readlink(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocate(4096);
            long length = readlink(state, arena.allocateFrom(path), buffer, buffer.byteSize());
            if (length < 0) {
                return null;
            }
            byte[] bytes = buffer.asSlice(0, length).toArray(JAVA_BYTE);
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static AssertionError unreachable(Throwable t) {
        // A downcall's target is native code: it cannot throw.
        return new AssertionError("native call threw", t);
    }
}
