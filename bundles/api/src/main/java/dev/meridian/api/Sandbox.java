package dev.meridian.api;

import java.util.concurrent.CompletableFuture;

/** A sandbox the supervisor created: a spec with its policy loaded, and once started, its guest. */
public interface Sandbox {

    long id();

    /** The id as users type and see it. */
    default String displayId() {
        return SandboxIds.format(id());
    }

    SandboxSpec spec();

    SandboxState state();

    /** A snapshot of state, times and counts. */
    SandboxInfo info();

    /**
     * Why the sandbox did not run to its own end, for a user: its start failed (it is then
     * {@link SandboxState#EXITED} with status 127, 126 or 125 as a shell reports a program not
     * found, not executable, or any other failure to start), or its supervision failed; {@code null}
     * otherwise.
     */
    default String failure() {
        return null;
    }

    /**
     * Starts the guest of a {@link SandboxState#CREATED created} sandbox; returns once it runs
     * under supervision.
     *
     * @throws SandboxException naming the cause (program missing, platform unavailable, ...);
     *     the sandbox is then finished
     * @throws IllegalStateException if it was started before
     */
    void start() throws SandboxException;

    /**
     * The running guest.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    GuestProcess process();

    /** Kills the guest's whole process tree and marks the sandbox {@link SandboxState#KILLED}. */
    void kill();

    /** Completes once the guest is gone and its end is journaled. */
    CompletableFuture<ExitStatus> exit();
}
