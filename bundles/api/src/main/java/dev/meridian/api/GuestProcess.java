package dev.meridian.api;

import java.util.concurrent.CompletableFuture;

/** A running guest as its South platform sees it. */
public interface GuestProcess {

    /** The main program's process id on the host. */
    long hostPid();

    /** Completes when the guest and its whole process tree are gone. */
    CompletableFuture<ExitStatus> exit();

    /** Sends {@code signal} to the guest's main program. */
    void signal(int signal);

    /** Kills the guest's whole process tree. */
    void kill();

    /** Calls answered by the supervisor so far. */
    long answeredCalls();
}
