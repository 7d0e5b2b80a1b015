package dev.meridian.policy.internal;

import dev.meridian.api.SyscallFilter.Check;
import dev.meridian.api.SyscallFilter.Comparison;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.util.ArrayList;
import java.util.List;

/** The syscall-filter rules each protection stands for. */
final class ProtectionRules {

    /**
     * One rule of a protection.
     *
     * @param audit whether the call is notified so the journal records the denial
     */
    record Denial(List<Integer> numbers, List<Check> checks, int errno, boolean audit) {
    }

    private static final int EPERM = 1;
    private static final int ENOSYS = 38;
    private static final long PR_SET_SECCOMP = 22;
    private static final long[] CLONE_NAMESPACE_FLAGS = {0x00020000L, 0x02000000L, 0x04000000L, 0x08000000L,
            0x10000000L, 0x20000000L, 0x40000000L};

    private ProtectionRules() {
    }

    static List<Denial> of(Protection protection) {
        List<Denial> rules = new ArrayList<>();
        switch (protection) {
            case SECCOMP_STACKING -> {
                rules.add(deny("seccomp"));
                rules.add(new Denial(numbers("prctl"), List.of(new Check(0, Comparison.EQ, PR_SET_SECCOMP, 0)), EPERM, true));
            }
            case IO_URING -> rules.add(deny("io_uring_setup", "io_uring_enter", "io_uring_register"));
            case PTRACE -> rules.add(deny("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd"));
            case NAMESPACES -> {
                rules.add(deny("unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree",
                        "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "open_tree_attr"));
                for (long flag : CLONE_NAMESPACE_FLAGS) {
                    rules.add(new Denial(numbers("clone"), List.of(new Check(0, Comparison.MASKED_EQ, flag, flag)), EPERM, true));
                }
                // clone3 passes its flags in memory, out of the filter's reach: ENOSYS makes libc fall back
                // to clone, whose flags the filter sees. Not journaled: it is an answer, not a denial.
                rules.add(new Denial(numbers("clone3"), List.of(), ENOSYS, false));
            }
            case KERNEL_MODULES -> rules.add(deny("init_module", "finit_module", "delete_module", "kexec_load",
                    "kexec_file_load", "bpf", "perf_event_open", "iopl", "ioperm", "reboot", "swapon", "swapoff"));
            case SIGNAL_SCOPE, ABSTRACT_UNIX_SCOPE -> {
                // Landlock scopes: Confinement flags, no syscall rule.
            }
        }
        return rules;
    }

    private static Denial deny(String... names) {
        return new Denial(numbers(names), List.of(), EPERM, true);
    }

    private static List<Integer> numbers(String... names) {
        List<Integer> numbers = new ArrayList<>();
        for (String name : names) {
            var call = LinuxX86_64Syscalls.byName(name);
            if (call == null) {
                throw new IllegalStateException("protection names unknown system call " + name);
            }
            numbers.add(call.number());
        }
        return numbers;
    }
}
