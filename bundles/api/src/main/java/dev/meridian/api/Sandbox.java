package dev.meridian.api;

import java.util.concurrent.CompletableFuture;

/** A sandbox started by the supervisor. */
public interface Sandbox {

    long id();

    /** The id as users type and see it. */
    default String displayId() {
        return SandboxIds.format(id());
    }

    SandboxSpec spec();

    GuestProcess process();

    /** Completes once the guest is gone and its end is journaled. */
    CompletableFuture<ExitStatus> exit();
}
