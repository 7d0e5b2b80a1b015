package dev.meridian.policy.internal;

import dev.meridian.api.SyscallFilter.Check;
import dev.meridian.api.SyscallFilter.Comparison;
import dev.meridian.shim.linux.x86_64.ArgKind;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import dev.meridian.shim.linux.x86_64.Syscall;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Fits register checks to the width the kernel reads each argument with. An argument declared
 * {@code int} or {@code unsigned int} in the system call's definition is truncated by the kernel,
 * so the guest may put anything in the register's upper half: {@code ioctl(fd, TIOCSTI | 1L << 32)}
 * is TIOCSTI to the kernel. A 64-bit comparison would let such a call past a deny rule; the
 * fitted check compares the low 32 bits only ({@link Check#LOW_WORD}).
 *
 * <p>The width comes from the argument's kind in the shim's table, which stands for the C type
 * of that argument in the kernel's definitions; kinds whose C type is {@code long}, a pointer
 * or {@code size_t} stay 64 bits.
 */
final class ArgumentWidths {

    /** Kinds the kernel reads as 32-bit integers (int, unsigned int, pid_t, uid_t, key_t...). */
    private static final Set<ArgKind> THIRTY_TWO_BITS = EnumSet.of(
            ArgKind.INT, ArgKind.UINT, ArgKind.FD, ArgKind.DIRFD, ArgKind.PID, ArgKind.UID, ArgKind.GID,
            ArgKind.SIGNAL, ArgKind.DEV, ArgKind.MODE, ArgKind.OPEN_FLAGS, ArgKind.FD_FLAGS, ArgKind.AT_FLAGS,
            ArgKind.ACCESS_MODE, ArgKind.MSYNC_FLAGS, ArgKind.MADVISE_ADVICE, ArgKind.MLOCKALL_FLAGS,
            ArgKind.WAIT_OPTIONS, ArgKind.IDTYPE, ArgKind.SEEK_WHENCE, ArgKind.FCNTL_CMD, ArgKind.IOCTL_REQUEST,
            ArgKind.PRCTL_OPTION, ArgKind.ARCH_PRCTL_CODE, ArgKind.FUTEX_OP, ArgKind.SIGPROCMASK_HOW,
            ArgKind.RLIMIT_RESOURCE, ArgKind.CLOCK_ID, ArgKind.TIMER_FLAGS, ArgKind.ITIMER_WHICH,
            ArgKind.SOCKET_FAMILY, ArgKind.SOCKET_TYPE, ArgKind.SOCKET_PROTOCOL, ArgKind.SOCK_FLAGS,
            ArgKind.MSG_FLAGS, ArgKind.SHUTDOWN_HOW, ArgKind.SOCKOPT_LEVEL, ArgKind.SOCKOPT_NAME,
            ArgKind.EPOLL_CTL_OP, ArgKind.EPOLL_FLAGS, ArgKind.EVENTFD_FLAGS, ArgKind.INOTIFY_FLAGS,
            ArgKind.INOTIFY_MASK, ArgKind.TIMERFD_FLAGS, ArgKind.TIMERFD_SETTIME_FLAGS, ArgKind.SIGNALFD_FLAGS,
            ArgKind.MEMFD_FLAGS, ArgKind.RENAME_FLAGS, ArgKind.FLOCK_OP, ArgKind.GETRANDOM_FLAGS,
            ArgKind.CLOSE_RANGE_FLAGS, ArgKind.XATTR_FLAGS, ArgKind.UMOUNT_FLAGS, ArgKind.STATX_MASK,
            ArgKind.SCHED_POLICY, ArgKind.PRIO_WHICH, ArgKind.SECCOMP_OP, ArgKind.FADVISE_ADVICE,
            ArgKind.FALLOC_FLAGS, ArgKind.SPLICE_FLAGS, ArgKind.MEMBARRIER_CMD, ArgKind.IPC_KEY, ArgKind.IPC_FLAGS,
            ArgKind.SHM_CMD, ArgKind.SEM_CMD, ArgKind.MSG_CMD, ArgKind.SHMAT_FLAGS);

    private ArgumentWidths() {
    }

    /** {@code checks} of a rule on system call {@code number}, each fitted to its argument's width. */
    static List<Check> fit(int number, List<Check> checks) {
        Syscall call = LinuxX86_64Syscalls.byNumber(number);
        if (call == null || checks.isEmpty()) {
            return checks;
        }
        List<Check> fitted = new ArrayList<>(checks.size());
        for (Check check : checks) {
            fitted.add(thirtyTwoBits(call, check.index()) ? lowWord(check) : check);
        }
        return List.copyOf(fitted);
    }

    private static boolean thirtyTwoBits(Syscall call, int index) {
        return index < call.argCount() && THIRTY_TWO_BITS.contains(call.arg(index));
    }

    private static Check lowWord(Check check) {
        if (check.op() == Comparison.MASKED_EQ) {
            return new Check(check.index(), check.op(), check.value() & Check.LOW_WORD, check.mask() & Check.LOW_WORD);
        }
        long value = check.value();
        boolean fits = (value & ~Check.LOW_WORD) == 0 || (int) value == value; // unsigned, or a negative int
        // A value no 32-bit argument can hold stays a 64-bit check: it never matches, as natively.
        return fits ? new Check(check.index(), check.op(), value & Check.LOW_WORD, Check.LOW_WORD) : check;
    }
}
