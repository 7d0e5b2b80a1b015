package dev.meridian.api;

/**
 * A host backend: starts guests confined on this host and feeds their system calls to a
 * {@link SyscallGateway}. An OSGi service, one per host kind (linux, windows, sev-snp, lvbs).
 */
public interface SouthPlatform {

    /** E.g. {@code linux}. */
    String name();

    /**
     * Why this platform cannot run guests on this host, or {@code null} when it can. Platforms
     * whose hardware or OS is absent say so here instead of failing later.
     */
    String unavailableReason();

    /**
     * Starts {@code spec}'s program confined by {@code confinement} and {@code spec}'s isolation,
     * with every notified call going to {@code gateway}. The guest is confined before its first
     * instruction; if the supervisor dies, the guest dies. A part of the confinement or isolation
     * this host cannot hold is refused, never dropped.
     *
     * @throws SandboxException naming the cause (program missing, not executable, host refused,
     *     confinement this kernel cannot hold)
     */
    GuestProcess launch(SandboxSpec spec, Confinement confinement, SyscallGateway gateway) throws SandboxException;
}
