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

    /** The supervisor's ends of the guest's standard streams, or {@code null} for {@link Stdio#INHERIT}. */
    GuestStdio stdio();

    /** CPU time (user + system) of the guest's processes so far, in nanoseconds, as far as the platform can tell. */
    long cpuNanos();
}
