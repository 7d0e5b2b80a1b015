package dev.meridian.shim.linux.x86_64.internal;

import static dev.meridian.shim.linux.x86_64.internal.Formats.hex;
import static dev.meridian.shim.linux.x86_64.internal.Formats.octal;
import static dev.meridian.shim.linux.x86_64.internal.Formats.pointer;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import dev.meridian.shim.linux.x86_64.ArgKind;
import dev.meridian.shim.linux.x86_64.LinuxErrno;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import dev.meridian.shim.linux.x86_64.Syscall;
import java.util.StringJoiner;

/**
 * Renders one journaled call as a line of an strace trace, e.g.
 * {@code openat(AT_FDCWD, "/etc/hosts", O_RDONLY|O_CLOEXEC) = 3}. Off the guest path.
 *
 * <p>Arguments are shown by their kind; memory arguments from their captures ({@code ...} marks a
 * cut capture), or as an address when nothing was captured. Like strace, {@code open}'s mode is
 * left out unless the flags create a file, and {@code fcntl} and {@code futex} show only the
 * arguments their command uses. Results: {@code = -1 ENOENT (No such file or directory)} for an
 * error, the value (hex for addresses) otherwise, {@code = ?} when the supervisor does not know
 * what the guest got (the call ran in the kernel after the policy let it continue).
 */
final class CallRenderer {

    /** Return values from -4095 to -1 are errors on Linux. */
    private static final long MAX_ERRNO = 4095;

    private CallRenderer() {
    }

    static String render(JournalEntry entry) {
        StringBuilder line = new StringBuilder(160);
        // a call journaled under another ABI has other numbers: show it raw rather than misnamed
        Syscall syscall = entry.abi() == LinuxX86_64Syscalls.AUDIT_ARCH_X86_64
                ? LinuxX86_64Syscalls.byNumber(entry.number()) : null;
        if (syscall == null) {
            line.append("syscall_0x").append(Integer.toHexString(entry.number())).append('(');
            for (int i = 0; i < SyscallEvent.MAX_ARGS; i++) {
                line.append(i > 0 ? ", " : "").append(hex(entry.arg(i)));
            }
        } else {
            line.append(syscall.name()).append('(');
            if (syscall.arg(1) == ArgKind.FUTEX_OP) {
                appendFutexArguments(line, entry);
            } else {
                appendArguments(line, entry, syscall);
            }
        }
        line.append(')');
        appendOutcome(line, entry, syscall);
        return line.toString();
    }

    private static void appendArguments(StringBuilder line, JournalEntry entry, Syscall syscall) {
        int shown = 0;
        for (int i = 0; i < syscall.argCount(); i++) {
            if (syscall.arg(i) == ArgKind.IGNORED || omitted(entry, syscall, i)) {
                continue;
            }
            if (shown++ > 0) {
                line.append(", ");
            }
            appendArgument(line, entry, syscall, i);
        }
    }

    /** Trailing arguments strace leaves out because the call does not use them. */
    private static boolean omitted(JournalEntry entry, Syscall syscall, int index) {
        if (index == 0 || index != syscall.argCount() - 1) {
            return false;
        }
        ArgKind kind = syscall.arg(index);
        if (kind == ArgKind.MODE && syscall.arg(index - 1) == ArgKind.OPEN_FLAGS) {
            return (entry.arg(index - 1) & (Symbols.O_CREAT | Symbols.O_TMPFILE_BIT)) == 0;
        }
        if (kind == ArgKind.FCNTL_ARG) {
            String command = Symbols.FCNTL_COMMANDS.nameOf(int32(entry.arg(index - 1)));
            return command != null && switch (command) {
                case "F_GETFD", "F_GETFL", "F_GETOWN", "F_GETSIG", "F_GETLEASE", "F_GETPIPE_SZ", "F_GET_SEALS" -> true;
                default -> false;
            };
        }
        return false;
    }

    private static void appendArgument(StringBuilder line, JournalEntry entry, Syscall syscall, int index) {
        long value = entry.arg(index);
        long value32 = int32(value);
        switch (syscall.arg(index)) {
            case INT, FD, PID -> line.append((int) value);
            case UINT -> line.append(Integer.toUnsignedString((int) value));
            case LONG, OFFSET -> line.append(value);
            case SIZE -> line.append(Long.toUnsignedString(value));
            case HEX, RAW -> line.append(hex(value));
            case PTR, BUF_OUT, IN_PTR -> line.append(pointer(value));
            case DIRFD -> line.append((int) value == Symbols.AT_FDCWD ? "AT_FDCWD" : Integer.toString((int) value));
            case UID, GID -> line.append((int) value == -1 ? "-1" : Integer.toUnsignedString((int) value));
            case SIGNAL -> line.append(signal((int) value));
            case DEV -> line.append(device(value));
            case MODE -> line.append(mode(value32));
            case OPEN_FLAGS -> line.append(openFlags(value32));
            case FD_FLAGS -> line.append(Symbols.OPEN_FLAGS.format(value32));
            case AT_FLAGS -> line.append((syscall.name().equals("faccessat2") ? Symbols.AT_FLAGS_ACCESS
                    : Symbols.AT_FLAGS).format(value32));
            case ACCESS_MODE -> line.append(Symbols.ACCESS_MODES.format(value32));
            case MMAP_PROT -> line.append(Symbols.MMAP_PROT.format(value32));
            case MMAP_FLAGS -> line.append(mmapFlags(value));
            case MREMAP_FLAGS -> line.append(Symbols.MREMAP_FLAGS.format(value));
            case MSYNC_FLAGS -> line.append(Symbols.MSYNC_FLAGS.format(value32));
            case MADVISE_ADVICE -> line.append(Symbols.MADVISE_ADVICE.format((int) value));
            case MLOCKALL_FLAGS -> line.append(Symbols.MLOCKALL_FLAGS.format(value32));
            case CLONE_FLAGS -> line.append(cloneFlags(value));
            case NAMESPACE_FLAGS -> line.append(Symbols.NAMESPACE_FLAGS.format(value));
            case WAIT_OPTIONS -> line.append(Symbols.WAIT_OPTIONS.format(value32));
            case IDTYPE -> line.append(Symbols.IDTYPES.format((int) value));
            case SEEK_WHENCE -> line.append(Symbols.SEEK_WHENCE.format((int) value));
            case FCNTL_CMD -> line.append(Symbols.FCNTL_COMMANDS.format(value32));
            case FCNTL_ARG -> line.append(fcntlArgument(int32(entry.arg(index - 1)), value));
            case IOCTL_REQUEST -> line.append(ioctlRequest(value32));
            case PRCTL_OPTION -> line.append(Symbols.PRCTL_OPTIONS.format((int) value));
            case ARCH_PRCTL_CODE -> line.append(nameOrHex(Symbols.ARCH_PRCTL_CODES, value32));
            case FUTEX_OP -> line.append(futexOperation(value32));
            case SIGPROCMASK_HOW -> line.append(Symbols.SIGPROCMASK_HOW.format((int) value));
            case RLIMIT_RESOURCE -> line.append(Symbols.RLIMIT_RESOURCES.format((int) value));
            case CLOCK_ID -> line.append(Symbols.CLOCKS.format((int) value));
            case TIMER_FLAGS -> line.append(Symbols.TIMER_FLAGS.format(value32));
            case ITIMER_WHICH -> line.append(Symbols.ITIMERS.format((int) value));
            case SOCKET_FAMILY -> line.append(Symbols.ADDRESS_FAMILIES.format((int) value));
            case SOCKET_TYPE -> line.append(socketType(value32));
            case SOCKET_PROTOCOL -> line.append(socketProtocol((int) entry.arg(0), (int) value));
            case SOCK_FLAGS -> line.append(Symbols.SOCK_FLAGS.format(value32));
            case MSG_FLAGS -> line.append(Symbols.MSG_FLAGS.format(value32));
            case SHUTDOWN_HOW -> line.append(Symbols.SHUTDOWN_HOW.format((int) value));
            case SOCKOPT_LEVEL -> line.append(Symbols.SOCKET_LEVELS.format((int) value));
            case SOCKOPT_NAME -> line.append(socketOption((int) entry.arg(index - 1), (int) value));
            case EPOLL_CTL_OP -> line.append(Symbols.EPOLL_CTL_OPS.format((int) value));
            case EPOLL_FLAGS -> line.append(Symbols.EPOLL_FLAGS.format(value32));
            case EVENTFD_FLAGS -> line.append(Symbols.EVENTFD_FLAGS.format(value32));
            case INOTIFY_FLAGS -> line.append(Symbols.INOTIFY_FLAGS.format(value32));
            case INOTIFY_MASK -> line.append(Symbols.INOTIFY_MASK.format(value32));
            case TIMERFD_FLAGS -> line.append(Symbols.TIMERFD_FLAGS.format(value32));
            case TIMERFD_SETTIME_FLAGS -> line.append(Symbols.TIMERFD_SETTIME_FLAGS.format(value32));
            case SIGNALFD_FLAGS -> line.append(Symbols.SIGNALFD_FLAGS.format(value32));
            case MEMFD_FLAGS -> line.append(Symbols.MEMFD_FLAGS.format(value32));
            case RENAME_FLAGS -> line.append(Symbols.RENAME_FLAGS.format(value32));
            case FLOCK_OP -> line.append(Symbols.FLOCK_OPS.format(value32));
            case GETRANDOM_FLAGS -> line.append(Symbols.GETRANDOM_FLAGS.format(value32));
            case CLOSE_RANGE_FLAGS -> line.append(Symbols.CLOSE_RANGE_FLAGS.format(value32));
            case XATTR_FLAGS -> line.append(Symbols.XATTR_FLAGS.format(value32));
            case MOUNT_FLAGS -> line.append(Symbols.MOUNT_FLAGS.format(value));
            case UMOUNT_FLAGS -> line.append(Symbols.UMOUNT_FLAGS.format(value32));
            case STATX_MASK -> line.append(Symbols.STATX_MASK.format(value32));
            case SCHED_POLICY -> line.append(schedulingPolicy(value32));
            case PRIO_WHICH -> line.append(Symbols.PRIO_WHICH.format((int) value));
            case SECCOMP_OP -> line.append(Symbols.SECCOMP_OPERATIONS.format(value32));
            case FADVISE_ADVICE -> line.append(Symbols.FADVISE_ADVICE.format((int) value));
            case FALLOC_FLAGS -> line.append(Symbols.FALLOC_FLAGS.format(value32));
            case SPLICE_FLAGS -> line.append(Symbols.SPLICE_FLAGS.format(value32));
            case MEMBARRIER_CMD -> line.append(Symbols.MEMBARRIER_COMMANDS.format((int) value));
            case PTRACE_REQUEST -> line.append(Symbols.PTRACE_REQUESTS.format(value));
            case IPC_KEY -> line.append((int) value == 0 ? "IPC_PRIVATE" : hex(value32));
            case IPC_FLAGS -> line.append(ipcFlags(value32));
            case SHM_CMD -> line.append(Symbols.SHM_COMMANDS.format((int) value));
            case SEM_CMD -> line.append(Symbols.SEM_COMMANDS.format((int) value));
            case MSG_CMD -> line.append(Symbols.MSG_COMMANDS.format((int) value));
            case SHMAT_FLAGS -> line.append(Symbols.SHMAT_FLAGS.format(value32));
            case PATH, STRING, BUF_IN -> appendString(line, entry, index);
            case SOCKADDR -> appendSocketAddress(line, entry, index);
            case STRING_ARRAY -> appendStringArray(line, entry, index);
            case ENVIRONMENT -> appendEnvironment(line, entry, index);
            case OPEN_HOW -> appendOpenHow(line, entry, index);
            case CLONE_ARGS -> appendCloneArgs(line, entry, index);
        }
    }

    // --- memory arguments ---

    private static void appendString(StringBuilder line, JournalEntry entry, int index) {
        byte[] capture = capture(entry, index);
        if (capture == null) {
            line.append(pointer(entry.arg(index)));
        } else {
            CStrings.appendQuoted(line, capture, 0, capture.length, truncated(entry, index));
        }
    }

    private static void appendSocketAddress(StringBuilder line, JournalEntry entry, int index) {
        byte[] capture = capture(entry, index);
        if (capture == null || capture.length < 2) {
            line.append(pointer(entry.arg(index)));
        } else {
            SocketAddresses.append(line, capture, truncated(entry, index));
        }
    }

    /** {@code ["ls", "-l"]}; a cut array ends in {@code ...}. */
    private static void appendStringArray(StringBuilder line, JournalEntry entry, int index) {
        byte[] capture = capture(entry, index);
        if (capture == null) {
            line.append(pointer(entry.arg(index)));
            return;
        }
        line.append('[');
        int start = 0;
        int count = 0;
        while (start < capture.length) {
            int end = start;
            while (end < capture.length && capture[end] != 0) {
                end++;
            }
            line.append(count++ > 0 ? ", " : "");
            // the last string has no NUL when the capture's bound cut it
            CStrings.appendQuoted(line, capture, start, end - start, end == capture.length);
            start = end + 1;
        }
        if (truncated(entry, index)) {
            line.append(count > 0 ? ", ..." : "...");
        }
        line.append(']');
    }

    /** As strace does by default: the address and how many variables it holds. */
    private static void appendEnvironment(StringBuilder line, JournalEntry entry, int index) {
        line.append(pointer(entry.arg(index)));
        byte[] capture = capture(entry, index);
        if (capture == null) {
            return;
        }
        int count = 0;
        for (int i = 0; i < capture.length; i++) {
            if (capture[i] == 0 || i == capture.length - 1) {
                count++;
            }
        }
        line.append(truncated(entry, index) ? " /* at least " : " /* ").append(count)
                .append(count == 1 ? " var */" : " vars */");
    }

    /** {@code {flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_BENEATH}}, with mode when it creates. */
    private static void appendOpenHow(StringBuilder line, JournalEntry entry, int index) {
        byte[] how = capture(entry, index);
        if (how == null || how.length < GuestCapture.OPEN_HOW_LIMIT) {
            line.append(pointer(entry.arg(index)));
            return;
        }
        long flags = u64(how, 0);
        line.append("{flags=").append(openFlags(flags));
        if ((flags & (Symbols.O_CREAT | Symbols.O_TMPFILE_BIT)) != 0) {
            line.append(", mode=").append(mode(u64(how, 8)));
        }
        line.append(", resolve=").append(Symbols.RESOLVE_FLAGS.format(u64(how, 16))).append('}');
    }

    /** {@code struct clone_args}: the fields the flags make meaningful, as strace shows them. */
    private static void appendCloneArgs(StringBuilder line, JournalEntry entry, int index) {
        byte[] args = capture(entry, index);
        if (args == null || args.length < Symbols.CLONE_ARGS_SIZE_VER0) {
            line.append(pointer(entry.arg(index)));
            return;
        }
        long flags = u64(args, 0);
        line.append("{flags=").append(Symbols.NAMESPACE_FLAGS.format(flags));
        if ((flags & Symbols.CLONE_PIDFD) != 0) {
            line.append(", pidfd=").append(pointer(u64(args, 8)));
        }
        if ((flags & (Symbols.CLONE_CHILD_SETTID | Symbols.CLONE_CHILD_CLEARTID)) != 0) {
            line.append(", child_tid=").append(pointer(u64(args, 16)));
        }
        if ((flags & Symbols.CLONE_PARENT_SETTID) != 0) {
            line.append(", parent_tid=").append(pointer(u64(args, 24)));
        }
        line.append(", exit_signal=").append(signal((int) u64(args, 32)))
                .append(", stack=").append(pointer(u64(args, 40)))
                .append(", stack_size=").append(hex(u64(args, 48)));
        if ((flags & Symbols.CLONE_SETTLS) != 0) {
            line.append(", tls=").append(pointer(u64(args, 56)));
        }
        if (args.length >= Symbols.CLONE_ARGS_SIZE_VER1 && u64(args, 72) != 0) {
            line.append(", set_tid=").append(pointer(u64(args, 64)))
                    .append(", set_tid_size=").append(Long.toUnsignedString(u64(args, 72)));
        }
        if (args.length >= Symbols.CLONE_ARGS_SIZE_VER2 && (flags & Symbols.CLONE_INTO_CGROUP) != 0) {
            line.append(", cgroup=").append(u64(args, 80));
        }
        line.append('}');
        if (truncated(entry, index)) {
            line.append("...");
        }
    }

    // --- futex ---

    /** Only the arguments the operation uses, as strace shows them. */
    private static void appendFutexArguments(StringBuilder line, JournalEntry entry) {
        long operation = int32(entry.arg(1));
        line.append(pointer(entry.arg(0))).append(", ").append(futexOperation(operation));
        String command = Symbols.FUTEX_COMMANDS.nameOf(operation & Symbols.FUTEX_COMMAND_MASK);
        String value = Integer.toUnsignedString((int) entry.arg(2));
        String value2 = Integer.toUnsignedString((int) entry.arg(3));
        String timeout = pointer(entry.arg(3));
        String address2 = pointer(entry.arg(4));
        String value3 = Integer.toUnsignedString((int) entry.arg(5));
        String bitset = (int) entry.arg(5) == -1 ? "FUTEX_BITSET_MATCH_ANY" : hex(int32(entry.arg(5)));
        String[] rest = switch (command == null ? "" : command) {
            case "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI" -> new String[] {};
            case "FUTEX_WAKE", "FUTEX_FD" -> new String[] {value};
            case "FUTEX_WAIT", "FUTEX_LOCK_PI", "FUTEX_LOCK_PI2" -> new String[] {value, timeout};
            case "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET" -> new String[] {value, timeout, bitset};
            case "FUTEX_REQUEUE" -> new String[] {value, value2, address2};
            case "FUTEX_CMP_REQUEUE", "FUTEX_CMP_REQUEUE_PI" -> new String[] {value, value2, address2, value3};
            case "FUTEX_WAKE_OP" -> new String[] {value, value2, address2, hex(int32(entry.arg(5)))};
            case "FUTEX_WAIT_REQUEUE_PI" -> new String[] {value, timeout, address2};
            default -> new String[] {hex(entry.arg(2)), hex(entry.arg(3)), hex(entry.arg(4)), hex(entry.arg(5))};
        };
        for (String argument : rest) {
            line.append(", ").append(argument);
        }
    }

    /** {@code FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME}. */
    private static String futexOperation(long operation) {
        String command = Symbols.FUTEX_COMMANDS.nameOf(operation & Symbols.FUTEX_COMMAND_MASK);
        if (command == null) {
            return hex(operation);
        }
        StringJoiner parts = new StringJoiner("|");
        parts.add((operation & Symbols.FUTEX_PRIVATE_FLAG) != 0 ? command + "_PRIVATE" : command);
        if ((operation & Symbols.FUTEX_CLOCK_REALTIME) != 0) {
            parts.add("FUTEX_CLOCK_REALTIME");
        }
        long rest = operation & ~(Symbols.FUTEX_COMMAND_MASK | Symbols.FUTEX_PRIVATE_FLAG | Symbols.FUTEX_CLOCK_REALTIME);
        if (rest != 0) {
            parts.add(hex(rest));
        }
        return parts.toString();
    }

    // --- values with structure ---

    private static String signal(int number) {
        String name = Symbols.SIGNALS.nameOf(number);
        if (name != null) {
            return name;
        }
        if (number >= Symbols.SIGRTMIN && number <= Symbols.SIGRTMAX) {
            return "SIGRT_" + (number - Symbols.SIGRTMIN);
        }
        return Integer.toString(number);
    }

    /** {@code S_IFCHR|0620} or {@code 0644}. */
    private static String mode(long value) {
        long type = value & 0170000;
        StringJoiner parts = new StringJoiner("|");
        if (type != 0) {
            String name = Symbols.FILE_TYPES.nameOf(type);
            parts.add(name != null ? name : octal(type));
        }
        parts.add(octal(value & 07777));
        long rest = value & ~0177777L;
        if (rest != 0) {
            parts.add(hex(rest));
        }
        return parts.toString();
    }

    /** {@code makedev(0x1, 0x3)}, with the kernel's split of major and minor bits. */
    private static String device(long dev) {
        long major = (dev >>> 8 & 0xfff) | (dev >>> 32 & ~0xfffL);
        long minor = (dev & 0xff) | (dev >>> 12 & ~0xffL);
        return "makedev(" + hex(major) + ", " + hex(minor) + ")";
    }

    private static String openFlags(long value) {
        StringJoiner parts = new StringJoiner("|");
        parts.add(Symbols.OPEN_ACCESS_MODES.format(value & 3));
        long rest = Symbols.OPEN_FLAGS.addNames(parts, value & ~3L);
        if (rest != 0) {
            parts.add(hex(rest));
        }
        return parts.toString();
    }

    private static String mmapFlags(long value) {
        StringJoiner parts = new StringJoiner("|");
        long type = value & Symbols.MAP_TYPE;
        if (type != 0) {
            parts.add(nameOrHex(Symbols.MMAP_TYPES, type));
        }
        long hugePageShift = value >>> Symbols.MAP_HUGE_SHIFT & Symbols.MAP_HUGE_MASK;
        long rest = Symbols.MMAP_FLAGS.addNames(parts,
                value & ~Symbols.MAP_TYPE & ~(Symbols.MAP_HUGE_MASK << Symbols.MAP_HUGE_SHIFT));
        if (hugePageShift != 0) {
            parts.add(hugePageShift + "<<MAP_HUGE_SHIFT");
        }
        if (rest != 0) {
            parts.add(hex(rest));
        }
        return parts.length() == 0 ? "0" : parts.toString();
    }

    /** The flags, then the exit signal in the low byte: {@code CLONE_VM|CLONE_VFORK|SIGCHLD}. */
    private static String cloneFlags(long value) {
        StringJoiner parts = new StringJoiner("|");
        long rest = Symbols.CLONE_FLAGS.addNames(parts, value & ~Symbols.CLONE_EXIT_SIGNAL);
        if (rest != 0) {
            parts.add(hex(rest));
        }
        int exitSignal = (int) (value & Symbols.CLONE_EXIT_SIGNAL);
        if (exitSignal != 0) {
            parts.add(signal(exitSignal));
        }
        return parts.length() == 0 ? "0" : parts.toString();
    }

    private static String socketType(long value) {
        StringJoiner parts = new StringJoiner("|");
        parts.add(Symbols.SOCKET_TYPES.format(value & Symbols.SOCK_TYPE_MASK));
        long rest = Symbols.SOCK_FLAGS.addNames(parts, value & ~Symbols.SOCK_TYPE_MASK);
        if (rest != 0) {
            parts.add(hex(rest));
        }
        return parts.toString();
    }

    private static String socketProtocol(int family, int protocol) {
        return switch (family) {
            case Symbols.AF_INET, Symbols.AF_INET6 -> Symbols.IP_PROTOCOLS.format(protocol);
            case Symbols.AF_NETLINK -> Symbols.NETLINK_PROTOCOLS.format(protocol);
            // packet sockets take an EtherType in network byte order
            case Symbols.AF_PACKET -> "htons(" + nameOrHex(Symbols.ETHERNET_PROTOCOLS,
                    Short.toUnsignedInt(Short.reverseBytes((short) protocol))) + ")";
            default -> Integer.toString(protocol);
        };
    }

    private static String socketOption(int level, int option) {
        ValueNames names = switch (level) {
            case Symbols.SOL_SOCKET -> Symbols.SOCKET_OPTIONS;
            case Symbols.SOL_TCP -> Symbols.TCP_OPTIONS;
            case Symbols.SOL_IP -> Symbols.IP_OPTIONS;
            case Symbols.SOL_IPV6 -> Symbols.IPV6_OPTIONS;
            default -> null;
        };
        return names == null ? Integer.toString(option) : names.format(option);
    }

    private static String fcntlArgument(long command, long value) {
        String name = Symbols.FCNTL_COMMANDS.nameOf(command);
        return switch (name == null ? "" : name) {
            case "F_SETFD" -> Symbols.FD_FLAGS.format(int32(value));
            case "F_SETFL" -> openFlags(int32(value));
            case "F_SETLEASE" -> Symbols.LOCK_TYPES.format((int) value);
            case "F_NOTIFY" -> Symbols.DNOTIFY_FLAGS.format(int32(value));
            case "F_ADD_SEALS" -> Symbols.SEALS.format(int32(value));
            case "F_DUPFD", "F_DUPFD_CLOEXEC", "F_DUPFD_QUERY", "F_SETOWN", "F_SETSIG", "F_SETPIPE_SZ" ->
                    Integer.toString((int) value);
            default -> pointer(value);
        };
    }

    /** A known request by name, else its {@code _IOC} fields as strace shows them. */
    private static String ioctlRequest(long request) {
        String name = Symbols.IOCTL_REQUESTS.nameOf(request);
        if (name != null) {
            return name;
        }
        String direction = switch ((int) (request >>> 30 & 3)) {
            case 0 -> "_IOC_NONE";
            case 1 -> "_IOC_WRITE";
            case 2 -> "_IOC_READ";
            default -> "_IOC_READ|_IOC_WRITE";
        };
        return "_IOC(" + direction + ", " + hex(request >>> 8 & 0xff) + ", " + hex(request & 0xff) + ", "
                + hex(request >>> 16 & 0x3fff) + ")";
    }

    private static String schedulingPolicy(long value) {
        String policy = Symbols.SCHED_POLICIES.format(value & ~Symbols.SCHED_RESET_ON_FORK);
        return (value & Symbols.SCHED_RESET_ON_FORK) != 0 ? policy + "|SCHED_RESET_ON_FORK" : policy;
    }

    /** {@code IPC_CREAT|0600}. */
    private static String ipcFlags(long value) {
        StringJoiner parts = new StringJoiner("|");
        long rest = Symbols.IPC_FLAGS.addNames(parts, value & ~0777L);
        if (rest != 0) {
            parts.add(hex(rest));
        }
        if ((value & 0777) != 0 || parts.length() == 0) {
            parts.add(octal(value & 0777));
        }
        return parts.toString();
    }

    private static String nameOrHex(ValueNames names, long value) {
        String name = names.nameOf(value);
        return name != null ? name : hex(value);
    }

    // --- the outcome ---

    private static void appendOutcome(StringBuilder line, JournalEntry entry, Syscall syscall) {
        if (entry.interrupted()) {
            line.append(" = ? <interrupted>");
        } else if (entry.action() == VerdictAction.DENY) {
            line.append(" = ");
            appendReturned(line, -(long) entry.errno(), false);
            line.append(entry.rule() == null ? " <denied>" : " <denied by " + entry.rule() + ">");
        } else if (entry.action() == VerdictAction.KILL) {
            line.append(entry.rule() == null ? " = ? <killed>" : " = ? <killed by " + entry.rule() + ">");
        } else if (entry.resultKnown()) {
            line.append(" = ");
            appendReturned(line, entry.returnValue(), syscall != null && syscall.returnsAddress());
            if (entry.action() == VerdictAction.EMULATE) {
                line.append(entry.rule() == null ? " <emulated>" : " <emulated under " + entry.rule() + ">");
            }
        } else {
            line.append(" = ?");
        }
    }

    private static void appendReturned(StringBuilder line, long value, boolean address) {
        if (value < 0 && value >= -MAX_ERRNO) {
            int errno = (int) -value;
            String name = LinuxErrno.name(errno);
            line.append("-1 ");
            if (name == null) {
                line.append("ERRNO_").append(errno).append(" (Unknown error ").append(errno).append(')');
            } else {
                line.append(name).append(" (").append(LinuxErrno.description(errno)).append(')');
            }
        } else if (address) {
            line.append(hex(value));
        } else {
            line.append(value);
        }
    }

    // --- access to the entry ---

    private static byte[] capture(JournalEntry entry, int index) {
        byte[][] captures = entry.captures();
        return captures == null || index >= captures.length ? null : captures[index];
    }

    private static boolean truncated(JournalEntry entry, int index) {
        boolean[] truncated = entry.truncated();
        return truncated != null && index < truncated.length && truncated[index];
    }

    /** The low 32 bits, for arguments the kernel takes as {@code int}: the upper half is not theirs. */
    private static long int32(long value) {
        return value & 0xFFFF_FFFFL;
    }

    private static long u64(byte[] data, int offset) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = value << 8 | (data[offset + i] & 0xff);
        }
        return value;
    }
}
