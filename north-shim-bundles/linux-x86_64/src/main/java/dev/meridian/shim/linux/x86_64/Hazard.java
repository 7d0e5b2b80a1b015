package dev.meridian.shim.linux.x86_64;

/**
 * Why a default policy should not let a call through as issued. Informational: the shim passes
 * every call to the policy unchanged; the policy engine decides what to do about it.
 */
public enum Hazard {
    NONE,
    /**
     * Work submitted through the call runs without passing the seccomp filter ({@code io_uring}
     * opcodes, AIO reads and writes): the supervisor never sees it.
     */
    UNSUPERVISED_IO,
    /**
     * Installs another seccomp filter ({@code seccomp}, {@code prctl(PR_SET_SECCOMP)}), which could
     * shadow the supervisor's.
     */
    FILTER_STACKING,
    /** Reads, writes or steals from other processes ({@code ptrace}, {@code process_vm_*}). */
    OTHER_PROCESSES,
    /**
     * Changes the host rather than the sandbox when privileged: mounts, modules, clocks, reboot,
     * swap, I/O ports.
     */
    HOST_ADMINISTRATION,
    /**
     * Wide or privileged kernel interfaces that sandboxed programs rarely need and escapes have
     * used ({@code bpf}, {@code perf_event_open}, {@code userfaultfd}, keyrings, namespaces,
     * {@code open_by_handle_at}).
     */
    KERNEL_ATTACK_SURFACE
}
