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
     * Starts {@code spec}'s program with every notified call going to {@code gateway}. The guest
     * is confined before its first instruction; if the supervisor dies, the guest dies.
     *
     * @throws SandboxException naming the cause (program missing, not executable, host refused)
     */
    GuestProcess launch(SandboxSpec spec, SyscallGateway gateway) throws SandboxException;
}
