package dev.meridian.api;

import java.util.Objects;

/**
 * What a compiled policy asks of the host's kernel layers, in the order a system call meets
 * them: the file and network rules a kernel access-control layer holds (Landlock on Linux),
 * then the system-call filter (seccomp-BPF on Linux), whose {@link SyscallFilter.Action#NOTIFY}
 * sends a call on to the supervisor and the {@link Policy}. Platform-neutral: each South
 * platform lowers it to its own kernel's formats, and refuses to start a guest when its kernel
 * cannot hold a part of it (fail closed).
 *
 * @param syscalls the system-call filter; never null
 * @param files file-system access rules, or {@code null} when the policy leaves files to the
 *     filter and the supervisor
 * @param network TCP port rules, or {@code null} when the policy leaves TCP ports unrestricted
 * @param scopeSignals the guest may not signal processes outside its sandbox
 * @param scopeAbstractUnixSockets the guest may not connect to abstract UNIX sockets made
 *     outside its sandbox
 */
public record Confinement(
        SyscallFilter syscalls,
        FileRules files,
        NetworkRules network,
        boolean scopeSignals,
        boolean scopeAbstractUnixSockets) {

    public Confinement {
        Objects.requireNonNull(syscalls, "syscalls");
    }

    /** Every call goes to the supervisor; no other layer: what the {@code trace} profile needs. */
    public static Confinement superviseEverything(int abi) {
        return new Confinement(SyscallFilter.notifyAll(abi), null, null, false, false);
    }
}
