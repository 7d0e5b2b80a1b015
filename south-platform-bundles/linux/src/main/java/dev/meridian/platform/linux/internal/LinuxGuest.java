package dev.meridian.platform.linux.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestProcess;
import dev.meridian.api.GuestStdio;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A guest started by the exec helper: the guest's and its namespace init's pidfds, and the
 * supervisor's counters. Signals go through pidfds, so a pid the kernel reused after the guest
 * died is never signalled; the lock keeps a pidfd from being closed (and its number reused)
 * while another thread signals through it.
 */
final class LinuxGuest implements GuestProcess {

    private final int hostPid;
    private final Process helper;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment callState = arena.allocate(LinuxSyscalls.CALL_STATE);
    private final boolean waitKillable;
    private final boolean syncWakeUp;
    private final GuestStdio stdio;
    private final GuestCpu cpu;
    private int guestPidfd;
    private int initPidfd;
    private boolean released;

    // Written by the supervisor thread only, read by anyone.
    private volatile long answeredCalls;
    private volatile long refusedMemoryDependentAllows;
    private volatile long failClosedAnswers;

    /**
     * @param stdio the supervisor's ends of the guest's standard streams, or null when it
     *     inherited the supervisor's
     * @param cpu reads the sandbox's CPU time
     */
    LinuxGuest(int hostPid, Process helper, int guestPidfd, int initPidfd, boolean waitKillable,
            boolean syncWakeUp, GuestStdio stdio, GuestCpu cpu) {
        this.hostPid = hostPid;
        this.stdio = stdio;
        this.cpu = cpu;
        this.helper = helper;
        this.guestPidfd = guestPidfd;
        this.initPidfd = initPidfd;
        this.waitKillable = waitKillable;
        this.syncWakeUp = syncWakeUp;
    }

    @Override
    public long hostPid() {
        return hostPid;
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        // A copy: callers must not be able to complete the real one.
        return exit.copy();
    }

    /**
     * @throws IllegalArgumentException when the kernel refuses {@code signal}
     */
    @Override
    public synchronized void signal(int signal) {
        if (released) {
            return;
        }
        if (LinuxSyscalls.pidfdSendSignal(callState, guestPidfd, signal) < 0) {
            int errno = LinuxSyscalls.errno(callState);
            if (errno == LinuxSyscalls.EINVAL) {
                throw new IllegalArgumentException("not a signal: " + signal);
            }
            // ESRCH: the guest already ended, which is what a late signal meets.
        }
    }

    /** Kills the namespace init; the kernel then kills every task of the namespace. */
    @Override
    public synchronized void kill() {
        if (released) {
            return;
        }
        if (LinuxSyscalls.pidfdSendSignal(callState, initPidfd, LinuxSyscalls.SIGKILL) < 0
                && LinuxSyscalls.errno(callState) != LinuxSyscalls.ESRCH) {
            // The helper's death takes the namespace down too (its init has PR_SET_PDEATHSIG).
            helper.destroyForcibly();
        }
    }

    @Override
    public long answeredCalls() {
        return answeredCalls;
    }

    @Override
    public GuestStdio stdio() {
        return stdio;
    }

    /** See {@link GuestCpu} for how exact it is while the guest runs; exact once it ended. */
    @Override
    public long cpuNanos() {
        return cpu.nanos();
    }

    GuestCpu cpu() {
        return cpu;
    }

    /** ALLOW verdicts on memory-dependent decisions, answered EPERM instead (never CONTINUE). */
    long refusedMemoryDependentAllows() {
        return refusedMemoryDependentAllows;
    }

    /** Calls answered EPERM because no usable verdict came back (none, or the bus failed). */
    long failClosedAnswers() {
        return failClosedAnswers;
    }

    /** Whether notifications survive signals (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV). */
    boolean waitKillable() {
        return waitKillable;
    }

    /** Whether the kernel wakes the supervisor on the guest's CPU (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP). */
    boolean syncWakeUp() {
        return syncWakeUp;
    }

    Process helper() {
        return helper;
    }

    void countAnswered() {
        answeredCalls = answeredCalls + 1;
    }

    void countRefusedMemoryDependentAllow() {
        refusedMemoryDependentAllows = refusedMemoryDependentAllows + 1;
    }

    void countFailClosedAnswer() {
        failClosedAnswers = failClosedAnswers + 1;
    }

    /**
     * Waits (bounded) until the namespace init has exited. Its exit comes after the kernel killed
     * and reaped every other task of its namespace, so afterwards no guest task is left, even when
     * the helper died first (killed) and so could not wait for the init itself.
     *
     * @return whether the init exited in time
     */
    synchronized boolean awaitNamespaceGone(int timeoutMillis) {
        if (released) {
            return true;
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment pollFd = scratch.allocate(LinuxSyscalls.POLLFD);
            pollFd.set(ValueLayout.JAVA_INT, LinuxSyscalls.POLLFD_FD, initPidfd);
            pollFd.set(ValueLayout.JAVA_SHORT, LinuxSyscalls.POLLFD_EVENTS, LinuxSyscalls.POLLIN);
            MemorySegment state = scratch.allocate(LinuxSyscalls.CALL_STATE);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            for (;;) {
                int left = (int) Math.max(0, TimeUnit.NANOSECONDS.toMillis(
                        deadline - System.nanoTime()));
                int ready = LinuxSyscalls.poll(state, pollFd, 1, left);
                if (ready > 0) {
                    return true;
                }
                if (ready == 0 || LinuxSyscalls.errno(state) != LinuxSyscalls.EINTR || left == 0) {
                    return false;
                }
            }
        }
    }

    /** Closes the pidfds once the guest is gone; signal and kill do nothing afterwards. */
    synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        LinuxSyscalls.close(guestPidfd);
        LinuxSyscalls.close(initPidfd);
        guestPidfd = -1;
        initPidfd = -1;
        arena.close();
    }

    void complete(ExitStatus status) {
        exit.complete(status);
    }

    /** The supervisor itself failed after the start; the guest was killed. */
    void fail(Throwable cause) {
        exit.completeExceptionally(cause);
    }
}
