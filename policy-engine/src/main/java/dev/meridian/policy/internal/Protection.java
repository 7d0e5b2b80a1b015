package dev.meridian.policy.internal;

import java.util.Arrays;
import java.util.List;

/** The always-on protections of design §2: each holds unless a policy switches it off by name. */
enum Protection {
    SECCOMP_STACKING("seccomp-stacking", "another seccomp filter could shadow the supervisor's: seccomp() and prctl(PR_SET_SECCOMP) fail with EPERM"),
    IO_URING("io-uring", "io_uring work runs without passing the seccomp filter: io_uring_setup/enter/register fail with EPERM"),
    PTRACE("ptrace", "reading or steering other processes: ptrace, process_vm_readv/writev and pidfd_getfd fail with EPERM (Landlock also scopes ptrace)"),
    NAMESPACES("namespaces", "new namespaces and mounts would change the sandbox's view: unshare, setns, mount and the new mount API fail with EPERM, clone with namespace flags too, clone3 with ENOSYS so libc falls back to clone"),
    KERNEL_MODULES("kernel-modules", "wide kernel interfaces escapes have used: module loading, kexec, bpf, perf_event_open, iopl/ioperm, reboot and swap fail with EPERM"),
    SIGNAL_SCOPE("signal-scope", "no signals to processes outside the sandbox (Landlock scope, ABI 6)"),
    ABSTRACT_UNIX_SCOPE("abstract-unix-scope", "no connections to abstract UNIX sockets made outside the sandbox (Landlock scope, ABI 6)");

    private final String key;
    private final String why;

    Protection(String key, String why) {
        this.key = key;
        this.why = why;
    }

    String key() {
        return key;
    }

    String why() {
        return why;
    }

    /** Landlock scopes rather than syscall-filter rules. */
    boolean isScope() {
        return this == SIGNAL_SCOPE || this == ABSTRACT_UNIX_SCOPE;
    }

    static Protection byKey(String key) {
        for (Protection protection : values()) {
            if (protection.key.equals(key)) {
                return protection;
            }
        }
        return null;
    }

    static List<String> keys() {
        return Arrays.stream(values()).map(Protection::key).toList();
    }
}
