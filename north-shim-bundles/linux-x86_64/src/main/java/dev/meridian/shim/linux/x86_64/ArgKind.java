package dev.meridian.shim.linux.x86_64;

/**
 * What one argument register of a system call means: how the shim captures it and how a trace
 * shows it. Kinds that read guest memory ({@link #captured()}) are copied into the call's capture
 * storage before the policy decides; all other kinds are judged from the register alone.
 *
 * <p>Where a kind takes its length from another argument ({@link #lengthInNextArgument()}), that
 * argument is always the next one: Linux passes every buffer followed by its length.
 */
public enum ArgKind {

    // --- plain values ---

    /** Signed 32-bit integer. */
    INT,
    /** Unsigned 32-bit integer. */
    UINT,
    /** Signed 64-bit integer. */
    LONG,
    /** A byte count or element count ({@code size_t}), unsigned. */
    SIZE,
    /** A file offset ({@code off_t}), signed. */
    OFFSET,
    /** A value best read in hexadecimal (cookies, masks without names, contexts). */
    HEX,
    /**
     * An address used as a value (mapping hints, futex words) or memory the kernel writes (result
     * structs); nothing the guest passes in lives behind it. Shown as hex or {@code NULL}.
     */
    PTR,
    /** A file descriptor. */
    FD,
    /** A directory file descriptor of an {@code *at} call; {@code -100} is {@code AT_FDCWD}. */
    DIRFD,
    /** A process or thread id, or a pid selector ({@code -1}, {@code -pgid}). */
    PID,
    /** A user id; {@code -1} means "unchanged". */
    UID,
    /** A group id; {@code -1} means "unchanged". */
    GID,
    /** A signal number. */
    SIGNAL,
    /** A device number ({@code dev_t}), shown as {@code makedev(major, minor)}. */
    DEV,
    /** File type and permission bits, in octal. */
    MODE,
    /** A register the kernel ignores on x86-64 (the high half of a split offset); not shown. */
    IGNORED,

    // --- symbolic flag sets and enumerations ---

    /** {@code open(2)} flags including the access mode. */
    OPEN_FLAGS,
    /** {@code O_*} flags without an access mode ({@code pipe2}, {@code dup3}, {@code delete_module}). */
    FD_FLAGS,
    /** {@code AT_*} flags of the {@code *at} calls. */
    AT_FLAGS,
    /** {@code access(2)} mode: {@code F_OK} or {@code R_OK|W_OK|X_OK}. */
    ACCESS_MODE,
    MMAP_PROT,
    MMAP_FLAGS,
    MREMAP_FLAGS,
    MSYNC_FLAGS,
    MADVISE_ADVICE,
    MLOCKALL_FLAGS,
    /** {@code clone(2)} flags; the low byte is the child's exit signal. */
    CLONE_FLAGS,
    /** {@code CLONE_NEW*} and sharing flags of {@code unshare} and {@code setns}. */
    NAMESPACE_FLAGS,
    WAIT_OPTIONS,
    /** {@code waitid} id type: {@code P_PID}, {@code P_PIDFD}, ... */
    IDTYPE,
    SEEK_WHENCE,
    FCNTL_CMD,
    /** The third {@code fcntl} argument, decoded by the command before it; lock structs are not read. */
    FCNTL_ARG(false, false, false),
    IOCTL_REQUEST,
    PRCTL_OPTION,
    ARCH_PRCTL_CODE,
    /** {@code futex(2)} operation; it also decides how the arguments after it are shown. */
    FUTEX_OP,
    SIGPROCMASK_HOW,
    RLIMIT_RESOURCE,
    CLOCK_ID,
    /** {@code TIMER_ABSTIME} of {@code clock_nanosleep} and {@code timer_settime}. */
    TIMER_FLAGS,
    ITIMER_WHICH,
    SOCKET_FAMILY,
    /** Socket type with {@code SOCK_NONBLOCK} and {@code SOCK_CLOEXEC}. */
    SOCKET_TYPE,
    /** Socket protocol, named after the family in argument 0. */
    SOCKET_PROTOCOL,
    /** {@code SOCK_NONBLOCK|SOCK_CLOEXEC} of {@code accept4}. */
    SOCK_FLAGS,
    /** {@code MSG_*} flags of send and receive calls. */
    MSG_FLAGS,
    SHUTDOWN_HOW,
    SOCKOPT_LEVEL,
    /** Socket option, named after the level in the argument before it. */
    SOCKOPT_NAME,
    EPOLL_CTL_OP,
    EPOLL_FLAGS,
    EVENTFD_FLAGS,
    INOTIFY_FLAGS,
    INOTIFY_MASK,
    TIMERFD_FLAGS,
    TIMERFD_SETTIME_FLAGS,
    SIGNALFD_FLAGS,
    MEMFD_FLAGS,
    RENAME_FLAGS,
    FLOCK_OP,
    GETRANDOM_FLAGS,
    CLOSE_RANGE_FLAGS,
    XATTR_FLAGS,
    MOUNT_FLAGS,
    UMOUNT_FLAGS,
    STATX_MASK,
    SCHED_POLICY,
    PRIO_WHICH,
    SECCOMP_OP,
    FADVISE_ADVICE,
    FALLOC_FLAGS,
    SPLICE_FLAGS,
    MEMBARRIER_CMD,
    PTRACE_REQUEST,
    /** System V IPC key; 0 is {@code IPC_PRIVATE}. */
    IPC_KEY,
    /** {@code IPC_CREAT|IPC_EXCL} with permission bits. */
    IPC_FLAGS,
    SHM_CMD,
    SEM_CMD,
    MSG_CMD,
    SHMAT_FLAGS,

    // --- guest memory the shim captures ---

    /** A path name, captured up to {@code PATH_MAX} (4096) bytes. */
    PATH(true, false, true),
    /** Any other NUL-terminated string (xattr and key names, file system types), up to 4096 bytes. */
    STRING(true, false, true),
    /** Data the kernel reads ({@code write}, {@code send}); the first bytes are captured. */
    BUF_IN(true, true, true),
    /** A socket address the guest passes in; captured whole (up to 128 bytes). */
    SOCKADDR(true, true, true),
    /** A NULL-terminated array of strings ({@code execve} argv), captured within bounds. */
    STRING_ARRAY(true, false, true),
    /** An environment array; captured like {@link #STRING_ARRAY}, shown as a count. */
    ENVIRONMENT(true, false, true),
    /** {@code struct open_how} of {@code openat2}. */
    OPEN_HOW(true, true, true),
    /** {@code struct clone_args} of {@code clone3}. */
    CLONE_ARGS(true, true, true),

    // --- pointers not (yet) read ---

    /** Memory the kernel fills (read buffers); shown as an address. */
    BUF_OUT,
    /**
     * Guest memory the kernel reads that the shim does not capture yet (structs, iovecs, masks,
     * timeouts); shown as an address. A call with such an argument is {@link Support#PARTIAL}.
     */
    IN_PTR(false, false, false),
    /** A value whose meaning depends on another argument; shown raw. */
    RAW(false, false, false);

    private final boolean captured;
    private final boolean lengthInNextArgument;
    private final boolean decoded;

    ArgKind() {
        this(false, false, true);
    }

    ArgKind(boolean captured, boolean lengthInNextArgument, boolean decoded) {
        this.captured = captured;
        this.lengthInNextArgument = lengthInNextArgument;
        this.decoded = decoded;
    }

    /** Whether the shim copies guest memory for this argument before the policy decides. */
    public boolean captured() {
        return captured;
    }

    /** Whether the number of bytes to capture is the value of the next argument. */
    public boolean lengthInNextArgument() {
        return lengthInNextArgument;
    }

    /**
     * Whether the argument is shown by its meaning. False for {@link #IN_PTR} and {@link #RAW},
     * and for {@link #FCNTL_ARG}, whose lock structs are not read.
     */
    public boolean decoded() {
        return decoded;
    }
}
